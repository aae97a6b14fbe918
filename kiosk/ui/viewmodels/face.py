"""View-model of the 人证比对 screen: consent, live preview with guidance, challenge, verdict."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.identity.flow import MAX_TRIES, Phase
from kiosk.ui.viewmodels.base import ScreenViewModel

if TYPE_CHECKING:
    from kiosk.session.engine import SessionEngine


class FaceViewModel(ScreenViewModel):
    """What the face screen shows; `preview` is the latest camera frame (RGB numpy) or None."""

    phase = StringProperty("")
    guidance = StringProperty("")
    guidance_ok = BooleanProperty(False)
    challenge_text = StringProperty("")
    seconds_text = StringProperty("")
    tries_text = StringProperty("")
    result_text = StringProperty("")
    result_hint = StringProperty("")
    can_retry = BooleanProperty(False)
    frame_seq = NumericProperty(0)
    """Bumped whenever `preview` changes (the screen redraws its texture)."""
    preview: Any = None
    """The latest camera frame (RGB numpy array) or None; a plain attribute, not a property."""

    def update(self, engine: SessionEngine) -> None:
        """Fill from the session's face step."""
        flow = engine.session.face
        if flow is None:
            passed = bool(engine.session.face_verify_id)
            self.wipe()
            if passed:
                self.phase = "passed"
            return
        phase = Phase.PASSED if engine.session.face_verify_id else flow.phase
        self.phase = phase.value
        self.tries_text = self.tr("face.tries", n=max(flow.tries, 1), max=MAX_TRIES)
        live = phase in (Phase.PREVIEW, Phase.CHALLENGE)
        self.seconds_text = self.tr("face.seconds", s=int(flow.seconds_left + 0.99)) if live else ""
        self.guidance_ok = live and not flow.problem
        self.guidance = self.tr(f"face.guide.{flow.problem or 'ok'}") if live else ""
        self.challenge_text = (
            self.tr(f"face.challenge.{flow.challenge.value}")
            if phase is Phase.CHALLENGE and flow.challenge
            else ""
        )
        if phase is Phase.CHALLENGE and flow.problem in ("eyes_closed", "not_frontal"):
            self.guidance, self.guidance_ok = self.tr("face.guide.ok"), True  # that is the action
        self.can_retry = phase in (Phase.FAILED, Phase.CAMERA_FAULT) and flow.tries < MAX_TRIES
        self.result_text = {
            Phase.VERIFYING: self.tr("face.verifying"),
            Phase.PASSED: self.tr("face.passed"),
            Phase.FAILED: self.tr(f"face.failed.{flow.fail_reason or 'no_match'}"),
            Phase.GIVE_UP: self.tr(f"face.failed.{flow.fail_reason or 'no_match'}"),
            Phase.CAMERA_FAULT: self.tr("face.camera_fault"),
            Phase.DECLINED: self.tr("face.declined"),
        }.get(phase, "")
        self.result_hint = {
            Phase.FAILED: self.tr("face.retry_hint", left=MAX_TRIES - flow.tries),
            Phase.GIVE_UP: self.tr("face.give_up"),
            Phase.DECLINED: self.tr("face.alternatives"),
            Phase.CAMERA_FAULT: self.tr("face.camera_fault_hint"),
        }.get(phase, "")
        frame = flow.preview if live else None
        if frame is not self.preview:
            self.preview = frame
            self.frame_seq += 1

    def wipe(self) -> None:
        """Forget the frame first (the screen clears its texture on frame_seq)."""
        self.preview = None
        seq = self.frame_seq
        super().wipe()
        self.frame_seq = seq + 1

    def _flow(self) -> Any:
        return self.engine.session.face

    def consent(self) -> None:
        """同意并开始."""
        if self._flow() is not None:
            self.engine.touch()
            self._flow().consent()

    def decline(self) -> None:
        """不同意，返回."""
        if self._flow() is not None:
            self.engine.touch()
            self._flow().decline()

    def retry(self) -> None:
        """再试一次."""
        if self._flow() is not None:
            self.engine.touch()
            self._flow().retry()

    def proceed(self) -> None:
        """继续 after 比对通过."""
        self.engine.face_continue()

    def home(self) -> None:
        """返回首页 (ends the session)."""
        self.engine.cancel()

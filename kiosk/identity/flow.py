"""The 人证比对 step of a session, between the card and the form (UI thread only, no widgets).

consent → preview with live guidance → action challenge → 比对中… → passed, or failed (try
again, at most MAX_TRIES, then "请到服务窗口办理"). The camera runs only between consent and the
end of a try. The best frame is held in memory only, sent once over the signed channel and
dropped; `wipe()` forgets every frame.
"""

from __future__ import annotations

import base64
import logging
import random
from collections.abc import Callable
from enum import Enum
from typing import Any

from kiosk.identity import liveness, quality

log = logging.getLogger(__name__)

MAX_TRIES = 3
TRY_S = 30.0
"""Seconds per try (quality gate + challenge), × the 长辈模式 factor."""
STEADY_FRAMES = 3
"""Consecutive good frames before the challenge is asked."""
CROP_PX = 320


class Phase(str, Enum):
    """Where the face step is."""

    CONSENT = "consent"
    PREVIEW = "preview"
    CHALLENGE = "challenge"
    VERIFYING = "verifying"
    PASSED = "passed"
    FAILED = "failed"
    GIVE_UP = "give_up"
    DECLINED = "declined"
    CAMERA_FAULT = "camera_fault"


LIVE = frozenset({Phase.PREVIEW, Phase.CHALLENGE})
"""The camera is on."""


def encode_crop(frame: Any, box: tuple[int, int, int, int]) -> str:
    """The face with a margin, at most CROP_PX wide, as base64 JPEG (in memory only)."""
    import cv2
    import numpy as np

    h, w = frame.shape[:2]
    bw, bh = box[2] - box[0], box[3] - box[1]
    x0, y0 = max(0, box[0] - bw * 3 // 4), max(0, box[1] - bh)
    x1, y1 = min(w, box[2] + bw * 3 // 4), min(h, box[3] + bh * 3 // 4)
    crop = np.ascontiguousarray(frame[y0:y1, x0:x1])
    if crop.shape[1] > CROP_PX:
        crop = cv2.resize(
            crop,
            (CROP_PX, int(CROP_PX * crop.shape[0] / crop.shape[1])),
            interpolation=cv2.INTER_AREA,
        )
    ok, buf = cv2.imencode(
        ".jpg", cv2.cvtColor(crop, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 90]
    )
    if not ok:
        raise ValueError("JPEG encoding failed")
    return base64.b64encode(buf.tobytes()).decode("ascii")


class FaceFlow:
    """One citizen's face step. `start_capture(flow)` must start frames arriving at
    `on_frame` on this thread and return a stopper; `verify(payload)` asks central."""

    def __init__(
        self,
        *,
        id_number: str,
        name: str,
        start_capture: Callable[[FaceFlow], Callable[[], None]],
        verify: Callable[[dict[str, Any]], Any],
        runner: Any,
        clock: Callable[[], float],
        factor: float = 1.0,
        on_change: Callable[[], None] = lambda: None,
        on_passed: Callable[[str], None] = lambda _vid: None,
        rng: random.Random | None = None,
        try_s: float = TRY_S,
    ) -> None:
        self._id_number, self._name = id_number, name
        self._start_capture = start_capture
        self._verify = verify
        self.runner = runner
        self.clock = clock
        self.factor = factor
        self.on_change = on_change
        self.on_passed = on_passed
        self.rng = rng
        self.try_s = try_s
        self.phase = Phase.CONSENT
        self.tries = 0
        self.problem = ""
        """Quality-gate problem of the latest frame ("" when fine)."""
        self.fail_reason = ""
        """timeout, no_match, unavailable, rejected."""
        self.challenge: liveness.Challenge | None = None
        self.judge: liveness.Judge | None = None
        self.preview: Any = None
        """Latest frame (RGB) for the preview; None when nothing may be shown."""
        self.frame_seq = 0
        self.score = 0.0
        self.verify_id = ""
        self._best: tuple[float, Any, tuple[int, int, int, int]] | None = None
        self._steady = 0
        self._stopper: Callable[[], None] | None = None
        self._started = 0.0
        self._gen = 0
        self._wiped = False

    # ---- citizen actions ----

    def consent(self) -> None:
        """同意并开始: the camera starts."""
        if self.phase is Phase.CONSENT:
            self._begin_try()

    def decline(self) -> None:
        """不同意，返回: nothing is captured; the screen offers the alternatives."""
        if self.phase is Phase.CONSENT:
            self.phase = Phase.DECLINED
            self.on_change()

    def retry(self) -> None:
        """再试一次 after a failed try (while tries remain)."""
        if self.phase in (Phase.FAILED, Phase.CAMERA_FAULT) and self.tries < MAX_TRIES:
            self._begin_try()

    @property
    def seconds_left(self) -> float:
        """Seconds left of the current try (0 when not live)."""
        if self.phase not in LIVE:
            return 0.0
        return max(0.0, self.try_s * self.factor - (self.clock() - self._started))

    # ---- frames (UI thread) ----

    def on_frame(self, frame: Any, obs: quality.Observation, verdict: quality.Verdict) -> None:
        """One analysed frame from the capture thread (already marshalled to this thread)."""
        if self.phase not in LIVE or self._wiped:
            return  # a frame posted before the camera stopped: dropped
        self.preview = frame
        self.frame_seq += 1
        self.problem = verdict.problem
        if verdict.ok and (self._best is None or verdict.score > self._best[0]):
            assert obs.box is not None
            self._best = (verdict.score, frame, obs.box)
        if self.phase is Phase.PREVIEW:
            self._steady = self._steady + 1 if verdict.ok else 0
            if self._steady >= STEADY_FRAMES:
                self.challenge = liveness.pick(self.rng)
                self.judge = liveness.Judge(self.challenge)
                self.phase = Phase.CHALLENGE
        elif self.judge is not None:
            # the action itself leaves the gate (eyes shut, head turned): judge every face frame
            if obs.faces == 1 and self.judge.feed(obs) and self._best is not None:
                self._send()
        self.on_change()

    def on_camera_fault(self, reason: str) -> None:
        """The camera vanished or is busy: this try stops (it does not count)."""
        if self.phase not in LIVE or self._wiped:
            return
        log.warning("camera fault during the face step: %s", reason)
        self._stop_camera()
        self._forget_frames()
        self.tries -= 1
        self.fail_reason = reason
        self.phase = Phase.CAMERA_FAULT
        self.on_change()

    def tick(self) -> None:
        """About once a second: the try's time limit."""
        if self.phase in LIVE and self.seconds_left <= 0:
            self._fail("timeout")

    # ---- internals ----

    def _begin_try(self) -> None:
        self.tries += 1
        self._forget_frames()
        self.problem = self.fail_reason = ""
        self.challenge, self.judge, self._steady = None, None, 0
        self.phase = Phase.PREVIEW
        self._started = self.clock()
        self.on_change()
        self._stopper = self._start_capture(self)

    def _send(self) -> None:
        assert self._best is not None and self.judge is not None and self.challenge is not None
        _, frame, box = self._best
        self._stop_camera()
        payload = {
            "id_number": self._id_number,
            "name": self._name,
            "image_jpeg_b64": encode_crop(frame, box),
            "liveness": {
                "challenge": self.challenge.value,
                "passed": True,
                "frames": self.judge.frames,
            },
        }
        self._forget_frames()
        self.phase = Phase.VERIFYING
        self._gen += 1
        gen = self._gen
        verify = self._verify
        # Bound as a default: `del payload` below must not unbind what the worker still sends.
        self.runner(lambda p=payload: verify(p), lambda res, err: self._answered(gen, res, err))
        del payload

    def _answered(self, gen: int, res: Any, err: BaseException | None) -> None:
        if gen != self._gen or self.phase is not Phase.VERIFYING:
            return
        if err is not None:
            log.warning("face verification not answered: %s", type(err).__name__)
            self._fail("unavailable")
            return
        self.score = float(res.score)
        if res.match:
            self.verify_id = res.verify_id
            self.phase = Phase.PASSED
            log.info("face verified (%s)", res.verify_id)
            self.on_change()
            self.on_passed(res.verify_id)
        else:
            log.info("face did not match (%s)", res.verify_id)
            self._fail("no_match")

    def _fail(self, reason: str) -> None:
        self._stop_camera()
        self._forget_frames()
        self.fail_reason = reason
        self.phase = Phase.GIVE_UP if self.tries >= MAX_TRIES else Phase.FAILED
        self.on_change()

    def _stop_camera(self) -> None:
        stopper, self._stopper = self._stopper, None
        if stopper is not None:
            stopper()

    def _forget_frames(self) -> None:
        self._best = None
        self.preview = None
        self.frame_seq += 1

    def wipe(self) -> None:
        """The step or the session ended: camera off, every frame and the identity forgotten."""
        self._gen += 1
        self._wiped = True
        self._stop_camera()
        self._forget_frames()
        self._id_number = self._name = ""

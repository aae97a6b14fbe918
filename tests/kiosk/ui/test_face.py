"""人证比对 in the running app: the simulated camera (a real photograph), the embedded central
sandbox comparing real dlib embeddings, touch on the real widgets."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from kiosk.session.ports import DeviceState
from kiosk.session.states import State
from tests.kiosk.ui.harness import KioskTestCase

ID = "610902199101010010"
FACE_ITEM = "养老待遇资格认证"


def _walk(w: Any) -> list[Any]:
    out = [w]
    for c in w.children:
        out += _walk(c)
    for s in getattr(w, "screens", ()):
        if s.parent is None:
            out += _walk(s)
    return out


class FaceStepTest(KioskTestCase):
    """Consent, live preview, challenge, match; decline; no camera."""

    def _to_consent(self) -> Any:
        eng = self.engine
        # the camera watch builds the simulator (and loads the face models) on its first look
        self.wait_until(lambda: "camera" in self.sims(), 30, "camera simulator")
        sims = self.sims()
        sims["camera"].set_source("astronaut")
        sims["idcard"].remove()
        self.tap(FACE_ITEM)
        self.tap("开始办理")
        sims["idcard"].insert("mainland")
        self.wait_until(lambda: eng.state == State.FACE, what="card read")
        return sims["camera"]

    def test_certification_needs_consent_liveness_and_a_matching_face(self) -> None:
        import logging

        class Keep(logging.Handler):
            def __init__(self) -> None:
                super().__init__(logging.DEBUG)
                self.lines: list[str] = []

            def emit(self, record: logging.LogRecord) -> None:
                self.lines.append(self.format(record))

        keep = Keep()
        root = logging.getLogger()
        old_level = root.level
        root.addHandler(keep)
        root.setLevel(logging.DEBUG)
        self.addCleanup(lambda: (root.removeHandler(keep), root.setLevel(old_level)))
        self.start_app()
        eng = self.engine
        cam = self._to_consent()
        served = cam.frames_served
        self.find("开始人脸比对前，请您阅读并同意")
        self.frames(10)
        assert cam.frames_served == served and not cam.opened  # no camera before consent
        self.tap("同意并开始")
        face = eng.session.face
        self.wait_until(lambda: face.challenge is not None, 20, "challenge asked")
        screen = next(s for s in self.app.sm.screens if s.name == "face")
        self.wait_until(lambda: screen.preview_texture is not None, 5, "preview shown")
        assert screen.preview_texture.size == (640, 480)
        self.find(self.app.t(f"face.challenge.{face.challenge.value}"))
        self.frames(20)
        assert eng.state == State.FACE and not eng.session.face_verify_id  # a still face waits
        self.app.dock.face_act()  # the citizen does what the screen asks
        self.wait_until(lambda: bool(eng.session.face_verify_id), 30, "face verified")
        self.find("比对通过")
        self.tap("下一步")
        assert eng.state == State.FORM and eng.session.face is None
        assert screen.preview_texture is None and self.app.vm.face.preview is None
        assert not cam.opened
        eng.end("cancel")
        self.frames(3)
        self._assert_nothing_left()
        assert any("face verified" in line for line in keep.lines)  # the log did record the step
        leaks = [line for line in keep.lines if ID in line or "/9j/" in line or "王小明" in line]
        assert leaks == [], leaks

    def _assert_nothing_left(self) -> None:
        """No face image and no ID number in the data dir, the logs, or the widget tree."""
        from kivy.uix.image import Image

        for w in _walk(self.root):
            if isinstance(w, Image) and w.texture is not None:
                assert w.texture.size != (640, 480), w  # a camera-sized texture is still held
            assert getattr(w, "preview_texture", None) is None
            text = getattr(w, "text", "")
            assert not (isinstance(text, str) and ID in text)
        assert self.app.vm.face.preview is None
        jpeg_b64 = base64.b64encode(b"\xff\xd8\xff").decode()[:4]  # "/9j/"
        for path in Path(self.tmp).rglob("*"):
            if not path.is_file():
                continue
            data = path.read_bytes()
            assert b"\xff\xd8\xff" not in data, path  # JPEG start of image
            assert b"\x89PNG" not in data, path
            assert jpeg_b64.encode() not in data, path
            assert ID.encode() not in data, path

    def test_declining_offers_the_alternatives_and_never_starts_the_camera(self) -> None:
        self.start_app()
        cam = self._to_consent()
        served = cam.frames_served
        self.tap("不同意，返回")
        self.find("您未同意人脸比对")
        self.find("您可以到服务窗口人工办理，或在手机政务服务App上办理。")
        assert cam.frames_served == served
        self.tap("返回首页")
        assert self.engine.state == State.HOME

    def test_without_a_camera_the_item_is_greyed_with_the_reason(self) -> None:
        self.start_app()
        self.app.vm.home.set_category("social_security")  # RS-0103 is not on the first page of all
        self.engine.handle(DeviceState("camera", False, "missing"))
        self.frames(3)
        tile = next(t for t in self.app.vm.home.tiles if t["code"] == "RS-0103")
        assert not tile["available"] and tile["reason"] == "摄像头暂不可用"
        self.engine.handle(DeviceState("camera", True))
        self.frames(2)
        tile = next(t for t in self.app.vm.home.tiles if t["code"] == "RS-0103")
        assert tile["available"]

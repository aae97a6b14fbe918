"""Wiring of the face step into a running kiosk: camera + capture thread + central → FaceFlow."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from drivers.camera import Camera
from kiosk.identity.capture import CaptureLoop
from kiosk.identity.flow import FaceFlow
from kiosk.session.ports import DeviceState, EventSink

log = logging.getLogger(__name__)


def face_factory(
    camera: Camera,
    central: Any,
    runner: Any,
    post: Callable[[Callable[..., None]], Callable[..., None]],
    *,
    try_s: float,
    sink: EventSink | None = None,
) -> Callable[[Any, Any], FaceFlow]:
    """A factory for SessionEngine.face_factory. `post(fn)` wraps `fn` so that calling it from
    the capture thread runs it on the UI thread (kiosk.ui.marshal.to_ui)."""

    def make(engine: Any, holder: Any) -> FaceFlow:
        loops: list[CaptureLoop] = []

        def start(flow: FaceFlow) -> Callable[[], None]:
            def on_frame(frame: Any, obs: Any, verdict: Any) -> None:
                try:
                    flow.on_frame(frame, obs, verdict)
                finally:
                    loop.consumed()

            def on_fault(reason: str) -> None:
                flow.on_camera_fault(reason)
                if sink is not None:
                    sink(DeviceState("camera", False, reason))

            def on_ok() -> None:
                if sink is not None:
                    sink(DeviceState("camera", True))

            loop = CaptureLoop(
                camera, post(on_frame), post(on_fault), post(on_ok), max_fps=camera.fps
            )
            loops.append(loop)
            loop.start()
            # stop() joins the thread: do it off the UI thread so the screen never waits
            return lambda: threading.Thread(
                target=loop.stop, name="kiosk-camera-stop", daemon=True
            ).start()

        return FaceFlow(
            id_number=holder.id_number,
            name=holder.name,
            start_capture=start,
            verify=central.verify_face,
            runner=runner,
            clock=engine.clock,
            factor=engine.factor,
            on_change=engine.face_changed,
            on_passed=engine.face_passed,
            try_s=try_s,
        )

    return make


class CameraWatch:
    """EventSource: reports the camera present or missing every `interval` s (never opens it)."""

    def __init__(self, camera: Camera, interval: float = 2.0) -> None:
        self.camera = camera
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, sink: EventSink) -> None:
        """Start watching."""

        def run() -> None:
            last: bool | None = None
            while not self._stop.is_set():
                present = self.camera.present()
                if present != last:
                    sink(DeviceState("camera", present, "" if present else "missing"))
                    last = present
                self._stop.wait(self.interval)

        self._thread = threading.Thread(target=run, name="kiosk-camera-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop watching and release the camera."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(3)
        self.camera.close()


__all__ = ["face_factory", "CameraWatch"]

"""The capture thread: camera frames → quality gate → the UI thread, only while the face step
runs (the camera is off otherwise); and a watch that reports the camera's presence."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from drivers.camera import Camera, CameraError
from kiosk.identity import quality

log = logging.getLogger(__name__)

FrameSink = Callable[[Any, quality.Observation, quality.Verdict], None]
FaultSink = Callable[[str], None]


class CaptureLoop:
    """Reads and analyses frames on its own thread; hands each result to `on_frame`.

    `on_frame` is expected to post to the UI thread (kiosk.ui.marshal.to_ui); a frame is
    not analysed while the previous result is still unconsumed, so a slow screen never
    queues frames (and frames never pile up in memory).
    """

    def __init__(
        self,
        camera: Camera,
        on_frame: FrameSink,
        on_fault: FaultSink,
        on_ok: Callable[[], None] | None = None,
        max_fps: float = 15.0,
    ) -> None:
        self.camera = camera
        self.on_frame = on_frame
        self.on_fault = on_fault
        self.on_ok = on_ok
        self.min_gap = 1.0 / max_fps
        self._stop = threading.Event()
        self._free = threading.Event()
        self._free.set()
        self._thread: threading.Thread | None = None
        self.frames = 0

    def start(self) -> CaptureLoop:
        """Start the thread."""
        self._thread = threading.Thread(target=self._run, name="kiosk-camera", daemon=True)
        self._thread.start()
        return self

    def consumed(self) -> None:
        """The UI took the last result: the next frame may be analysed."""
        self._free.set()

    def stop(self) -> None:
        """Stop capturing and release the camera (the LED goes off)."""
        self._stop.set()
        self._free.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(3)
        self.camera.close()

    def _run(self) -> None:
        faulty = ""
        while not self._stop.is_set():
            self._free.wait(0.5)
            if self._stop.is_set():
                break
            if not self._free.is_set():
                continue
            started = time.monotonic()
            try:
                frame = self.camera.read()
            except CameraError as exc:
                if exc.reason != faulty and exc.reason != "fault":
                    faulty = exc.reason
                    self.on_fault(exc.reason)
                self._stop.wait(0.2)
                continue
            if faulty:
                faulty = ""
                if self.on_ok is not None:
                    self.on_ok()
            obs, verdict = quality.check(frame)
            self.frames += 1
            self._free.clear()
            self.on_frame(frame, obs, verdict)
            del frame
            rest = self.min_gap - (time.monotonic() - started)
            if rest > 0:
                self._stop.wait(rest)

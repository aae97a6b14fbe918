"""`sim://camera?source=…`: a camera that plays real photographs through the Camera interface.

Options: `source` = a name from drivers.sim.faces (astronaut, grace_hopper, coffee, chelsea,
pair), an image file, or a directory whose images are played in name order (a sequence);
`fps` (pacing, default 15; 0 = as fast as read), `distance` (near, normal, far), `light`
(brightness factor), `offset` (face off-centre, fraction of the width), and faults:
`unplug_after=N` (the camera vanishes after N frames, mid-capture), `busy=1` (held by another
process), `missing=1` (not plugged in). The demo dock and tests call `perform(action)` to
play a blink or a head turn made by drivers.sim.face_actor, `set_source(name)`, `unplug()` and
`replug()`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from drivers.camera.errors import CameraBusy, CameraLost, CameraMissing
from drivers.sim import faces

DISTANCES = {"near": 0.45, "normal": 0.3, "far": 0.12}
IMAGE_EXT = (".png", ".jpg", ".jpeg", ".bmp")


def _truthy(v: str) -> bool:
    return v.strip().lower() in ("1", "true", "yes", "on")


class SimCamera:
    """The simulated camera (thread-safe)."""

    def __init__(
        self,
        source: str = "astronaut",
        *,
        width: int = 640,
        height: int = 480,
        fps: float = 15.0,
        distance: str = "normal",
        light: float = 1.0,
        offset: float = 0.0,
        unplug_after: int | None = None,
        busy: bool = False,
        missing: bool = False,
    ) -> None:
        if distance not in DISTANCES:
            raise ValueError(f"distance must be one of {', '.join(DISTANCES)}")
        self.width, self.height, self.fps = width, height, fps
        self.distance, self.light, self.offset = distance, light, offset
        self.unplug_after = unplug_after
        self.busy = busy
        self.plugged = not missing
        self.opened = False
        self.frames_served = 0
        self._lock = threading.Lock()
        self._script: list[Any] = []
        self._frames: list[Any] = []
        self._i = 0
        self._last = 0.0
        self.source = ""
        self.set_source(source)
        from drivers.sim import running

        running["camera"] = self  # type: ignore[assignment]

    @classmethod
    def from_options(
        cls, options: Mapping[str, str], *, width: int = 640, height: int = 480
    ) -> SimCamera:
        """Build from the URL's query options (see the module docstring)."""
        known = {"source", "fps", "distance", "light", "offset", "unplug_after", "busy", "missing"}
        unknown = set(options) - known
        if unknown:
            raise ValueError(f"sim://camera: unknown option(s) {', '.join(sorted(unknown))}")
        ua = options.get("unplug_after")
        return cls(
            options.get("source", "astronaut"),
            width=width,
            height=height,
            fps=float(options.get("fps", 15)),
            distance=options.get("distance", "normal"),
            light=float(options.get("light", 1.0)),
            offset=float(options.get("offset", 0)),
            unplug_after=int(ua) if ua else None,
            busy=_truthy(options.get("busy", "0")),
            missing=_truthy(options.get("missing", "0")),
        )

    # ---- what is in front of the camera ----

    def _framed(self, still: Any) -> Any:
        from drivers.sim import face_actor

        return face_actor.frame(
            still, self.width, self.height, DISTANCES[self.distance], self.light, self.offset
        )

    def set_source(self, source: str) -> None:
        """Someone else steps in front of the camera (a name, a file or a directory).

        The frames are composed on the next read (framing needs the landmark model: about a
        second on first use), so building the simulator costs nothing at kiosk start."""
        path = Path(source)
        if not (source in faces.NAMES or path.is_dir() or path.is_file()):
            raise ValueError(
                f"sim://camera: source {source!r} is neither a known face image "
                f"({', '.join(faces.NAMES)}) nor an image file or directory"
            )
        if (
            path.is_dir()
            and source not in faces.NAMES
            and not any(p.suffix.lower() in IMAGE_EXT for p in path.iterdir())
        ):
            raise ValueError(f"{source}: no images in this directory")
        with self._lock:
            self.source = source
            self._frames = []
            self._script = []
            self._i = 0

    def _compose(self) -> list[Any]:
        source, path = self.source, Path(self.source)
        if source in faces.NAMES:
            stills = [faces.load(source)]
        elif path.is_dir():
            stills = [
                faces.load_file(str(p))
                for p in sorted(path.iterdir())
                if p.suffix.lower() in IMAGE_EXT
            ]
            if not stills:
                raise ValueError(f"{source}: no images in this directory")
        else:
            stills = [faces.load_file(str(path))]
        return (
            [self._framed(s) for s in stills]
            if len(stills) == 1
            else [self._resize(s) for s in stills]
        )  # a recorded sequence is played as it is

    def _current(self) -> list[Any]:
        with self._lock:
            if self._frames:
                return self._frames
            source = self.source
        frames = self._compose()
        with self._lock:
            if self.source == source and not self._frames:
                self._frames = frames
            return self._frames or frames

    def _resize(self, img: Any) -> Any:
        import cv2

        if img.shape[1] == self.width and img.shape[0] == self.height:
            return img
        return cv2.resize(img, (self.width, self.height), interpolation=cv2.INTER_AREA)

    def perform(self, action: str) -> None:
        """Play one action (blink, left, right) once, then the still again."""
        from drivers.sim import face_actor

        base = self._current()[0]
        seq = face_actor.sequence(base, action)
        with self._lock:
            self._script = [f for f in seq for _ in range(2)]  # each pose held two frames

    # ---- faults ----

    def unplug(self) -> None:
        """Pull the USB cable."""
        self.plugged = False

    def replug(self) -> None:
        """Plug it back in."""
        self.plugged = True
        self.unplug_after = None

    # ---- the Camera backend ----

    def open(self) -> None:
        """Open (fails like the real device would)."""
        if not self.plugged:
            raise CameraMissing("sim://camera: not plugged in")
        if self.busy:
            raise CameraBusy("sim://camera: held by another process")
        self.opened = True

    def read(self) -> Any:
        """The next frame, paced at `fps`."""
        if not self.plugged or not self.opened:
            self.opened = False
            raise CameraLost("sim://camera: unplugged")
        if self.unplug_after is not None and self.frames_served >= self.unplug_after:
            self.plugged = self.opened = False
            raise CameraLost("sim://camera: unplugged mid-capture")
        if self.fps > 0:
            wait = self._last + 1.0 / self.fps - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._last = time.monotonic()
        frames = self._current()
        with self._lock:
            if self._script:
                frame = self._script.pop(0)
            else:
                frame = frames[self._i % len(frames)]
                self._i += 1
        self.frames_served += 1
        return frame.copy()

    def release(self) -> None:
        """Close."""
        self.opened = False

"""A camera by URL: `/dev/videoN`, `usb://VID:PID` (looked up in sysfs each time it opens) or
`sim://camera?…`; `read()` returns one RGB frame (numpy uint8, H×W×3), never written anywhere.

Hot-plug: after CameraLost/CameraMissing, `read()` tries to reopen at most once per
`reconnect_interval` seconds (a replugged camera may come back as another /dev/videoN; a
`usb://` URL finds it again).
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

from drivers.camera.errors import CameraBusy, CameraError, CameraLost, CameraMissing

log = logging.getLogger(__name__)

SYSFS_V4L = Path("/sys/class/video4linux")
USB_RE = re.compile(r"usb://([0-9a-fA-F]{4}):([0-9a-fA-F]{4})")
LOST_AFTER = 5
"""Consecutive failed reads before the camera counts as lost (USB cameras drop single frames)."""


class Backend(Protocol):
    """What produces frames: OpenCV's V4L2 capture or the simulator."""

    def read(self) -> Any:
        """One RGB frame, or raise CameraError."""

    def release(self) -> None:
        """Free the device."""


@dataclass(frozen=True)
class CameraInfo:
    """What a technician wants to know about the open camera."""

    url: str
    device: str
    width: int
    height: int
    backend: str


def find_usb_video(vid: str, pid: str, root: Path = SYSFS_V4L) -> str | None:
    """The first /dev/videoN whose USB device has this VID:PID (capture nodes sort first)."""
    if not root.is_dir():
        return None
    for node in sorted(root.iterdir(), key=lambda p: int(re.sub(r"\D", "", p.name) or 0)):
        dev = (node / "device").resolve()
        for up in (dev, *dev.parents[:3]):
            try:
                v = (up / "idVendor").read_text().strip()
                p = (up / "idProduct").read_text().strip()
            except OSError:
                continue
            if v.lower() == vid.lower() and p.lower() == pid.lower():
                return f"/dev/{node.name}"
            break
    return None


class _OpenCVBackend:
    """cv2.VideoCapture on a V4L2 node."""

    def __init__(self, device: str, width: int, height: int, fps: float) -> None:
        import cv2

        self._cv2 = cv2
        if not os.path.exists(device):
            raise CameraMissing(f"{device}: no such video device")
        if not os.access(device, os.R_OK | os.W_OK):
            raise CameraBusy(f"{device}: no permission (is the kiosk user in group video?)")
        cap = cv2.VideoCapture(device, cv2.CAP_V4L2)
        if not cap.isOpened():
            cap.release()
            raise CameraBusy(f"{device}: cannot be opened (held by another process?)")
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        cap.set(cv2.CAP_PROP_FPS, fps)
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # the newest frame, not one queued a second ago
        self.cap = cap
        self.failures = 0

    def read(self) -> Any:
        ok, frame = self.cap.read()
        if not ok or frame is None:
            self.failures += 1
            if self.failures >= LOST_AFTER:
                raise CameraLost("camera stopped delivering frames")
            raise CameraError("frame dropped")
        self.failures = 0
        return self._cv2.cvtColor(frame, self._cv2.COLOR_BGR2RGB)

    def release(self) -> None:
        self.cap.release()


def _parse_sim(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    if parts.netloc != "camera":
        raise CameraError(f"{url}: a camera URL names sim://camera")
    return dict(parse_qsl(parts.query, keep_blank_values=True))


class Camera:
    """One camera; thread-safe `read()`; reopens by itself after a hot-plug."""

    def __init__(
        self,
        url: str,
        *,
        width: int = 640,
        height: int = 480,
        fps: float = 15.0,
        reconnect_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self.width, self.height, self.fps = width, height, fps
        self.reconnect_interval = reconnect_interval
        self.clock = clock
        self._backend: Backend | None = None
        self._simdev: Any = None
        self._device = ""
        self._lock = threading.Lock()
        self._next_try = 0.0
        self.last_error: CameraError | None = None

    # ---- open / close ----

    def resolve(self) -> str:
        """The device node (or sim URL) the URL means right now; CameraMissing if none."""
        if self.url.startswith("sim://"):
            return self.url
        m = USB_RE.fullmatch(self.url)
        if m:
            dev = find_usb_video(m.group(1), m.group(2))
            if dev is None:
                raise CameraMissing(f"no video device with USB id {m.group(1)}:{m.group(2)}")
            return dev
        if self.url.startswith("/dev/"):
            return self.url
        raise CameraError(
            f"{self.url}: camera URLs are /dev/videoN, usb://VID:PID or sim://camera?…"
        )

    def open(self) -> CameraInfo:
        """Open the camera now (raises CameraMissing / CameraBusy)."""
        with self._lock:
            self._open_locked()
            return self.info()

    def _open_locked(self) -> None:
        if self._backend is not None:
            return
        device = self.resolve()
        if device.startswith("sim://"):
            if self._simdev is None:  # one simulated camera per Camera: unplugged stays unplugged
                from drivers.sim.camera import SimCamera

                self._simdev = SimCamera.from_options(
                    _parse_sim(device), width=self.width, height=self.height
                )
            self._simdev.open()
            self._backend = self._simdev
        else:
            self._backend = _OpenCVBackend(device, self.width, self.height, self.fps)
        self._device = device
        self.last_error = None
        log.info("camera open: %s", device)

    def info(self) -> CameraInfo:
        """URL, device node, frame size and backend of the open camera."""
        return CameraInfo(
            self.url,
            self._device,
            self.width,
            self.height,
            "sim" if self._simdev is not None else "v4l2",
        )

    def present(self) -> bool:
        """Whether the camera is there (without opening it: the LED stays off)."""
        if self.url.startswith("sim://"):
            if self._simdev is None:
                from drivers.sim.camera import SimCamera

                with self._lock:
                    if self._simdev is None:
                        self._simdev = SimCamera.from_options(
                            _parse_sim(self.url), width=self.width, height=self.height
                        )
            return bool(self._simdev.plugged) and not self._simdev.busy
        try:
            return os.path.exists(self.resolve())
        except CameraError:
            return False

    @property
    def is_open(self) -> bool:
        """Whether frames are flowing (as far as the last read knows)."""
        return self._backend is not None

    def read(self) -> Any:
        """One RGB frame (numpy H×W×3 uint8); reopens after a hot-plug, else raises CameraError."""
        with self._lock:
            if self._backend is None:
                now = self.clock()
                if now < self._next_try and self.last_error is not None:
                    raise self.last_error
                self._next_try = now + self.reconnect_interval
                try:
                    self._open_locked()
                except CameraError as exc:
                    self.last_error = exc
                    raise
            assert self._backend is not None
            try:
                return self._backend.read()
            except (CameraLost, CameraMissing) as exc:
                log.warning("camera lost: %s", exc)
                self._drop(exc)
                raise

    def _drop(self, exc: CameraError) -> None:
        try:
            if self._backend is not None:
                self._backend.release()
        finally:
            self._backend = None
            self.last_error = exc
            self._next_try = self.clock() + self.reconnect_interval

    @property
    def sim(self) -> Any:
        """The simulator behind a sim:// camera (demo dock, tests), else None."""
        if self._simdev is None and self.url.startswith("sim://"):
            try:
                self.open()
            except CameraError:
                pass
        return self._simdev

    def close(self) -> None:
        """Release the device (the next read opens it again)."""
        with self._lock:
            if self._backend is not None:
                self._backend.release()
            self._backend = None

"""Camera driver: V4L2 through OpenCV (or `sim://camera`), frames as RGB numpy arrays."""

from __future__ import annotations

from drivers.camera.camera import Camera, CameraInfo
from drivers.camera.errors import CameraBusy, CameraError, CameraLost, CameraMissing

__all__ = ["Camera", "CameraInfo", "CameraError", "CameraMissing", "CameraBusy", "CameraLost"]

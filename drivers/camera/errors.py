"""Errors of the camera driver."""

from __future__ import annotations

from drivers.errors import DriverError


class CameraError(DriverError):
    """Root of every camera error; `reason` is a short code for device states and doctor."""

    reason = "fault"


class CameraMissing(CameraError):
    """No camera at the configured URL (not plugged in, wrong /dev/videoN, no VID:PID match)."""

    reason = "missing"


class CameraBusy(CameraError):
    """The camera exists but another process holds it (or it refuses to stream)."""

    reason = "busy"


class CameraLost(CameraError):
    """The camera stopped delivering frames mid-capture (unplugged, USB reset)."""

    reason = "lost"

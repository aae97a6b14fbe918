"""Errors of the on-screen input method."""

from __future__ import annotations

from kiosk.errors import KioskError


class ImeError(KioskError):
    """The input method's dictionary could not be built or loaded."""

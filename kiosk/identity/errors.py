"""Errors of the identity package."""

from __future__ import annotations

from kiosk.errors import KioskError


class IdentityError(KioskError):
    """Root of every face-step error."""


class ModelUnavailable(IdentityError):
    """The face models (dlib, face_recognition_models) are not installed."""


class ImageUnreadable(IdentityError):
    """A file given to `kiosk face check` is not an image."""

"""Errors of the guidance package."""

from __future__ import annotations

from kiosk.errors import KioskError


class GuideError(KioskError):
    """Base class of the guidance errors."""


class UnknownEntry(GuideError, KeyError):
    """A node, bundle, guide or policy the catalogue does not have."""

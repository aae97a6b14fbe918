"""Errors of the bundle flow."""

from __future__ import annotations

from kiosk.errors import KioskError


class BundleError(KioskError):
    """Base class of the bundle errors."""


class BundleUnavailable(BundleError):
    """A bundle cannot be started now: `reason` names why (an item's unavailable reason)."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(f"bundle {code} unavailable: {reason}")
        self.code = code
        self.reason = reason

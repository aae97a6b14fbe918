"""Errors of the technician side."""

from __future__ import annotations

from kiosk.errors import KioskError


class AdminError(KioskError):
    """Root of technician-side errors."""


class LockedOut(AdminError):
    """Too many wrong PINs: no attempt is accepted for `remaining_s` seconds."""

    def __init__(self, remaining_s: float) -> None:
        self.remaining_s = remaining_s
        super().__init__(f"locked out for {remaining_s:.0f} s after too many wrong PINs")


class BadPinHash(AdminError):
    """The configured admin_pin_hash is not a hash this software wrote."""

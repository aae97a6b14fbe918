"""Errors of the QR/barcode scanner driver."""

from __future__ import annotations

from drivers.errors import DriverError


class ScannerError(DriverError):
    """Root of every error the scanner driver raises on purpose."""


class ScannerConnectionError(ScannerError):
    """The scanner port cannot be opened."""


class ScannerConfigError(ScannerError):
    """A scanner setting is invalid (e.g. an unknown terminator)."""

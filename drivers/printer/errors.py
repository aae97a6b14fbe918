"""Errors of the receipt printer driver."""

from __future__ import annotations

from drivers.errors import DriverError


class PrinterError(DriverError):
    """Root of every error the printer driver raises on purpose."""


class PrinterConnectionError(PrinterError):
    """The printer URL could not be opened, or the connection broke (refused, reset, unplugged)."""


class PrinterUrlError(PrinterError):
    """The printer device URL is malformed or names an unknown scheme."""


class ReceiptError(PrinterError):
    """A receipt cannot be rendered (e.g. a QR payload too long for the paper)."""

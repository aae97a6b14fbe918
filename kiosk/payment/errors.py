"""Errors of the payment package (one root)."""

from __future__ import annotations

from kiosk.errors import KioskError


class PaymentError(KioskError):
    """Root of payment errors."""


class AmountError(PaymentError, ValueError):
    """Text that is not an amount of money in yuan (¥400.00)."""


class AlreadyPaid(PaymentError):
    """Cancel refused: the order was paid meanwhile (central's 409 already_paid)."""


class PaymentUnavailable(PaymentError):
    """Central could not be asked about the order (network, server error)."""


class OrderRefused(PaymentError):
    """Central refused to create or act on the order (4xx other than already_paid)."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code

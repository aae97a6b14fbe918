"""Errors of the staff console."""

from __future__ import annotations


class ConsoleError(Exception):
    """Root of the console's errors."""


class AccountError(ConsoleError):
    """A staff account cannot be created or changed (bad name, role or password)."""


class Forbidden(ConsoleError):
    """The signed-in staff member's role does not allow the action."""


class CsrfRejected(ConsoleError):
    """A form arrived without the session's CSRF token."""

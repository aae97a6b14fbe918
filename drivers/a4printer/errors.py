"""Errors of the A4 printer driver (one root: A4PrinterError)."""

from __future__ import annotations


class A4PrinterError(Exception):
    """Root of every A4 printer error; `reason` is a stable code (media_empty, offline, …)."""

    reason = "error"

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason


class BadPrinterUrl(A4PrinterError, ValueError):
    """The configured URL is not ipp://host/printers/NAME, cups://QUEUE or sim://a4printer."""

    reason = "bad_url"


class PrinterUnreachable(A4PrinterError):
    """cupsd (or the IPP printer) did not answer."""

    reason = "unreachable"


class JobNotCompleted(A4PrinterError):
    """A job ended, or was given up, without reaching job-state = completed."""

    reason = "not_completed"

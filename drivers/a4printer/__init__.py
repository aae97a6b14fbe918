"""A4 document printer: CUPS over IPP (pycups), plus `sim://a4printer` for the demo.

No kiosk or Kivy import. `open_a4printer(url)` picks the implementation by URL:
`ipp://host[:port]/printers/NAME`, `cups://QUEUE` (the local cupsd, or `?server=` a socket or
host:port), `sim://a4printer?fault=…&dir=…`.
"""

from __future__ import annotations

from drivers.a4printer.errors import (
    A4PrinterError,
    BadPrinterUrl,
    JobNotCompleted,
    PrinterUnreachable,
)
from drivers.a4printer.status import A4Status, JobResult, JobState, PrinterState
from drivers.a4printer.url import A4Url, parse_url

__all__ = [
    "A4PrinterError",
    "BadPrinterUrl",
    "JobNotCompleted",
    "PrinterUnreachable",
    "A4Status",
    "JobResult",
    "JobState",
    "PrinterState",
    "A4Url",
    "parse_url",
    "open_a4printer",
]


def open_a4printer(url: str, *, job_timeout_s: float = 60.0, data_dir: str | None = None):  # type: ignore[no-untyped-def]
    """The A4 printer behind `url` (connects lazily): CupsPrinter or SimA4Printer."""
    parsed = parse_url(url)
    if parsed.scheme == "sim":
        from drivers.sim.a4printer import SimA4Printer

        return SimA4Printer(parsed, job_timeout_s=job_timeout_s, data_dir=data_dir)
    from drivers.a4printer.cups_printer import CupsPrinter

    return CupsPrinter(parsed, job_timeout_s=job_timeout_s)

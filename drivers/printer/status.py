"""Real-time printer status: `DLE EOT n` replies → one `PrinterStatus`, and flap tolerance."""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping

log = logging.getLogger(__name__)

DLE_EOT = b"\x10\x04"
#: The real-time status requests we send, in order: printer (1), offline cause (2), paper (4).
QUERIES = (1, 2, 4)

# Bits (REFERENCE.md "ESC/POS"): every reply has bits 1 and 4 set, bits 0 and 7 clear.
_FIXED_MASK = 0x93
_FIXED_VALUE = 0x12
OFFLINE_BIT = 0x08  # n=1
COVER_OPEN_BIT = 0x04  # n=2
PAPER_STOP_BIT = 0x20  # n=2: printing stopped by paper end
ERROR_BIT = 0x40  # n=2
NEAR_END_BITS = 0x0C  # n=4: bits 2 and 3
PAPER_OUT_BITS = 0x60  # n=4: bits 5 and 6

#: After this many consecutive polls without a valid reply the printer counts as gone.
MISSES_UNTIL_GONE = 3


class PrinterStatus(enum.Enum):
    """What the printer can do right now."""

    ok = "ok"
    near_end = "near_end"
    paper_out = "paper_out"
    cover_open = "cover_open"
    offline = "offline"
    error = "error"
    unknown = "unknown"

    @property
    def can_print(self) -> bool:
        """True for ok and near_end (paper still there)."""
        return self in (PrinterStatus.ok, PrinterStatus.near_end)


def query(n: int) -> bytes:
    """The `DLE EOT n` request bytes."""
    if n not in (1, 2, 3, 4):
        raise ValueError(f"DLE EOT n must be 1..4, got {n}")
    return DLE_EOT + bytes((n,))


def valid_reply(reply: bytes | None) -> bool:
    """True if `reply` is exactly one status byte with the fixed bits right."""
    return reply is not None and len(reply) == 1 and reply[0] & _FIXED_MASK == _FIXED_VALUE


def decode(replies: Mapping[int, bytes | None]) -> PrinterStatus:
    """Combine the replies to DLE EOT 1, 2 and 4 into one status.

    A missing, empty or malformed reply to any of them gives `unknown` (never "paper OK").
    The specific causes win over the generic offline bit (a printer with its cover open or
    out of paper also reports offline).
    """
    got = {n: replies.get(n) for n in QUERIES}
    if not all(valid_reply(r) for r in got.values()):
        return PrinterStatus.unknown
    printer, cause, paper = (got[n][0] for n in QUERIES)  # type: ignore[index]
    if cause & COVER_OPEN_BIT:
        return PrinterStatus.cover_open
    if paper & PAPER_OUT_BITS or cause & PAPER_STOP_BIT:
        return PrinterStatus.paper_out
    if cause & ERROR_BIT:
        return PrinterStatus.error
    if printer & OFFLINE_BIT:
        return PrinterStatus.offline
    if paper & NEAR_END_BITS:
        return PrinterStatus.near_end
    return PrinterStatus.ok


class StatusTracker:
    """Smooths status polls: one or two missed polls keep the last known status; three mark it gone."""

    def __init__(self, misses_until_gone: int = MISSES_UNTIL_GONE) -> None:
        self.misses_until_gone = misses_until_gone
        self.misses = 0
        self.last_known: PrinterStatus | None = None

    @property
    def gone(self) -> bool:
        """True after `misses_until_gone` consecutive polls without an answer."""
        return self.misses >= self.misses_until_gone

    @property
    def status(self) -> PrinterStatus:
        """The status to show: unknown once gone, else the last answered status."""
        if self.gone or self.last_known is None:
            return PrinterStatus.unknown
        return self.last_known

    def update(self, polled: PrinterStatus) -> PrinterStatus:
        """Feed one poll result; return the status to show."""
        if polled is PrinterStatus.unknown:
            self.misses += 1
            if self.misses == self.misses_until_gone:
                log.warning("printer gone: %d status polls in a row unanswered", self.misses)
        else:
            if self.gone:
                log.info("printer answers again: %s", polled.value)
            self.misses = 0
            self.last_known = polled
        return self.status

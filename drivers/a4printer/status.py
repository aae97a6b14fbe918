"""Printer and job states as CUPS/IPP report them (RFC 8011), turned into stable reason codes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum, IntEnum


class PrinterState(IntEnum):
    """IPP printer-state."""

    IDLE = 3
    PROCESSING = 4
    STOPPED = 5


class JobState(IntEnum):
    """IPP job-state."""

    PENDING = 3
    HELD = 4
    PROCESSING = 5
    STOPPED = 6
    CANCELED = 7
    ABORTED = 8
    COMPLETED = 9

    @property
    def final(self) -> bool:
        """No further change will come (canceled, aborted, completed)."""
        return self >= JobState.CANCELED


class Severity(str, Enum):
    """How bad a reason is: a report only, or nothing can print."""

    REPORT = "report"
    FATAL = "fatal"


# printer-state-reasons keyword (without -error/-warning/-report) → (our code, fatal?)
REASONS: dict[str, tuple[str, bool]] = {
    "media-empty": ("media_empty", True),
    "media-needed": ("media_empty", True),
    "media-jam": ("media_jam", True),
    "door-open": ("door_open", True),
    "cover-open": ("door_open", True),
    "offline": ("offline", True),
    "shutdown": ("offline", True),
    "connecting-to-device": ("offline", False),
    "toner-empty": ("toner_empty", True),
    "marker-supply-empty": ("toner_empty", True),
    "toner-low": ("toner_low", False),
    "marker-supply-low": ("toner_low", False),
    "media-low": ("media_low", False),
    "paused": ("stopped", True),
}
#: Codes in the order a technician should look at them (the first present is the status).
ORDER = (
    "unreachable",
    "offline",
    "door_open",
    "media_jam",
    "media_empty",
    "toner_empty",
    "stopped",
    "not_accepting",
    "toner_low",
    "media_low",
)


def _keyword(reason: str) -> tuple[str, str]:
    for suffix in ("-error", "-warning", "-report"):
        if reason.endswith(suffix):
            return reason[: -len(suffix)], suffix[1:]
    return reason, "error"


@dataclass(frozen=True)
class A4Status:
    """What the printer says about itself."""

    state: PrinterState | None
    """None: unknown (cupsd did not answer) — never taken as "ready"."""
    reasons: tuple[str, ...] = ()
    """Raw printer-state-reasons keywords."""
    accepting: bool = True
    message: str = ""
    codes: tuple[str, ...] = field(default=())
    """Our reason codes, most important first (empty: ready)."""

    @classmethod
    def from_attributes(
        cls, state: int | None, reasons: Iterable[str], accepting: bool = True, message: str = ""
    ) -> A4Status:
        """Build from IPP printer-state, printer-state-reasons, printer-is-accepting-jobs."""
        raw = tuple(r for r in reasons if r and r != "none")
        found: set[str] = set()
        fatal: set[str] = set()
        for r in raw:
            word, level = _keyword(r)
            code, is_fatal = REASONS.get(word, ("", False))
            if code:
                found.add(code)
                if (
                    is_fatal
                    and level == "error"
                    or code in ("offline", "stopped")
                    and level != "report"
                ):
                    fatal.add(code)
        try:
            st = PrinterState(state) if state is not None else None
        except ValueError:
            st = None
        if st is None:
            fatal.add("unreachable")
        elif st == PrinterState.STOPPED:
            fatal.add("stopped")
        if not accepting:
            fatal.add("not_accepting")
        # a stopped queue that says why: the why is the status (media_empty, not just "stopped")
        if "stopped" in fatal and fatal - {"stopped", "not_accepting"}:
            fatal.discard("stopped")
        ordered = tuple(c for c in ORDER if c in fatal) + tuple(
            c for c in ORDER if c in found - fatal
        )
        return cls(st, raw, accepting, message, ordered)

    @property
    def can_print(self) -> bool:
        """Whether a job may be sent now: cupsd answers, the queue is not stopped and accepts jobs.

        A fault reason on a queue that is not stopped may be stale (CUPS keeps a backend's
        media-empty-error until the backend runs again, even after `cupsenable`), so it does not
        stop a print that can still go out; while a job is waiting, live reasons do (CupsPrinter)."""
        return (
            self.state is not None
            and self.state != PrinterState.STOPPED
            and self.accepting
            and "unreachable" not in self.codes
        )

    @property
    def fatal(self) -> tuple[str, ...]:
        """The reasons that stop printing."""
        return tuple(c for c in self.codes if c not in ("toner_low", "media_low"))

    @property
    def value(self) -> str:
        """One code: "ok", a warning ("toner_low") or the first fatal reason."""
        return self.codes[0] if self.codes else "ok"


@dataclass(frozen=True)
class JobResult:
    """How a job ended. `printed` only when CUPS said job-state = completed."""

    job_id: int
    state: JobState | None
    reason: str = ""
    """"" when printed, else a code (media_empty, held, canceled, timeout, stopped, …)."""
    pages: int = 0

    @property
    def printed(self) -> bool:
        """True only for job-state = completed."""
        return self.state == JobState.COMPLETED and not self.reason

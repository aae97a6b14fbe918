"""Maintenance mode (no widgets): PIN entry, 2-minute idle exit, audited actions."""

from __future__ import annotations

import enum
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from kiosk.admin.audit import AuditLog
from kiosk.admin.errors import AdminError, BadPinHash, LockedOut
from kiosk.admin.pin import FREE_ATTEMPTS, PinGuard

if TYPE_CHECKING:
    from kiosk.config import TerminalConfig

log = logging.getLogger(__name__)

IDLE_EXIT_S = 120.0
T = TypeVar("T")


class NotInMaintenance(AdminError):
    """A maintenance action was asked for while maintenance mode is not entered."""


class Entry(enum.Enum):
    """Outcome of a PIN entry."""

    OPENED = "opened"
    WRONG = "wrong"
    LOCKED = "locked"
    NOT_SET = "not_set"
    """No usable admin_pin_hash in the config: maintenance cannot be entered on the terminal."""


@dataclass(frozen=True)
class EntryResult:
    """What the PIN pad shows after an attempt."""

    outcome: Entry
    attempts_left: int = 0
    locked_for_s: float = 0.0


class MaintenanceMode:
    """The technician's session: entered with the PIN, left by hand or after 2 minutes idle."""

    def __init__(
        self,
        guard: PinGuard,
        audit: AuditLog,
        clock: Callable[[], float] = time.time,
        idle_exit_s: float = IDLE_EXIT_S,
    ) -> None:
        self.guard = guard
        self.audit = audit
        self.clock = clock
        self.idle_exit_s = idle_exit_s
        self.active = False
        self._last_touch = 0.0

    @classmethod
    def from_config(
        cls, cfg: TerminalConfig, clock: Callable[[], float] = time.time
    ) -> MaintenanceMode:
        """The terminal's maintenance mode: PIN from the config, state and audit under data_dir/admin."""
        admin = cfg.data_path / "admin"
        return cls(
            PinGuard(cfg.admin_pin_hash, admin / "pin_state.json", clock),
            AuditLog(admin / "audit.jsonl", clock),
            clock,
        )

    def enter(self, pin: str) -> EntryResult:
        """Try a PIN; every attempt is audited (never the PIN itself)."""
        if not self.guard.stored_hash:
            self.audit.record("pin_not_set")
            return EntryResult(Entry.NOT_SET)
        try:
            ok = self.guard.check(pin)
        except LockedOut as exc:
            self.audit.record("pin_locked", remaining_s=round(exc.remaining_s))
            return EntryResult(Entry.LOCKED, locked_for_s=exc.remaining_s)
        except BadPinHash as exc:
            log.error("maintenance PIN cannot be checked: %s (kiosk config set-pin)", exc)
            self.audit.record("pin_not_set", error=str(exc))
            return EntryResult(Entry.NOT_SET)
        if not ok:
            locked = self.guard.remaining_lockout()
            self.audit.record("pin_wrong", failures=self.guard.failures)
            if locked:
                return EntryResult(Entry.LOCKED, locked_for_s=locked)
            return EntryResult(
                Entry.WRONG, attempts_left=max(0, FREE_ATTEMPTS - self.guard.failures)
            )
        self.active = True
        self._last_touch = self.clock()
        self.audit.record("enter")
        log.info("maintenance mode entered")
        return EntryResult(Entry.OPENED)

    def touch(self) -> None:
        """The technician did something: restart the idle timer."""
        self._last_touch = self.clock()

    def idle_remaining(self) -> float:
        """Seconds until maintenance mode exits by itself."""
        return max(0.0, self._last_touch + self.idle_exit_s - self.clock()) if self.active else 0.0

    def tick(self) -> bool:
        """Call periodically; exits after the idle limit. True while still active."""
        if self.active and self.idle_remaining() <= 0:
            self.exit("idle")
        return self.active

    def exit(self, reason: str = "technician") -> None:
        """Leave maintenance mode (audited)."""
        if self.active:
            self.active = False
            self.audit.record("exit", reason=reason)
            log.info("maintenance mode left (%s)", reason)

    def action(self, name: str, fn: Callable[[], T], **details: Any) -> T:
        """Run one maintenance action: only while active, audited with its outcome."""
        if not self.active:
            raise NotInMaintenance(f"{name}: maintenance mode is not entered")
        self.touch()
        try:
            result = fn()
        except Exception as exc:
            self.audit.record(
                name, outcome="failed", error=f"{type(exc).__name__}: {exc}", **details
            )
            raise
        self.audit.record(name, outcome="ok", result=_summary(result), **details)
        return result


def _summary(result: Any) -> str:
    text = str(result)
    return text if len(text) <= 200 else text[:197] + "..."


def log_tail(log_file: Path, n: int = 200) -> list[str]:
    """The last n lines of the (already scrubbed) kiosk log."""
    try:
        with log_file.open(encoding="utf-8", errors="replace") as fh:
            return [line.rstrip("\n") for line in deque(fh, maxlen=n)]
    except FileNotFoundError:
        return []

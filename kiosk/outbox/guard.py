"""Whether the terminal may accept new requests and ratings now (the queue's "intake").

Two things stop intake: a damaged queue (until `kiosk outbox repair`) and a data disk below the
reserve (until space returns: re-checked at most every CHECK_S seconds, so intake resumes by
itself). The session engine greys `apply` items and skips the rating step while intake is
stopped; the heartbeat reports it as the `outbox` device; doctor shows the same cause.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.outbox import integrity
from kiosk.outbox.errors import OutboxDamaged

log = logging.getLogger(__name__)

CHECK_S = 5.0
#: After a write failed for lack of space, this much must come free before intake reopens.
RETURN_BYTES = 256 * 1024


class DamagedOutbox:
    """Stands in for a queue that could not be opened: nothing to deliver, nothing accepted.

    The sync worker keeps sending heartbeats (which report the damage) and queries still work.
    """

    def __init__(self, damage: OutboxDamaged) -> None:
        self.damage = damage
        self.path = Path(damage.path)
        self.full = ""

    def enqueue(self, *_a: Any, **_k: Any) -> Any:
        """Always refused."""
        raise self.damage

    def check(self) -> OutboxDamaged:
        """Still damaged."""
        return self.damage

    def stats(self) -> Any:
        """Unreadable: the maintenance screen shows the damage and its fix."""
        raise self.damage

    def retry_dead(self, _row_id: int | None = None) -> int:
        """Refused until repaired."""
        raise self.damage

    def rows(self, *_a: Any, **_k: Any) -> Any:
        """Unreadable."""
        raise self.damage

    def refuse_if_blocked(self) -> None:
        """Always refused."""
        raise self.damage

    def add_listener(self, _cb: Callable[[], None]) -> None:
        """Nothing is ever queued here."""

    def head(self, _kind: Any) -> None:
        """No rows."""
        return None

    def get(self, _row_id: int) -> None:
        """No rows."""
        return None

    def lookup_case(self, _number: str) -> None:
        """No rows."""
        return None

    def next_due_at(self) -> None:
        """Nothing due."""
        return None

    def depth(self) -> int:
        """No rows (the damaged file's rows are counted by `kiosk outbox repair`)."""
        return 0

    def purge(self, _now: float | None = None) -> int:
        """Nothing to purge."""
        return 0

    def wake_all(self) -> int:
        """Nothing to wake."""
        return 0

    def close(self) -> None:
        """Nothing open."""


class IntakeGuard:
    """Answers "may we accept new work?" from the queue's damage and the free space."""

    def __init__(
        self, outbox: Any, reserve_bytes: int, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.outbox = outbox
        self.reserve_bytes = reserve_bytes
        self.clock = clock
        self._lock = threading.Lock()
        self._checked_at = float("-inf")
        self._free: int | None = None
        self._last = ""
        self._free_at_failure: int | None = None

    def free_bytes(self) -> int | None:
        """Free space where the queue lives (cached for CHECK_S seconds)."""
        now = self.clock()
        with self._lock:
            if now - self._checked_at >= CHECK_S:
                self._free = integrity.free_bytes(self.outbox.path.parent)
                self._checked_at = now
            return self._free

    def problem(self) -> str:
        """ "" when intake is open, else "outbox_damaged" or "disk_full"."""
        if self.outbox is None:
            return "outbox_damaged"
        if getattr(self.outbox, "damage", None) is not None:
            reason = "outbox_damaged"
        else:
            free = self.free_bytes()
            low = free is not None and free < self.reserve_bytes
            if getattr(self.outbox, "full", ""):
                # a write failed for lack of space: paused until RETURN_BYTES more are free
                if self._free_at_failure is None:
                    self._free_at_failure = free or 0
                    self.note_write_failure()
                elif free is not None and free >= self._free_at_failure + RETURN_BYTES:
                    self.outbox.full, self._free_at_failure = "", None
            reason = "disk_full" if low or getattr(self.outbox, "full", None) else ""
        if reason != self._last:
            (log.error if reason else log.info)(
                "intake %s", f"paused: {reason}" if reason else "open again"
            )
            self._last = reason
        return reason

    def note_write_failure(self) -> None:
        """A write just failed: look at the disk again at the next question."""
        with self._lock:
            self._checked_at = float("-inf")

    def heartbeat_entry(self) -> dict[str, dict[str, str]]:
        """The `outbox` device of the heartbeat: fault with the reason, or ok."""
        reason = self.problem()
        if not reason:
            return {"outbox": {"status": "ok", "detail": ""}}
        detail = reason
        damage = getattr(self.outbox, "damage", None)
        if isinstance(damage, OutboxDamaged):
            detail = f"outbox_damaged:{damage.kind}"
        return {"outbox": {"status": "fault", "detail": detail}}

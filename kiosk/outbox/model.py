"""What the queue holds and hands back: kinds, states, rows, references, statistics."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Kind(enum.StrEnum):
    """What a row carries; heartbeats are never queued."""

    SUBMISSION = "submission"
    RATING = "rating"


class State(enum.StrEnum):
    """Life of a row."""

    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"


@dataclass(frozen=True)
class Enqueued:
    """What enqueue hands back once the row is on disk."""

    id: int
    kind: Kind
    idempotency_key: str
    created: float
    provisional_no: str | None


@dataclass(frozen=True)
class Row:
    """One queued row; `sealed` is the encrypted payload (open it with Outbox.payload)."""

    id: int
    kind: Kind
    idempotency_key: str
    sealed: bytes = field(repr=False)
    created: float
    attempts: int
    next_attempt_at: float
    last_error: str | None
    state: State
    provisional_no: str | None
    case_no: str | None
    delivered_at: float | None


@dataclass(frozen=True)
class CaseRef:
    """A submission found by its provisional or its central case number."""

    provisional_no: str | None
    case_no: str | None
    state: State
    created: float
    row_id: int

    @property
    def number(self) -> str:
        """The number to show: central's once delivered, else the provisional one."""
        return self.case_no or self.provisional_no or ""


@dataclass(frozen=True)
class Stats:
    """Counts by (state, kind), the oldest pending row and the most recent error."""

    counts: dict[tuple[State, Kind], int]
    oldest_pending_created: float | None
    last_error: str | None
    last_error_at: float | None
    now: float

    def count(self, state: State | None = None, kind: Kind | None = None) -> int:
        """Rows in this state and/or of this kind."""
        return sum(
            n
            for (s, k), n in self.counts.items()
            if (state is None or s == state) and (kind is None or k == kind)
        )

    @property
    def oldest_pending_age_s(self) -> float | None:
        """Age of the oldest pending row, seconds."""
        if self.oldest_pending_created is None:
            return None
        return max(0.0, self.now - self.oldest_pending_created)


def provisional_case_number(terminal_id: str, day: str, seq: int) -> str:
    """Terminal case number: TERMINAL-YYYYMMDD-NNNN (e.g. DEMO-0001-20261125-0007)."""
    return f"{terminal_id}-{day}-{seq:04d}"

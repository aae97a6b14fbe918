"""Retry policy as an immutable value (in the style of urllib3's Retry): pure backoff maths."""

from __future__ import annotations

import dataclasses
import enum
import random
from dataclasses import dataclass
from typing import Any, Protocol

from kiosk.central_errors import Rejected

# 4xx statuses that mean "not now" rather than "never": request timeout, idempotency conflict
# (the first request with this key is still being processed), too many requests.
RETRYABLE_4XX = frozenset({408, 409, 425, 429})
# …except these error codes, which no retry of the same bytes can change: a reused key with
# another body (a bug on our side) and a second rating of a case (一次一评).
PERMANENT_CODES = frozenset({"idempotency_conflict", "already_rated"})


class Verdict(enum.Enum):
    """What to do with a queued row after a failed delivery."""

    RETRY = "retry"
    DEAD = "dead"


class _Random(Protocol):
    def random(self) -> float: ...


@dataclass(frozen=True)
class RetryPolicy:
    """Capped exponential backoff with jitter; never gives up on a retryable error by itself."""

    base_s: float = 1.0
    """Delay before the 2nd attempt, seconds (before jitter)."""
    factor: float = 2.0
    """Growth of the delay from one attempt to the next."""
    cap_s: float = 300.0
    """Largest delay between two attempts, seconds (jitter never exceeds it)."""
    jitter: float = 0.5
    """Fraction of the delay that is randomised: the delay lies in [(1 - jitter)·d, d]."""
    retryable_4xx: frozenset[int] = RETRYABLE_4XX
    """4xx statuses that are retried instead of making the row dead."""
    permanent_codes: frozenset[str] = PERMANENT_CODES
    """JSON error codes that make a row dead even under a retryable status."""

    def __post_init__(self) -> None:
        if not self.base_s > 0:
            raise ValueError("base_s must be > 0")
        if not self.factor >= 1:
            raise ValueError("factor must be >= 1")
        if not self.cap_s >= self.base_s:
            raise ValueError("cap_s must be >= base_s")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter must be in [0, 1)")

    def new(self, **changes: Any) -> RetryPolicy:
        """A copy with some fields changed (the value itself never changes)."""
        return dataclasses.replace(self, **changes)

    def raw_delay(self, attempt: int) -> float:
        """Delay after failed attempt number `attempt` (1-based) before jitter, capped."""
        if attempt < 1:
            raise ValueError("attempt is 1-based")
        # Compare exponents instead of computing factor**n: no overflow for huge attempt counts.
        if self.factor == 1:
            return self.base_s
        delay = self.base_s
        for _ in range(attempt - 1):
            delay *= self.factor
            if delay >= self.cap_s:
                return self.cap_s
        return min(delay, self.cap_s)

    def backoff(self, attempt: int, rng: _Random | None = None) -> float:
        """Jittered delay after failed attempt `attempt`: in [(1-jitter)·raw, raw], raw ≤ cap."""
        raw = self.raw_delay(attempt)
        u = (rng or random).random()
        return raw * (1.0 - self.jitter * u)

    def delay_for(
        self, attempt: int, error: BaseException | None = None, rng: _Random | None = None
    ) -> float:
        """Backoff for this attempt, lengthened to the server's Retry-After (never beyond the cap)."""
        delay = self.backoff(attempt, rng)
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None and retry_after > delay:
            delay = min(float(retry_after), self.cap_s)
        return delay

    def classify(self, error: BaseException) -> Verdict:
        """RETRY for transient failures (network, 5xx, 401, 408/409/425/429); DEAD for other 4xx
        and for the permanent 409 codes."""
        if isinstance(error, Rejected):
            if error.status in self.retryable_4xx and error.code not in self.permanent_codes:
                return Verdict.RETRY
            return Verdict.DEAD
        # Network, 5xx, 401 (clock or secret: a terminal-wide problem), bad answers, and anything
        # unexpected on our side are not properties of the row: keep it and try again later.
        return Verdict.RETRY


DEFAULT_POLICY = RetryPolicy()

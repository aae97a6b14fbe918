"""RetryPolicy: pure backoff maths (no sleeping) and error classification."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.central_errors import (
    AuthError,
    CentralTimeout,
    NetworkError,
    ProtocolError,
    Rejected,
    ServerError,
)
from kiosk.retry import DEFAULT_POLICY, RetryPolicy, Verdict


class FixedRng:
    def __init__(self, u: float) -> None:
        self.u = u

    def random(self) -> float:
        return self.u


def test_raw_delay_doubles_then_caps() -> None:
    p = RetryPolicy(base_s=1, factor=2, cap_s=60, jitter=0)
    assert [p.raw_delay(n) for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]


def test_jitter_bounds_exact() -> None:
    p = RetryPolicy(base_s=10, factor=2, cap_s=1000, jitter=0.5)
    assert p.backoff(1, FixedRng(0.0)) == 10.0
    assert p.backoff(1, FixedRng(0.5)) == 7.5
    assert p.backoff(3, FixedRng(0.999)) == pytest.approx(40 * (1 - 0.4995))


def test_huge_attempt_counts_do_not_overflow() -> None:
    assert DEFAULT_POLICY.raw_delay(10**6) == DEFAULT_POLICY.cap_s


@settings(max_examples=200, deadline=None)
@given(
    base=st.floats(0.01, 100),
    factor=st.floats(1, 10),
    cap_mult=st.floats(1, 1000),
    jitter=st.floats(0, 0.99),
    attempt=st.integers(1, 10_000),
    u=st.floats(0, 0.999999),
)
def test_backoff_properties(
    base: float, factor: float, cap_mult: float, jitter: float, attempt: int, u: float
) -> None:
    p = RetryPolicy(base_s=base, factor=factor, cap_s=base * cap_mult, jitter=jitter)
    raw = p.raw_delay(attempt)
    d = p.backoff(attempt, FixedRng(u))
    assert 0 < d <= raw <= p.cap_s
    assert d >= raw * (1 - jitter) - 1e-9
    # monotone before jitter
    assert p.raw_delay(attempt + 1) >= raw


def test_policy_is_immutable_and_new_copies() -> None:
    p = RetryPolicy()
    with pytest.raises(AttributeError):
        p.cap_s = 5  # type: ignore[misc]
    q = p.new(cap_s=10)
    assert q.cap_s == 10 and p.cap_s == 300 and q.base_s == p.base_s


@pytest.mark.parametrize(
    "kwargs",
    [dict(base_s=0), dict(factor=0.5), dict(cap_s=0.5), dict(jitter=1.0), dict(jitter=-0.1)],
)
def test_invalid_policies_refused(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)


def test_retry_after_lengthens_but_never_beyond_cap() -> None:
    p = RetryPolicy(base_s=1, cap_s=100, jitter=0)
    err = Rejected(429, "rate_limited", "slow down", retry_after=30)
    assert p.delay_for(1, err) == 30
    assert p.delay_for(1, Rejected(429, "x", "y", retry_after=10_000)) == 100
    assert p.delay_for(8, err) == 100  # backoff already longer than Retry-After
    assert p.delay_for(1, NetworkError("down")) == 1


@pytest.mark.parametrize(
    "error, verdict",
    [
        (NetworkError("refused"), Verdict.RETRY),
        (CentralTimeout("read timeout"), Verdict.RETRY),
        (ServerError(500, "internal", "boom"), Verdict.RETRY),
        (ServerError(503, "unavailable", "later"), Verdict.RETRY),
        (AuthError(401, "bad_signature", "no"), Verdict.RETRY),
        (ProtocolError("not json"), Verdict.RETRY),
        (Rejected(408, "timeout", ""), Verdict.RETRY),
        (Rejected(409, "in_progress", ""), Verdict.RETRY),
        (Rejected(429, "rate_limited", ""), Verdict.RETRY),
        (Rejected(409, "idempotency_conflict", ""), Verdict.DEAD),
        (Rejected(409, "already_rated", ""), Verdict.DEAD),
        (Rejected(400, "bad_request", ""), Verdict.DEAD),
        (Rejected(404, "unknown_item", ""), Verdict.DEAD),
        (Rejected(422, "validation", ""), Verdict.DEAD),
        (RuntimeError("bug"), Verdict.RETRY),
    ],
)
def test_classify(error: BaseException, verdict: Verdict) -> None:
    assert DEFAULT_POLICY.classify(error) is verdict


def test_default_rng_used_when_none() -> None:
    random.seed(1)
    d = DEFAULT_POLICY.backoff(3)
    assert 2.0 <= d <= 4.0

"""The durable forwarding queue (province_queue): claim with a lease, send, back off, repeat.

Safe with several central worker processes: a row is claimed by a conditional UPDATE (only one
worker's succeeds) and carries a lease; a worker killed mid-send leaves a lease that expires,
and the next worker sends the row again with the same requestId, which the province keeps once.
"""

from __future__ import annotations

import logging
import random
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, and_, or_, select, update

from central.haocha.tables import province_queue as q
from central.province.errors import MappingError, Rejected, Retryable

log = logging.getLogger(__name__)

Build = Callable[[Any], tuple[str, dict[str, Any]]]
"""row → (path, payload) of the message to send."""


@dataclass
class PassResult:
    """What one pass did."""

    sent: int = 0
    retried: int = 0
    dead: int = 0


class Forwarder:
    """Send due queue rows to the province with `post(path, payload) -> ack`."""

    def __init__(
        self,
        engine: Engine,
        build: Build,
        post: Callable[[str, dict[str, Any]], str],
        *,
        lease_s: float = 60.0,
        backoff_base_s: float = 2.0,
        backoff_cap_s: float = 600.0,
        owner: str | None = None,
    ) -> None:
        self.engine = engine
        self.build = build
        self.post = post
        self.lease_s = lease_s
        self.backoff_base_s = backoff_base_s
        self.backoff_cap_s = backoff_cap_s
        self.owner = owner or f"fw-{uuid.uuid4().hex[:12]}"

    def backoff(self, attempts: int) -> float:
        """Capped exponential wait after `attempts` failed tries, ±20 % jitter."""
        base = min(self.backoff_cap_s, self.backoff_base_s * 2 ** max(0, attempts - 1))
        return base * random.uniform(0.8, 1.2)

    def claim(self, now: float, limit: int = 20) -> list[Any]:
        """Rows due now (or whose lease expired), each claimed by this worker."""
        due = or_(
            and_(q.c.state == "pending", q.c.next_attempt_at <= now),
            and_(q.c.state == "sending", q.c.lease_until < now),
        )
        with self.engine.connect() as c:
            ids = [r.id for r in c.execute(select(q.c.id).where(due).order_by(q.c.id).limit(limit))]
        if not ids:
            return []
        until = now + self.lease_s
        with self.engine.begin() as c:  # the condition is re-checked row by row in the UPDATE
            c.execute(
                update(q)
                .where(q.c.id.in_(ids), due)
                .values(
                    state="sending",
                    lease_owner=self.owner,
                    lease_until=until,
                    attempts=q.c.attempts + 1,
                )
            )
            return list(
                c.execute(
                    select(q)
                    .where(
                        q.c.id.in_(ids),
                        q.c.state == "sending",
                        q.c.lease_owner == self.owner,
                        q.c.lease_until == until,
                    )
                    .order_by(q.c.id)
                )
            )

    def _finish(self, row: Any, **values: Any) -> None:
        with self.engine.begin() as c:
            c.execute(
                update(q)
                .where(q.c.id == row.id, q.c.state != "delivered")
                .values(lease_owner=None, lease_until=None, **values)
            )

    def send(self, row: Any, now: float) -> str:
        """One attempt of one claimed row: "sent", "retry" or "dead"."""
        try:
            path, payload = self.build(row)
            ack = self.post(path, payload)
        except Retryable as exc:
            wait = self.backoff(row.attempts)
            log.warning(
                "province: %s row %d not taken (%s); retry in %.1f s (attempt %d)",
                row.kind,
                row.id,
                exc,
                wait,
                row.attempts,
            )
            self._finish(
                row, state="pending", next_attempt_at=now + wait, last_error=str(exc)[:300]
            )
            return "retry"
        except (Rejected, MappingError) as exc:
            log.error("province: %s row %d refused, needs attention: %s", row.kind, row.id, exc)
            self._finish(row, state="dead", last_error=str(exc)[:300])
            return "dead"
        self._finish(row, state="delivered", delivered_at=now, province_ack=ack, last_error="")
        return "sent"

    def run_once(self, now: float) -> PassResult:
        """Claim and send what is due."""
        res = PassResult()
        for row in self.claim(now):
            outcome = self.send(row, now)
            if outcome == "sent":
                res.sent += 1
            elif outcome == "retry":
                res.retried += 1
            else:
                res.dead += 1
        return res


class Loop:
    """A daemon thread calling `work(now)` every `interval_s` until stopped."""

    def __init__(
        self,
        work: Callable[[float], object],
        interval_s: float,
        clock: Callable[[], float],
        name: str = "province-forwarder",
    ) -> None:
        self.work = work
        self.interval_s = interval_s
        self.clock = clock
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def wake(self) -> None:
        """Run a pass now."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the current pass."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.work(self.clock())
            except Exception:  # noqa: BLE001 - the loop must survive a bad pass; logged
                log.exception("province forwarding pass failed")
            self._wake.wait(self.interval_s)
            self._wake.clear()

"""The forwarding queue with several workers on one database: each due row is claimed by one
worker; a crashed worker's row is taken again only after its lease expired; a refused row is
dead and not retried."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import insert, select

from central.haocha.db import engine_for
from central.haocha.tables import province_queue as q
from central.province.errors import Rejected, Retryable
from central.province.forwarder import Forwarder


def _rows(engine, n: int) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        for i in range(n):
            c.execute(
                insert(q).values(
                    kind="rating",
                    ref=i,
                    dedupe_key=f"rating:{i}:1",
                    state="pending",
                    attempts=0,
                    next_attempt_at=0,
                    last_error="",
                    rated_day="20261130",
                    created_at=0,
                )
            )


def test_two_workers_never_claim_the_same_row(tmp_path: Path) -> None:
    engine = engine_for(tmp_path / "c.sqlite3")
    _rows(engine, 60)
    build = lambda row: ("/x", {"id": row.id})  # noqa: E731
    workers = [Forwarder(engine, build, lambda p, b: "ok", owner=f"w{i}") for i in range(3)]
    claimed: list[list[int]] = [[] for _ in workers]
    start = threading.Event()

    def run(i: int) -> None:
        start.wait()
        for _ in range(10):
            claimed[i] += [r.id for r in workers[i].claim(100.0, limit=7)]

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(workers))]
    for t in threads:
        t.start()
    start.set()
    for t in threads:
        t.join()
    every = [i for part in claimed for i in part]
    assert sorted(every) == list(range(1, 61))  # all claimed, none twice


def test_lease_expiry_backoff_and_dead(tmp_path: Path) -> None:
    engine = engine_for(tmp_path / "c.sqlite3")
    _rows(engine, 2)
    crashed = Forwarder(engine, lambda r: ("/x", {}), lambda p, b: "ok", lease_s=10, owner="a")
    assert len(crashed.claim(100.0)) == 2  # … and the worker dies before sending
    answers = iter([Retryable("HTTP 500"), Rejected("HTTP 400 E1001: userCert")])

    def post(path: str, body: dict) -> str:
        raise next(answers)

    other = Forwarder(engine, lambda r: ("/x", {}), post, lease_s=10, backoff_base_s=2, owner="b")
    assert other.claim(105.0) == []  # lease still held
    res = other.run_once(111.0)  # lease expired: taken over
    assert (res.sent, res.retried, res.dead) == (0, 1, 1)
    with engine.connect() as c:
        rows = {r.id: r for r in c.execute(select(q))}
    # the crashed claim counts as an attempt: second wait = 2 s × 2, ±20 %
    assert rows[1].state == "pending" and 111.0 + 3.2 <= rows[1].next_attempt_at <= 111.0 + 4.8
    assert rows[1].attempts == 2 and rows[2].state == "dead" and "userCert" in rows[2].last_error
    assert other.claim(112.0) == []  # not due yet, the dead row never again

"""Reliability of the outbox + sync worker against the real sandbox on 127.0.0.1 and real SQLite:
kill -9 of the producing process, a day without network, a faulty network, no plain-text ID
numbers in the queue file. Counts are printed (pytest -s) and asserted."""

from __future__ import annotations

import collections
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.central_client import CentralClient
from kiosk.outbox import Kind, Outbox, State
from kiosk.retry import RetryPolicy
from kiosk.sync import Connectivity, SyncWorker
from tests.kiosk._central import (
    SECRET,
    TERMINAL_ID,
    FaultProxy,
    Sandbox,
    id_number,
    rating,
    submission,
)

ROOT = Path(__file__).resolve().parents[2]


def assert_no_plaintext(queue: Path, ids: list[str]) -> int:
    """Scan the queue file, its WAL and SHM for ID numbers and the name; return bytes scanned."""
    scanned = 0
    needles = [s.encode() for s in ids] + ["张三丰".encode(), b"13812345678"]
    for suffix in ("", "-wal", "-shm", "-journal"):
        p = Path(str(queue) + suffix)
        if p.exists():
            data = p.read_bytes()
            scanned += len(data)
            for n in needles:
                assert n not in data, f"{p.name} holds {n!r} in plain text"
    return scanned


def check_exactly_once(box: Outbox, sandbox: Sandbox) -> dict[str, int]:
    """Every queued row delivered, central holds each exactly once, ratings bound correctly."""
    subs = box.rows(kind=Kind.SUBMISSION, limit=10**6)
    rates = box.rows(kind=Kind.RATING, limit=10**6)
    assert all(r.state is State.DELIVERED for r in subs + rates), collections.Counter(
        (r.kind, r.state, r.last_error) for r in subs + rates if r.state is not State.DELIVERED
    )
    refs = collections.Counter(ref for _, ref in sandbox.cases())
    dupes = sum(n - 1 for n in refs.values())
    assert dupes == 0
    assert set(refs) == {r.provisional_no for r in subs}
    case_of = {r.provisional_no: r.case_no for r in subs}
    for r in subs:
        assert box.lookup_case(r.case_no).provisional_no == r.provisional_no
    central_ratings = [c for c, _ in sandbox.ratings()]
    assert len(central_ratings) == len(set(central_ratings)) == len(rates)
    expected = {case_of[box.payload(r)["case_no"]] for r in rates}
    assert set(central_ratings) == expected
    return {
        "submissions": len(subs),
        "ratings": len(rates),
        "central_cases": sum(refs.values()),
        "duplicates": dupes,
    }


# -- (a) kill -9 at random points --------------------------------------------------------------


def test_kill9_during_enqueue_and_delivery(tmp_path: Path) -> None:
    items, target_kills = 1000, 25
    rng = random.Random(2026)
    sandbox = Sandbox(tmp_path / "central.sqlite3")
    ack = tmp_path / "ack.log"
    ack.touch()
    folder = tmp_path / "kiosk"
    folder.mkdir()
    kills = kills_mid_delivery = 0
    next_item = 0
    started = time.monotonic()
    while True:
        err_path = tmp_path / f"child-{kills}.err"
        with open(err_path, "wb") as err:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.kiosk._producer",
                    str(folder),
                    sandbox.url,
                    str(next_item),
                    str(items),
                    str(ack),
                ],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
        try:
            lines_before = ack.read_text().count("\n")
            if kills < target_kills and next_item < items:
                # Let this child acknowledge a random number of items, then kill it at a random
                # instant: mid-enqueue, mid-request, between central's answer and bookkeeping…
                want = lines_before + rng.randint(1, 2 * items // target_kills)
                deadline = time.monotonic() + 20
                while (
                    time.monotonic() < deadline
                    and proc.poll() is None
                    and ack.read_text().count("\n") < want
                ):
                    time.sleep(0.002)
                time.sleep(rng.uniform(0.0, 0.004))
                if proc.poll() is None:
                    os.kill(proc.pid, signal.SIGKILL)
                    kills += 1
                proc.wait()
                db = sqlite3.connect(folder / "outbox.sqlite3")
                try:
                    if db.execute("SELECT count(*) FROM outbox WHERE state='pending'").fetchone()[
                        0
                    ]:
                        kills_mid_delivery += 1
                finally:
                    db.close()
            else:
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
                    with Outbox(
                        folder / "outbox.sqlite3", folder / "outbox.key", terminal_id=TERMINAL_ID
                    ) as box:
                        stuck = [
                            (r.id, r.kind, r.attempts, r.last_error)
                            for r in box.rows(State.PENDING, limit=3)
                        ]
                    pytest.fail(
                        f"final run did not drain: {stuck}; stderr: {err_path.read_text()[-2000:]}"
                    )
                assert proc.returncode == 0, err_path.read_text()[-2000:]
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        lines = ack.read_text().splitlines()
        if lines and lines[-1] == "DONE":
            break
        acked_items = [int(ln.split()[1]) for ln in lines if ln.startswith("S ")]
        next_item = min(items, max(acked_items) + 1) if acked_items else 0
    elapsed = time.monotonic() - started
    lines = ack.read_text().splitlines()
    acked = {ln.split()[2] for ln in lines if ln.startswith("S ")}
    with Outbox(folder / "outbox.sqlite3", folder / "outbox.key", terminal_id=TERMINAL_ID) as box:
        counts = check_exactly_once(box, sandbox)
        committed = {r.provisional_no for r in box.rows(kind=Kind.SUBMISSION, limit=10**6)}
        scanned = assert_no_plaintext(box.path, [id_number(i) for i in range(items)])
    sandbox.stop()
    lost = len(acked - committed)
    unacked = len(committed - acked)
    print(
        f"\nkill -9: {kills} kills ({kills_mid_delivery} with deliveries pending), {len(acked)} acknowledged submissions, "
        f"{counts['central_cases']} at central, lost {lost}, duplicates {counts['duplicates']}, "
        f"committed-but-unacknowledged {unacked}, ratings {counts['ratings']}, "
        f"{scanned} queue bytes scanned, {elapsed:.1f} s"
    )
    assert kills >= 20
    assert len(acked) >= items
    assert lost == 0
    # A kill between COMMIT and the acknowledgement leaves a row the caller never saw: it is
    # on disk, so it is delivered (once). At most one such row per kill.
    assert unacked <= kills


# -- (b) network down for a simulated day ------------------------------------------------------


def test_day_offline_then_drains_in_order(tmp_path: Path) -> None:
    sandbox = Sandbox(tmp_path / "central.sqlite3")
    sandbox.stop()  # the network is down from the start
    t = [time.time()]
    clock = lambda: t[0]  # noqa: E731
    box = Outbox(tmp_path / "q", tmp_path / "k", terminal_id=TERMINAL_ID, clock=clock)
    policy = RetryPolicy(base_s=1, factor=2, cap_s=300, jitter=0.5)
    client = CentralClient(sandbox.url, TERMINAL_ID, SECRET, connect_timeout_s=0.5)
    w = SyncWorker(
        box, client, policy=policy, clock=clock, heartbeat_interval_s=60, rng=random.Random(1)
    )
    states: list[Connectivity] = []
    w.add_listener(states.append)
    start, step, day = t[0], 30.0, 86400.0
    enqueued = []
    gaps = []
    last_attempt = {}
    while t[0] - start < day:
        if int((t[0] - start) // step) % 20 == 0:  # one citizen every 10 minutes
            e = box.enqueue(Kind.SUBMISSION, submission(len(enqueued)))
            enqueued.append(e)
            box.enqueue(
                Kind.RATING,
                rating(e.provisional_no, "不满意" if len(enqueued) % 7 == 0 else "满意"),
            )
        w.run_once()
        head = box.head(Kind.SUBMISSION)
        if head.attempts and last_attempt.get("n") != head.attempts:
            gaps.append(head.next_attempt_at - t[0])
            last_attempt["n"] = head.attempts
        t[0] += step
    head = box.head(Kind.SUBMISSION)
    assert w.state is Connectivity.OFFLINE and states == [Connectivity.OFFLINE]
    assert box.depth() == 2 * len(enqueued) == 2 * 144
    assert max(gaps) <= policy.cap_s and max(gaps) > policy.cap_s * 0.5  # capped, and reached
    assert head.id == enqueued[0].id and head.attempts > 200  # kept trying all day
    assert box.rows(state=State.DEAD) == []
    sandbox.start()  # network back (same port)
    t[0] += 60  # next heartbeat
    w.run_once()
    assert states == [Connectivity.OFFLINE, Connectivity.ONLINE]
    assert box.depth() == 0
    assert [ref for _, ref in sandbox.cases()] == [e.provisional_no for e in enqueued]  # in order
    counts = check_exactly_once(box, sandbox)
    print(
        f"\noffline day: {len(enqueued)} submissions + {counts['ratings']} ratings queued, "
        f"head tried {head.attempts} times, longest gap {max(gaps):.0f} s (cap {policy.cap_s:.0f}),"
        f" all drained in order on reconnect"
    )
    box.close()
    sandbox.stop()


# -- (c) faulty network ------------------------------------------------------------------------


def test_faults_500_timeout_reset_still_exactly_once(tmp_path: Path) -> None:
    sandbox = Sandbox(tmp_path / "central.sqlite3")
    proxy = FaultProxy(
        sandbox.port,
        {
            "reset_before": 0.05,
            "error_500_before": 0.05,
            "error_500_after": 0.07,
            "reset_mid_response": 0.07,
            "timeout_after": 0.04,
        },
        seed=5,
        hold_s=0.6,
    )
    t = [time.time()]
    box = Outbox(tmp_path / "q", tmp_path / "k", terminal_id=TERMINAL_ID, clock=lambda: t[0])
    client = CentralClient(
        proxy.url, TERMINAL_ID, SECRET, connect_timeout_s=0.5, read_timeout_s=0.25
    )
    w = SyncWorker(
        box,
        client,
        policy=RetryPolicy(base_s=1, cap_s=30),
        clock=lambda: t[0],
        rng=random.Random(3),
        heartbeat_interval_s=3600,
    )
    n = 150
    for i in range(n):
        e = box.enqueue(Kind.SUBMISSION, submission(i))
        if i % 2 == 0:
            box.enqueue(Kind.RATING, rating(e.provisional_no))
    passes = 0
    while box.depth() and passes < 5000:
        w.run_once()
        due = box.next_due_at()
        if due is not None:
            t[0] = max(t[0], due)
        passes += 1
    counts = check_exactly_once(box, sandbox)
    retried = sum(r.attempts - 1 for r in box.rows(limit=10**6))
    faults = {k: v for k, v in proxy.counts.items() if k != "pass"}
    print(f"\nfaulty network: {counts}, proxy {proxy.counts}, {retried} re-sends")
    assert all(v > 0 for v in faults.values())
    assert retried >= sum(faults.values()) - proxy.counts.get("timeout_after", 0)  # faults hit rows
    proxy.close()
    box.close()
    sandbox.stop()


# -- (d) no plain-text ID numbers on disk ------------------------------------------------------


def test_queue_file_never_holds_id_numbers(tmp_path: Path) -> None:
    sandbox = Sandbox(tmp_path / "central.sqlite3")
    t = [time.time()]
    box = Outbox(
        tmp_path / "q",
        tmp_path / "k",
        terminal_id=TERMINAL_ID,
        clock=lambda: t[0],
        retention_days=1,
    )
    ids = [id_number(i) for i in range(200)]
    for i in range(200):
        box.enqueue(Kind.SUBMISSION, submission(i))
    assert Path(str(box.path) + "-wal").stat().st_size > 0  # rows still in the WAL
    scanned = assert_no_plaintext(box.path, ids)
    client = CentralClient(sandbox.url, TERMINAL_ID, SECRET)
    w = SyncWorker(box, client, clock=lambda: t[0])
    w.flush()
    bad = submission(999)
    bad["item_code"] = "NOPE"  # a dead row keeps its reason: the reason must not leak either
    box.enqueue(Kind.SUBMISSION, bad)
    w.flush()
    assert box.stats().count(State.DEAD) == 1
    scanned += assert_no_plaintext(box.path, ids + [id_number(999)])
    t[0] += 2 * 86400
    assert box.purge() == 200
    scanned += assert_no_plaintext(box.path, ids + [id_number(999)])
    print(f"\nno plain text: {scanned} bytes of queue, WAL and SHM scanned at three points")
    box.close()
    sandbox.stop()

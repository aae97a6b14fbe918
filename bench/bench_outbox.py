"""Outbox: enqueue latency (fsynced), and drain throughput (SyncWorker.deliver per row) to the local sandbox compared with a
bare `requests` loop posting the same payloads in the same run."""

from __future__ import annotations

import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import requests

from central.server import run_in_thread
from kiosk.central_api import HEADER_IDEMPOTENCY_KEY, signed_headers
from kiosk.central_client import CentralClient, encode_body
from kiosk.outbox import Kind, Outbox
from kiosk.sync import SyncWorker

TERMINAL_ID = "BENCH-0001"
SECRET = bytes(range(32))
ENQUEUES = 1000
DRAIN = 400
CHUNK = 20
_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _id(i: int) -> str:
    body = f"3301061980{i % 12 + 1:02d}{i % 28 + 1:02d}{i % 1000:03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, _W)) % 11]


def _payload(i: int) -> dict[str, Any]:
    return {
        "item_code": "SB-APPLY-001",
        "region_code": "610900",
        "applicant": {"method": "idcard", "id_number": _id(i), "name": "张三丰"},
        "fields": {"seq": i, "phone": "13812345678", "note": "养老待遇资格认证" * 4},
    }


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def _bare_loop(session: requests.Session, url: str, payloads: list[dict[str, Any]]) -> float:
    """Seconds for a plain requests.Session posting signed submissions one by one."""
    t0 = time.perf_counter()
    for p in payloads:
        body = encode_body(p)
        headers = signed_headers(TERMINAL_ID, SECRET, "POST", "/v1/submissions", body)
        headers[HEADER_IDEMPOTENCY_KEY] = str(uuid.uuid4())
        headers["Content-Type"] = "application/json"
        r = session.post(url + "/v1/submissions", data=body, headers=headers, timeout=10)
        assert r.status_code == 201, r.text
    return time.perf_counter() - t0


def _outbox_chunk(worker: SyncWorker, box: Outbox, n: int) -> float:
    """Seconds for the worker to deliver the next n queued rows (head, decrypt, send, mark)."""
    t0 = time.perf_counter()
    for _ in range(n):
        row = box.head(Kind.SUBMISSION)
        assert row is not None
        outcome = worker.deliver(row)
        assert outcome.value == "delivered", outcome
    return time.perf_counter() - t0


class _RawCommits:
    """Baseline: the bare cost of one fsynced SQLite commit (WAL, synchronous=FULL) on this disk."""

    def __init__(self, path: Path) -> None:
        import sqlite3

        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute("CREATE TABLE t (x BLOB)")

    def measure(self, n: int) -> list[float]:
        out = []
        for _ in range(n):
            t0 = time.perf_counter()
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.execute("INSERT INTO t VALUES (?)", (b"x" * 400,))
            self.conn.execute("COMMIT")
            out.append((time.perf_counter() - t0) * 1000)
        return out


def run() -> dict:
    """Enqueue p50/p99 (ms) and drain rows/s vs a bare requests loop (ratio)."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-outbox-"))
    box = Outbox(tmp / "enqueue.sqlite3", tmp / "key", terminal_id=TERMINAL_ID)
    baseline = _RawCommits(tmp / "raw.sqlite3")
    lat, raw = [], []
    for k in range(0, ENQUEUES, 100):  # interleaved with the baseline, 100 at a time
        for i in range(k, k + 100):
            p = _payload(i)
            t0 = time.perf_counter()
            box.enqueue(Kind.SUBMISSION if i % 2 else Kind.RATING, p)
            lat.append((time.perf_counter() - t0) * 1000)
        raw += baseline.measure(100)
    box.close()
    baseline.conn.close()

    handle = run_in_thread(tmp / "central.sqlite3")
    try:
        handle.app.state.service.store.add_terminal(TERMINAL_ID, SECRET, time.time())
        payloads = [_payload(i) for i in range(DRAIN)]
        drain_box = Outbox(tmp / "drain.sqlite3", tmp / "key", terminal_id=TERMINAL_ID)
        for p in payloads:
            drain_box.enqueue(Kind.SUBMISSION, p)
        client = CentralClient(handle.url, TERMINAL_ID, SECRET)
        worker = SyncWorker(drain_box, client, rng=random.Random(1))
        session = requests.Session()
        _bare_loop(session, handle.url, [_payload(10_000 + i) for i in range(20)])  # warm up
        bare_s = drain_s = 0.0
        # Interleave small chunks so that the load of the shared machine hits both alike.
        for k in range(0, DRAIN, CHUNK):
            bare_s += _bare_loop(session, handle.url, payloads[k : k + CHUNK])
            drain_s += _outbox_chunk(worker, drain_box, len(payloads[k : k + CHUNK]))
        assert drain_box.depth() == 0
        session.close()
        client.close()
        drain_box.close()
    finally:
        handle.stop()
    return {
        "enqueue_n": ENQUEUES,
        "enqueue_p50_ms": round(statistics.median(lat), 3),
        "enqueue_p99_ms": round(_pct(lat, 99), 3),
        "enqueue_goal_p50_ms": 2.0,
        "raw_fsynced_commit_p50_ms": round(statistics.median(raw), 3),
        "raw_fsynced_commit_p99_ms": round(_pct(raw, 99), 3),
        "enqueue_vs_raw_commit_p50": round(statistics.median(lat) / statistics.median(raw), 3),
        "drain_rows": DRAIN,
        "drain_rows_per_s": round(DRAIN / drain_s, 1),
        "bare_requests_rows_per_s": round(DRAIN / bare_s, 1),
        "drain_vs_bare_ratio": round(bare_s / drain_s, 3),
        "drain_goal_ratio": 0.8,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))

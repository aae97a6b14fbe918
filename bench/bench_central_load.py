"""Central for a province: 2,000 simulated terminals against 1 and 4 workers on PostgreSQL.

Server: `kiosk central serve --db postgresql://… --workers N` (separate processes) over a
throw-away PostgreSQL cluster; clients: threads in this process, a new TCP connection per
request (a terminal that calls every 60 s finds its keep-alive long closed). Per worker count:

- baseline: GET /healthz (no auth, no storage) closed-loop, same server, same run;
- province: open loop, time compressed ×COMPRESS: every terminal heartbeats once per compressed
  minute and submits at the peak rate, latency measured from the scheduled send time (a slow
  server shows as queueing, not as fewer requests);
- capacity: the same heartbeat/submission mix closed-loop at CONCURRENCY → terminals per worker.

Then row sizes measured in PostgreSQL (pg_total_relation_size / rows, indexes included) give the
database size per year. Bounded: ≤ PHASE_S per phase, ≤ ~60 s in all. Everything shares this
machine's cores (and other work on it), so the figures are a floor.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from central.storage import Storage, keys, migrate
from central.storage import schema as t
from central.storage.engine import make_engine, to_url
from kiosk import central_api as api
from tests._postgres import Cluster

TERMINALS = 2000
HEARTBEAT_S = 60.0  # production heartbeat interval
PEAK_SUBMIT_PER_TERMINAL_S = 1 / 120  # one finished session per terminal every 2 min, busiest hour
COMPRESS = 3.0  # 1 s of bench = 3 s of a hall day
PHASE_S = 8.0  # bound of each phase (and the province phase's length)
BASELINE_REQUESTS = 1000
CAPACITY_REQUESTS = 1000
CONCURRENCY = 32
CLIENT_THREADS = 96
RATING_ROWS = 20_000
SESSIONS_PER_TERMINAL_DAY = 40  # sizing assumption, stated in docs/central-api.md
ID_NUMBER = "11010519491231002X"

HB = json.dumps(
    {
        "devices": {
            "printer": {"status": "ok"},
            "idcard": {"status": "ok"},
            "scanner": {"status": "ok"},
        },
        "catalogue_version": 1,
        "outbox_depth": 0,
        "app_version": "0.1.0",
        "uptime_s": 3600,
    }
).encode()


def _sub_body(n: int) -> bytes:
    return json.dumps(
        {
            "item_code": "SB-APPLY-001",
            "region_code": "610900",
            "applicant": {"id_number": ID_NUMBER, "name": "测试"},
            "fields": {"phone": "13800138000", "reason": f"退休{n}"},
        },
        ensure_ascii=False,
    ).encode()


class Client:
    """Signed requests over a fresh connection each; latencies per kind."""

    def __init__(self, port: int, secrets: dict[str, bytes]) -> None:
        self.port = port
        self.secrets = secrets
        self.lat: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.lock = threading.Lock()

    def send(self, kind: str, tid: str, n: int, started: float | None = None) -> None:
        if kind == "healthz":
            method, path, body, hdrs = "GET", "/healthz", b"", {}
        elif kind == "heartbeat":
            method, path, body = "POST", "/v1/heartbeat", HB
            hdrs = api.signed_headers(tid, self.secrets[tid], method, path, body)
        else:
            method, path, body = "POST", "/v1/submissions", _sub_body(n)
            hdrs = {
                **api.signed_headers(tid, self.secrets[tid], method, path, body),
                api.HEADER_IDEMPOTENCY_KEY: str(uuid.uuid4()),
            }
        hdrs["Content-Type"] = "application/json"
        t0 = time.perf_counter() if started is None else started
        ok = False
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            conn.request(method, path, body=body, headers=hdrs)
            r = conn.getresponse()
            r.read()
            ok = r.status < 300
            conn.close()
        except OSError:
            pass
        dt = time.perf_counter() - t0
        with self.lock:
            self.lat.setdefault(kind, []).append(dt)
            self.errors[kind] = self.errors.get(kind, 0) + (not ok)

    def reset(self) -> None:
        self.lat, self.errors = {}, {}


def _stats(lat: list[float], errors: int, wall: float) -> dict[str, Any]:
    lat = sorted(lat)
    if not lat:
        return {"requests": 0, "errors": errors}
    return {
        "requests": len(lat),
        "errors": errors,
        "rps": round(len(lat) / wall, 1),
        "p50_ms": round(statistics.median(lat) * 1000, 1),
        "p99_ms": round(lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000, 1),
    }


def _closed(client: Client, kinds: list[str], count: int, tids: list[str]) -> dict[str, Any]:
    """`count` requests cycling through `kinds` from CONCURRENCY threads, ≤ PHASE_S."""
    client.reset()
    it = iter(range(count))
    lock = threading.Lock()
    deadline = time.perf_counter() + PHASE_S

    def worker() -> None:
        while time.perf_counter() < deadline:
            with lock:
                n = next(it, None)
            if n is None:
                return
            client.send(kinds[n % len(kinds)], tids[n % len(tids)], n)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t0
    total = sum(len(v) for v in client.lat.values())
    out: dict[str, Any] = {
        k: _stats(v, client.errors.get(k, 0), wall) for k, v in client.lat.items()
    }
    out["all_rps"] = round(total / wall, 1)
    return out


def _province(client: Client, tids: list[str]) -> dict[str, Any]:
    """Open loop: each terminal's heartbeat once per compressed minute, submissions at peak."""
    client.reset()
    rng = random.Random(18)
    minute = HEARTBEAT_S / COMPRESS
    plan: list[tuple[float, str, str]] = []
    for tid in tids:
        first = rng.uniform(0, minute)
        plan += [
            (x, "heartbeat", tid)
            for x in (first + k * minute for k in range(int(PHASE_S / minute) + 1))
            if x < PHASE_S
        ]
    rate = len(tids) * PEAK_SUBMIT_PER_TERMINAL_S * COMPRESS
    x = rng.expovariate(rate)
    while x < PHASE_S:
        plan.append((x, "submission", rng.choice(tids)))
        x += rng.expovariate(rate)
    plan.sort()
    it = iter(enumerate(plan))
    lock = threading.Lock()
    t0 = time.perf_counter()

    def worker() -> None:
        while True:
            with lock:
                item = next(it, None)
            if item is None:
                return
            n, (at, kind, tid) = item
            due = t0 + at
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            if time.perf_counter() - t0 > PHASE_S * 1.5:  # hopelessly behind: stop, count as errors
                with client.lock:
                    client.errors[kind] = client.errors.get(kind, 0) + 1
                continue
            client.send(kind, tid, n, started=due)

    threads = [threading.Thread(target=worker) for _ in range(CLIENT_THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t0
    out: dict[str, Any] = {
        k: _stats(v, client.errors.get(k, 0), wall) for k, v in client.lat.items()
    }
    out["offered_rps"] = round(len(plan) / PHASE_S, 1)
    out["achieved_rps"] = round(sum(len(v) for v in client.lat.values()) / wall, 1)
    out["wall_s"] = round(wall, 2)
    return out


def _serve(url: str, workers: int, key_file: Path, log: Path) -> tuple[subprocess.Popen, int]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    env = {**os.environ, keys.ENV_KEY_FILE: str(key_file)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kiosk.cli",
            "central",
            "serve",
            "--db",
            url,
            "--workers",
            str(workers),
            "--port",
            str(port),
        ],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                # every worker up: a few more probes land on the late ones
                time.sleep(1.0 if workers > 1 else 0)
                return proc, port
        except OSError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("central did not start: " + log.read_text(errors="replace")[-2000:])


def _stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGINT)  # the supervisor stops its workers
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def _row_sizes(url: str) -> dict[str, Any]:
    """Bytes per row of ratings, cases, case events and idempotency answers (20,000 rows each
    added to what the run stored, so page slack is small)."""
    engine = make_engine(to_url(url))
    now = time.time()
    rng = random.Random(7)
    comments = ["", "", "服务很好", "排队时间有点长，希望多开几台机器", "打印很快，谢谢"]
    with engine.begin() as db:
        db.execute(
            insert(t.cases),
            [
                {
                    "case_no": f"610900-20261201-R{i:06d}",
                    "kind": "apply",
                    "item_code": "SB-APPLY-001",
                    "region_code": "610900",
                    "terminal_id": f"BENCH-{i % TERMINALS:04d}",
                    "subject_hash": hashlib.blake2b(str(i).encode(), digest_size=16).hexdigest(),
                    "field_names": '["phone", "reason"]',
                    "local_ref": None,
                    "received_at": now,
                }
                for i in range(RATING_ROWS)
            ],
        )
        db.execute(
            insert(t.ratings),
            [
                {
                    "case_no": f"610900-20261201-R{i:06d}",
                    "item_code": "SB-APPLY-001",
                    "level": rng.choice(["非常满意", "满意", "满意", "基本满意", "不满意"]),
                    "tags": json.dumps(rng.choice([[], [], ["slow"]])),
                    "comment": rng.choice(comments),
                    "terminal_id": f"BENCH-{i % TERMINALS:04d}",
                    "region_code": "610900",
                    "channel": api.CHANNEL,
                    "rated_at": now,
                    "received_at": now,
                }
                for i in range(RATING_ROWS)
            ],
        )
        db.execute(
            insert(t.case_events),
            [
                {
                    "case_no": f"610900-20261201-R{i:06d}",
                    "status": "received",
                    "at": now,
                    "note": "已接收",
                }
                for i in range(RATING_ROWS)
            ],
        )
        answer = json.dumps(
            {
                "case_no": "610900-20261201-000001",
                "status": "received",
                "received_at": "2026-12-01T09:00:00.123456Z",
            }
        ).encode()
        db.execute(
            insert(t.idempotency),
            [
                {
                    "terminal_id": f"BENCH-{i % TERMINALS:04d}",
                    "key": str(uuid.UUID(int=i)),
                    "endpoint": "POST /v1/submissions",
                    "body_hash": hashlib.sha256(b"%d" % i).hexdigest(),
                    "status": 201,
                    "response": answer,
                    "created_at": now,
                }
                for i in range(RATING_ROWS)
            ],
        )
    sizes: dict[str, float] = {}
    with engine.connect() as db:
        for name in ("ratings", "cases", "case_events", "idempotency"):
            rows = db.execute(text(f"SELECT COUNT(*) FROM {name}")).scalar_one()
            size = db.execute(text(f"SELECT pg_total_relation_size('{name}')")).scalar_one()
            sizes[name] = round(size / rows, 1) if rows else 0.0
    engine.dispose()
    # a rated apply session: 1 case + ~1 event at first (≤ 4 as it progresses) + 1 idempotency
    # answer per creating call (submission, rating) + 1 rating
    per_session = (
        sizes["cases"] + 4 * sizes["case_events"] + 2 * sizes["idempotency"] + sizes["ratings"]
    )
    per_year = per_session * TERMINALS * SESSIONS_PER_TERMINAL_DAY * 365
    return {
        "bytes_per_row": sizes,
        "bytes_per_rated_session": round(per_session),
        "sessions_per_terminal_day": SESSIONS_PER_TERMINAL_DAY,
        "gib_per_year_2000_terminals": round(per_year / 2**30, 1),
        "ratings_only_gib_per_year_2000_terminals": round(
            sizes["ratings"] * TERMINALS * SESSIONS_PER_TERMINAL_DAY * 365 / 2**30, 1
        ),
    }


def run() -> dict[str, Any]:
    """1 and 4 workers: healthz baseline, the province open loop, closed-loop capacity."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-central-load-"))
    cluster = Cluster()
    results: dict[str, Any] = {
        "terminals": TERMINALS,
        "compress": COMPRESS,
        "cores": os.cpu_count(),
    }
    try:
        key_file = tmp / "server.key"
        keys.write_key_file(key_file)
        tmpl = cluster.create_database(name="bench_template")
        engine = make_engine(to_url(tmpl))
        migrate.upgrade(engine, lambda: keys.read_key_file(key_file))
        engine.dispose()
        os.environ[keys.ENV_KEY_FILE] = str(key_file)
        try:
            store = Storage(tmpl)
            tids = [f"BENCH-{i:04d}" for i in range(TERMINALS)]
            secrets = {tid: store.add_terminal(tid, None, time.time()) for tid in tids}
            store.close()
        finally:
            del os.environ[keys.ENV_KEY_FILE]
        per_terminal_rps = 1 / HEARTBEAT_S + PEAK_SUBMIT_PER_TERMINAL_S
        for workers in (1, 4):
            url = cluster.create_database(template="bench_template")
            proc, port = _serve(url, workers, key_file, tmp / f"serve-{workers}.log")
            try:
                client = Client(port, secrets)
                base = _closed(client, ["healthz"], BASELINE_REQUESTS, tids)
                prov = _province(client, tids)
                cap = _closed(
                    client, ["heartbeat", "heartbeat", "submission"], CAPACITY_REQUESTS, tids
                )
            finally:
                _stop(proc)
            res: dict[str, Any] = {
                "baseline_healthz": base["healthz"],
                "province": prov,
                "capacity": cap,
            }
            for kind in ("heartbeat", "submission"):
                if kind in prov and "p50_ms" in prov[kind]:
                    res[f"province_{kind}_p50_vs_healthz"] = round(
                        prov[kind]["p50_ms"] / base["healthz"]["p50_ms"], 1
                    )
            res["capacity_vs_healthz_rps"] = round(cap["all_rps"] / base["all_rps"], 3)
            res["terminals_supported_at_peak"] = int(cap["all_rps"] / per_terminal_rps)
            results[f"workers_{workers}"] = res
            if workers == 4:
                results["sizing"] = _row_sizes(url)
        w1, w4 = results["workers_1"], results["workers_4"]
        results["capacity_4_vs_1_workers"] = round(
            w4["capacity"]["all_rps"] / w1["capacity"]["all_rps"], 2
        )
        results["per_terminal_peak_rps"] = round(per_terminal_rps, 4)
    finally:
        cluster.stop()
    return results


if __name__ == "__main__":
    print(json.dumps(run(), ensure_ascii=False, indent=2))

"""Central sandbox throughput: heartbeat and submission with 50 concurrent simulated terminals.

Server (uvicorn in a thread) and clients (50 threads with requests) share this machine and its
GIL, so the figures are a floor for the service. Baseline: unauthenticated GET /healthz on the
same server in the same run.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import requests

from central.server import run_in_thread
from central.storage import Storage
from kiosk import central_api as api

TERMINALS = 50
PER_TERMINAL = 30  # requests per terminal per phase (bounded count)
PHASE_LIMIT_S = 20.0  # and bounded time
HALL_TERMINALS = 12
CITY_TERMINALS = 500
HEARTBEAT_INTERVAL_S = 60  # production default in terminal.example.toml
# Peak submissions per terminal: one finished apply session every 2 minutes at the busiest hour.
PEAK_SUBMISSIONS_PER_TERMINAL_S = 1 / 120

ID_NUMBER = "11010519491231002X"


def _phase(
    url: str,
    secrets: dict[str, bytes | None],
    make: Callable[[str, int], tuple[str, str, bytes, dict]],
) -> dict:
    lat: list[float] = []
    errors = 0
    lock = threading.Lock()
    start_evt = threading.Event()
    deadline = [0.0]

    def worker(tid: str) -> None:
        nonlocal errors
        s = requests.Session()
        mine: list[float] = []
        bad = 0
        start_evt.wait()
        for i in range(PER_TERMINAL):
            if time.perf_counter() > deadline[0]:
                break
            method, path, body, extra = make(tid, i)
            hdrs = {"Content-Type": "application/json", **extra}
            if secrets[tid] is not None:
                hdrs.update(api.signed_headers(tid, secrets[tid], method, path, body))
            t0 = time.perf_counter()
            try:
                r = s.request(method, url + path, data=body, headers=hdrs, timeout=30)
                ok = r.status_code < 300
            except requests.RequestException:
                ok = False
            mine.append(time.perf_counter() - t0)
            bad += not ok
        with lock:
            lat.extend(mine)
            errors += bad

    threads = [threading.Thread(target=worker, args=(tid,)) for tid in secrets]
    for t in threads:
        t.start()
    t0 = time.perf_counter()
    deadline[0] = t0 + PHASE_LIMIT_S
    start_evt.set()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    lat.sort()
    return {
        "requests": len(lat),
        "errors": errors,
        "wall_s": round(wall, 2),
        "rps": round(len(lat) / wall, 1),
        "p50_ms": round(statistics.median(lat) * 1000, 1),
        "p99_ms": round(lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000, 1),
    }


def run() -> dict:
    """Measure healthz (baseline), heartbeat and submission; relate to a hall and a city."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-central-"))
    db = tmp / "central.sqlite3"
    store = Storage(db)
    secrets = {
        f"BENCH-{i:03d}": store.add_terminal(f"BENCH-{i:03d}", None, time.time())
        for i in range(TERMINALS)
    }
    store.close()
    hb_body = json.dumps(
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

    def submission(tid: str, i: int) -> tuple[str, str, bytes, dict]:
        body = json.dumps(
            {
                "item_code": "SB-APPLY-001",
                "region_code": "610900",
                "applicant": {"id_number": ID_NUMBER, "name": "测试"},
                "fields": {"phone": "13800138000", "n": i},
            },
            ensure_ascii=False,
        ).encode()
        return "POST", "/v1/submissions", body, {api.HEADER_IDEMPOTENCY_KEY: str(uuid.uuid4())}

    with run_in_thread(db) as handle:
        baseline = _phase(
            handle.url, dict.fromkeys(secrets), lambda t, i: ("GET", "/healthz", b"", {})
        )
        heartbeat = _phase(handle.url, secrets, lambda t, i: ("POST", "/v1/heartbeat", hb_body, {}))
        submit = _phase(handle.url, secrets, submission)

    hall_hb = HALL_TERMINALS / HEARTBEAT_INTERVAL_S
    city_hb = CITY_TERMINALS / HEARTBEAT_INTERVAL_S
    city_sub = CITY_TERMINALS * PEAK_SUBMISSIONS_PER_TERMINAL_S
    return {
        "terminals": TERMINALS,
        "baseline_healthz": baseline,
        "heartbeat": heartbeat,
        "submission": submit,
        "heartbeat_vs_baseline_rps": round(heartbeat["rps"] / baseline["rps"], 3),
        "submission_vs_baseline_rps": round(submit["rps"] / baseline["rps"], 3),
        "hall_12_heartbeat_load_rps": round(hall_hb, 2),
        "city_500_heartbeat_load_rps": round(city_hb, 2),
        "city_500_peak_submission_load_rps": round(city_sub, 2),
        "hall_12_peak_submission_load_rps": round(
            HALL_TERMINALS * PEAK_SUBMISSIONS_PER_TERMINAL_S, 2
        ),
        "hall_12_heartbeat_headroom_x": round(heartbeat["rps"] / hall_hb),
        "city_500_heartbeat_headroom_x": round(heartbeat["rps"] / city_hb, 1),
        "city_500_submission_headroom_x": round(submit["rps"] / city_sub, 1),
    }

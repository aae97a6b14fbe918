"""好差评 forwarding throughput: N ratings from central's queue to the province simulator
(scan, claim with lease, map, sign, POST, mark delivered), and 满意率 statistics over them.

Baseline (same run, same simulator): a separate process that imports only requests/hmac and
POSTs the same number of signed evaluation bodies in a loop: the HTTP floor the forwarder's
bookkeeping adds to. The simulator runs in this process, so the forwarder (unlike the bare
client) shares the GIL with the server it posts to; each forwarded row also costs two durable
writes (claim is batched, delivery is per row, synchronous=FULL).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

N = 300

_BARE = r"""
import hashlib, hmac, json, sys, time, requests
url, secret, n = sys.argv[1], bytes.fromhex(sys.argv[2]), int(sys.argv[3])
s = requests.Session()
t0 = time.perf_counter()
for i in range(n):
    body = json.dumps({"requestId": f"bare:{i}", "projectNo": f"BARE-{i}"}).encode()
    ts = str(int(time.time()))
    sig = hmac.new(secret, (ts + "\n" + hashlib.sha256(body).hexdigest()).encode(),
                   hashlib.sha256).hexdigest()
    s.post(url + "/api/v1/evaluations", data=body, timeout=10,
           headers={"X-App-Id": "BENCH", "X-Timestamp": ts, "X-Signature": sig})
print(time.perf_counter() - t0)
"""


def run() -> dict:
    """Figures: forwarded ratings/s against bare signed POSTs/s; stats query time."""
    import secrets

    from central.haocha.service import Haocha
    from central.haocha.settings import HaochaSettings
    from central.sandbox.province import ProvinceSim
    from central.sandbox.province import run_in_thread as run_sim
    from central.storage import Storage

    secret = secrets.token_bytes(32)
    sim = run_sim(ProvinceSim("BENCH", secret))
    tmp = Path(tempfile.mkdtemp(prefix="bench-haocha-"))
    try:
        db = tmp / "central.sqlite3"
        store = Storage(db)
        now = time.time()
        levels = ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
        with store.transaction() as c:
            for i in range(N):
                case_no = f"610900-20261130-{i:06d}"
                store.insert_case(
                    c,
                    case_no,
                    "query",
                    "RS-0101",
                    "610900",
                    "DEMO-0001",
                    "anonymous",
                    [],
                    None,
                    now,
                    [("received", now, "已接收")],
                )
                lv = levels[i % 5]
                store.insert_rating(
                    c,
                    case_no,
                    "RS-0101",
                    lv,
                    ["too_slow"] if lv in ("不满意", "非常不满意") else [],
                    "",
                    "DEMO-0001",
                    "610900",
                    "self_service_terminal",
                    now,
                    now,
                )
        bundle = (Path(__file__).resolve().parents[1] / "config/catalogue/bundle.json").read_bytes()
        (tmp / "s.hex").write_text(secret.hex())
        settings = HaochaSettings(
            province_url=sim.url,
            province_app_id="BENCH",
            province_secret_file=str(tmp / "s.hex"),
            details_grace_s=0,
            forward=False,
            key_file=str(tmp / "k.key"),
        )
        h = Haocha(db, settings, time.time, lambda: bundle)
        t0 = time.perf_counter()
        h.scan(time.time())
        t_scan = time.perf_counter() - t0
        while sum(len(v) for v in sim.sim.by_project().values()) < N:
            if not h.forwarder.run_once(time.time()).sent and time.perf_counter() - t0 > 120:
                break
        t_forward = time.perf_counter() - t0
        delivered = len(sim.sim.by_project())
        from central.haocha import stats

        t1 = time.perf_counter()
        s = stats.compute(
            h.engine, date(2000, 1, 1), date(2100, 1, 1), "610900", "item", h.item_names
        )
        t_stats = time.perf_counter() - t1
        bare = subprocess.run(
            [sys.executable, "-c", _BARE, sim.url, secret.hex(), str(N)],
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        t_bare = float(bare.stdout.strip())
        h.stop()
        store.close()
        return {
            "ratings": N,
            "delivered": delivered,
            "scan_ms": round(t_scan * 1000, 1),
            "forwarded_per_s": round(N / t_forward, 1),
            "baseline_bare_signed_posts_per_s": round(N / t_bare, 1),
            "overhead_vs_bare": round(t_forward / t_bare, 2),
            "stats_ms_for_ratings": round(t_stats * 1000, 1),
            "stats_check": json.loads(s.total.model_dump_json())["satisfaction_rate"],
        }
    finally:
        sim.stop()
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)

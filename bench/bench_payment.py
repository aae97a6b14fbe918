"""Payments: sandbox marks the order paid → the paid screen, and status polls per order.

The engine runs as in the kiosk: ticked once a second by a UI loop that also delivers worker
results at ~60 frames/s; central is the real service on 127.0.0.1 with the sandbox platform.
Goal: paid shown ≤ 1.5 s after the sandbox marks it, ≤ 1 poll/s (median rate; polls start on
the tick, so frame jitter moves single gaps by a few ms: the flow never starts two within 0.95 s). Baseline: a bare process
(requests + hmac only) timing the same signed GET /v1/payments/{order_no} the poll sends.
"""

from __future__ import annotations

import json
import queue
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
ORDERS = 12
BARE = r"""
import hashlib, hmac, json, sys, time
import requests
url, tid, secret, path, n = sys.argv[1], sys.argv[2], bytes.fromhex(sys.argv[3]), sys.argv[4], int(sys.argv[5])
s = requests.Session()
out = []
for _ in range(n):
    ts = str(int(time.time()))
    msg = f"GET\n{path}\n{ts}\n{hashlib.sha256(b'').hexdigest()}".encode()
    h = {"X-Terminal-Id": tid, "X-Timestamp": ts,
         "X-Signature": hmac.new(secret, msg, hashlib.sha256).hexdigest()}
    t0 = time.perf_counter()
    r = s.get(url + path, headers=h, timeout=5)
    out.append((time.perf_counter() - t0) * 1000)
    assert r.status_code == 200, r.status_code
print(json.dumps(out))
"""


class UiLoop:
    """Kivy's part: worker results run on this thread at frame rate; engine.tick every second."""

    def __init__(self) -> None:
        self.q: queue.Queue[Any] = queue.Queue()
        self.stop = threading.Event()
        self.decided: list[float] = []
        """When the flow decided to poll (on the tick), as opposed to when the request left."""

    def runner(self, fn: Any, done: Any) -> None:
        def work() -> None:
            try:
                r, e = fn(), None
            except Exception as exc:  # noqa: BLE001 - handed to the engine like the kiosk does
                r, e = None, exc
            self.q.put(lambda: done(r, e))

        threading.Thread(target=work, daemon=True).start()

    def call(self, fn: Any) -> None:
        """Run fn on the loop thread (and wait for it)."""
        ev = threading.Event()
        self.q.put(lambda: (fn(), ev.set()))
        ev.wait(10)

    def run(self, engine: Any) -> None:
        next_tick = time.monotonic() + 1.0
        while not self.stop.is_set():
            end = time.monotonic() + 1 / 60
            while True:
                try:
                    self.q.get(timeout=max(0.0, end - time.monotonic()))()
                except queue.Empty:
                    break
            if time.monotonic() >= next_tick:
                now = time.monotonic()
                before = engine.payment.polls
                engine.tick()
                if engine.payment.polls > before:
                    self.decided.append(now)
                next_tick = now + 1.0  # like Kivy's schedule_interval: no catch-up bursts


def run() -> dict:
    """Latency and poll rate over ORDERS paid orders."""
    from central.demo import prepare
    from central.server import run_in_thread
    from kiosk import config as config_mod
    from kiosk.catalogue.schema import build_catalogue
    from kiosk.central_client import CentralClient
    from kiosk.payment.orders import PaymentPort
    from kiosk.payment.store import PaymentStore
    from kiosk.session.engine import SessionEngine
    from kiosk.session.ports import CardHolder, CardRead
    from kiosk.session.states import State
    from tests.kiosk.session.fixtures import FakeCentral, FakePrinter

    tmp = Path(tempfile.mkdtemp(prefix="bench-payment-"))
    cfg = config_mod.load(ROOT / "config" / "terminal.toml").model_copy(
        update={"data_dir": str(tmp / "data")}
    )
    prepare(tmp / "central.sqlite3", cfg)
    handle = run_in_thread(tmp / "central.sqlite3")
    port = PaymentPort(
        CentralClient.from_config(cfg, base_url=handle.url),
        PaymentStore.from_config(cfg),
        cfg.region_code,
    )
    bundle = json.loads((ROOT / "config" / "catalogue" / "bundle.json").read_text(encoding="utf-8"))
    loop = UiLoop()
    eng = SessionEngine(
        build_catalogue(bundle["catalogue"]),
        central=FakeCentral(),
        printer=FakePrinter(),
        runner=loop.runner,
    )
    eng.payment.port = port
    calls: list[float] = []
    status = port.status

    def timed_status(no: str) -> Any:  # records when each poll leaves the terminal
        calls.append(time.monotonic())
        return status(no)

    port.status = timed_status  # type: ignore[method-assign]
    ui = threading.Thread(target=loop.run, args=(eng,), daemon=True)
    ui.start()
    latencies: list[float] = []
    rates: list[float] = []
    gaps: list[float] = []
    decided_gaps: list[float] = []
    rng = random.Random(13)
    last_no = ""
    try:
        for _ in range(ORDERS):

            def start() -> None:
                if eng.state != State.HOME:
                    eng.end("bench")
                eng.select("YB-0202")
                eng.proceed()
                eng.handle(CardRead(CardHolder("张三", "11010519491231002X")))
                eng.set_value("insured_id", "360426199101010071")
                eng.set_value("year", time.strftime("%Y"))
                eng.set_value("group", "adult")
                eng.submit_form()

            loop.call(start)
            _wait(lambda: eng.state == State.CONFIRM)
            loop.call(eng.confirm)
            del calls[:]
            del loop.decided[:]
            time.sleep(1.0 + rng.random() * 2.0)  # the citizen takes out a phone
            no = eng.payment.order.order_no
            last_no = no
            t0 = time.monotonic()
            requests.post(f"{handle.url}/sandbox/payments/{no}/pay", timeout=5).raise_for_status()
            _wait(lambda: eng.payment.phase == "paid")
            t1 = eng.payment.paid_seen_at or time.monotonic()
            latencies.append(t1 - t0)
            if len(calls) >= 2:
                rates.append((len(calls) - 1) / (calls[-1] - calls[0]))
                gaps += [b - a for a, b in zip(calls, calls[1:])]
                decided_gaps += [b - a for a, b in zip(loop.decided, loop.decided[1:])]
        bare = subprocess.run(
            [
                sys.executable,
                "-c",
                BARE,
                handle.url,
                cfg.terminal_id,
                port.client._secret.hex(),
                f"/v1/payments/{last_no}",
                "30",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        bare_ms = json.loads(bare.stdout)
    finally:
        loop.stop.set()
        ui.join(5)
        port.store.close()
        port.client.close()
        handle.stop()
    return {
        "orders": ORDERS,
        "paid_shown_latency_s": {
            "median": round(statistics.median(latencies), 3),
            "p95": round(sorted(latencies)[int(0.95 * (len(latencies) - 1))], 3),
            "max": round(max(latencies), 3),
        },
        "polls_per_s": {"median": round(statistics.median(rates), 3), "max": round(max(rates), 3)},
        "poll_gap_s": {
            "decided_min": round(min(decided_gaps), 3),
            "on_the_wire_min": round(min(gaps), 3),
            "median": round(statistics.median(gaps), 3),
        },
        "bare_status_get_ms": {
            "median": round(statistics.median(bare_ms), 2),
            "p95": round(sorted(bare_ms)[int(0.95 * (len(bare_ms) - 1))], 2),
        },
        "goal": {"latency_s": 1.5, "polls_per_s": 1.0},
        # polls start on the 1 Hz tick (frame jitter ±17 ms); the flow's floor is 0.95 s
        "goal_met": max(latencies) <= 1.5
        and statistics.median(rates) <= 1.0 + 1e-3
        and min(decided_gaps) >= 0.95,
    }


def _wait(pred: Any, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > end:
            raise TimeoutError("payment bench: state not reached")
        time.sleep(0.005)

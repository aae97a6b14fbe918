"""The full path, terminal outbox → central (a real `kiosk central serve` process) → province
simulator, with 500s, a timeout and central killed (SIGKILL) while a rating is in flight:
every rating ends at the province exactly once."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from kiosk.central_client import CentralClient
from kiosk.outbox import Kind, Outbox, State
from kiosk.rating.record import body as rating_body
from kiosk.retry import RetryPolicy
from kiosk.sync import SyncWorker
from tests.central.conftest import TERMINAL_ID, bundle_bytes, seed
from tests.central.haocha_helpers import configure, start_sim
from tests.kiosk._central import submission

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_central(db: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as err:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kiosk",
                "central",
                "serve",
                "--db",
                str(db),
                "--port",
                str(port),
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except requests.RequestException:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("central did not start: " + log.read_text()[-2000:])


@pytest.mark.timeout(180)
def test_terminal_to_province_exactly_once_through_faults_and_kill9(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim, secret = start_sim()
    configure(monkeypatch, tmp_path, sim.url, secret, LEASE_S="2")
    db = tmp_path / "central.sqlite3"
    term_secret, token, key = seed(db)
    port, log = free_port(), tmp_path / "central.log"
    proc = start_central(db, port, log)
    url = f"http://127.0.0.1:{port}"
    try:
        assert (
            requests.put(
                url + "/v1/admin/catalogue",
                data=bundle_bytes(key, 2),
                timeout=10,
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            ).status_code
            == 200
        )
        box = Outbox(tmp_path / "outbox.sqlite3", tmp_path / "outbox.key", terminal_id=TERMINAL_ID)
        client = CentralClient(url, TERMINAL_ID, term_secret, connect_timeout_s=1, read_timeout_s=5)
        worker = SyncWorker(
            box, client, policy=RetryPolicy(base_s=0.1, factor=2, cap_s=0.5, jitter=0.1)
        )
        levels = ["非常满意", "不满意", "满意", "非常不满意", "基本满意", "满意"]
        subs = [box.enqueue(Kind.SUBMISSION, submission(i)) for i in range(len(levels))]
        for s, level in zip(subs, levels, strict=True):
            reasons = ["too_slow"] if level in ("不满意", "非常不满意") else []
            box.enqueue(
                Kind.RATING,
                rating_body(
                    s.provisional_no,
                    "SB-APPLY-001",
                    level,
                    reasons,
                    "",
                    1,
                    {"overall": level},
                    "安康市政务服务中心",
                    "13500002222" if level == "非常不满意" else "",
                ),
            )
        # the province: two 500s, one answer too slow, then holds the next one (already kept)
        sim.sim.inject("500", 2)
        sim.sim.inject("timeout", 1, delay_s=3)
        sim.sim.inject("hang_after_accept", 1, delay_s=60)
        worker.run_once()
        rows = [box.lookup_case(s.provisional_no) for s in subs]
        assert all(r is not None and r.state is State.DELIVERED for r in rows)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not sim.sim.state.evaluations:
            time.sleep(0.05)
        time.sleep(0.3)
        assert sim.sim.state.evaluations, "nothing reached the province"
        os.kill(proc.pid, signal.SIGKILL)  # central dies while the province holds the answer
        proc.wait(10)
        assert proc.returncode == -signal.SIGKILL
        held = set(sim.sim.state.evaluations)
        posts_at_kill = len(sim.sim.state.posts)
        sim.sim.clear_faults()
        proc = start_central(db, port, log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            q = requests.get(
                url + "/v1/admin/province/queue",
                timeout=5,
                headers={"Authorization": f"Bearer {token}"},
            ).json()
            if q["counts"].get("delivered", 0) == len(levels):
                break
            time.sleep(0.2)
        assert q["counts"] == {"delivered": len(levels)}, q
        got = sim.sim.by_project()
        case_nos = sorted(r.case_no for r in rows if r is not None)
        assert sorted(got) == case_nos
        assert all(len(v) == 1 for v in got.values())  # exactly once
        assert len(sim.sim.state.posts) > len(levels)  # resent after faults and the kill
        # what the province kept while central died was sent again, and kept once
        assert held & set(sim.sim.state.posts[posts_at_kill:])
        phones = [e[0]["mobile"] for e in got.values() if e[0]["satisfaction"] == 1]
        assert phones == ["13500002222"]
        assert "13500002222" not in log.read_text(encoding="utf-8", errors="replace")
        worker.client.close()
        box.close()
    finally:
        proc.kill()
        proc.wait(10)
        sim.stop()

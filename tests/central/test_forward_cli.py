"""`kiosk central forward`: API processes with KIOSK_HAOCHA_FORWARD=0 queue only; a separate
forwarder process opens the follow-ups and delivers to the province."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.central.haocha_helpers import configure, new_case, rate, staff, start_service, start_sim
from tests.central.test_province_crash import ROOT


def test_separate_forwarder_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sim, secret = start_sim()
    configure(monkeypatch, tmp_path, sim.url, secret, FORWARD="0")
    svc = start_service(tmp_path)
    proc = None
    try:
        case = new_case(svc)
        assert rate(svc, case, "不满意", ["too_slow"]).status_code == 201
        time.sleep(1)
        assert sim.sim.by_project() == {}  # the API process does not forward
        assert staff(svc, "GET", "/v1/admin/followups").json()["count"] == 0
        proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "central", "forward", "--db", str(svc.db)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while not sim.sim.by_project() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert list(sim.sim.by_project()) == [case]
        assert staff(svc, "GET", "/v1/admin/followups").json()["count"] == 1
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
        svc.handle.stop()
        sim.stop()

"""kill -9 of a kiosk process between paid and printed → restart → the re-check finds the paid
order (never cancels it) → 补打缴费凭证 by order number prints it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from kiosk.central_client import CentralClient
from kiosk.payment.orders import PaymentPort
from kiosk.payment.store import PaymentStore
from tests.kiosk.payment.conftest import ROOT, Central, Rig


def _line(proc: subprocess.Popen[str], prefix: str, timeout: float = 20) -> str:
    end = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < end:
        line = proc.stdout.readline()
        if line.startswith(prefix):
            return line.strip()
        if not line and proc.poll() is not None:
            raise AssertionError(f"kiosk process exited {proc.returncode}")
    raise AssertionError(f"no {prefix!r} from the kiosk process")


def test_kill_9_between_paid_and_printed_then_reprint(
    central: Central, cfg, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    data = Path(cfg.data_dir)
    with subprocess.Popen(
        [sys.executable, "-m", "tests.kiosk.payment._kiosk_proc", str(data), central.url],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as proc:
        try:
            no = _line(proc, "order").split()[1]
            central.pay(no)  # the citizen's phone pays
            _line(proc, "printing")
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    table = data / "payments.sqlite3"
    assert table.stat().st_mode & 0o777 == 0o600
    # restart: a new process would do exactly this at start-up
    port = PaymentPort(
        CentralClient.from_config(cfg, base_url=central.url),
        PaymentStore.from_config(cfg),
        cfg.region_code,
    )
    stored = port.stored(no)
    assert stored is not None and stored.status == "paid" and not stored.printed
    assert port.reconcile() == {}  # just made: left for the next pass (it may be on screen)
    assert port.reconcile(grace_s=0) == {no: "paid"} and central.row(no)[0] == "paid"
    lines = dict(Rig(port).reprint(no).lines)
    assert lines["订单号"] == no and lines["电子票据号"] == central.row(no)[2]
    assert port.store.unfinished() == []
    assert [s for _, s in central.orders()] == ["paid"]  # charged once

"""24-hour operation of the real process: systemd READY + watchdog pings, SIGTERM, SIGHUP reload."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from kiosk import config
from kiosk.lifecycle import reloadable_changes

ROOT = Path(__file__).resolve().parents[2]


def start_kiosk(cfg: Path, sock: str) -> subprocess.Popen[str]:
    env = dict(os.environ, NOTIFY_SOCKET=sock, WATCHDOG_USEC="200000")
    env.pop("WATCHDOG_PID", None)
    return subprocess.Popen(
        [sys.executable, "main.py", "--config", str(cfg), "--size", "640x480"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def demo_copy(tmp_path: Path) -> Path:
    cfg_dir = tmp_path / "config"
    shutil.copytree(ROOT / "config", cfg_dir)
    text = (cfg_dir / "terminal.toml").read_text(encoding="utf-8")
    (cfg_dir / "terminal.toml").write_text(
        text.replace('data_dir = "../var"', f'data_dir = "{tmp_path / "var"}"'), encoding="utf-8"
    )
    return cfg_dir / "terminal.toml"


def test_ready_pings_reload_and_sigterm(tmp_path: Path) -> None:
    cfg = demo_copy(tmp_path)
    sock_path = str(tmp_path / "notify.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(sock_path)
    server.settimeout(30)
    proc = start_kiosk(cfg, sock_path)
    try:
        messages = [server.recv(100)]
        assert messages[0] == b"READY=1"
        server.settimeout(5)
        pings = [server.recv(100) for _ in range(3)]
        assert pings == [b"WATCHDOG=1"] * 3

        cfg.write_text(
            cfg.read_text(encoding="utf-8").replace(
                "安康市政务服务中心24小时自助服务区", "重载后的大厅"
            ),
            encoding="utf-8",
        )
        proc.send_signal(signal.SIGHUP)
        time.sleep(1.0)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=10)
        elapsed = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            proc.kill()
        server.close()
    assert proc.returncode == 0, out[-2000:]
    assert elapsed < 3.0  # 2 s deadline + interpreter teardown
    assert "SIGHUP: config reloaded (hall_name)" in out
    assert "SIGTERM: stopping" in out


def test_device_changes_need_a_restart() -> None:
    old = config.load()
    new = old.model_copy(
        update={
            "hall_name": "新",
            "admin_pin_hash": "scrypt$new",
            "printer": old.printer.model_copy(update={"paper_width_mm": 58}),
        }
    )
    live, restart = reloadable_changes(old, new)
    assert live == {"hall_name": "新", "admin_pin_hash": "scrypt$new"} and restart == ["printer"]


def test_crash_guard_ends_the_session_then_lets_a_restart_happen() -> None:
    from types import SimpleNamespace

    from kivy.base import ExceptionManager

    from kiosk.lifecycle import CrashGuard
    from kiosk.session.engine import SessionEngine
    from kiosk.session.ports import CardRead
    from kiosk.session.states import State
    from tests.kiosk.session.fixtures import ZHANG, FakeCentral, FakeClock, FakePrinter, catalogue

    eng = SessionEngine(
        catalogue(), central=FakeCentral(), printer=FakePrinter(), clock=FakeClock()
    )
    now = [0.0]
    guard = CrashGuard(SimpleNamespace(engine=eng), clock=lambda: now[0])
    eng.select("Q-0001")
    eng.proceed()
    eng.handle(CardRead(ZHANG))
    assert eng.state == State.FORM and eng.personal_data()
    assert guard.handle_exception(ValueError("boom")) == ExceptionManager.PASS
    assert eng.state == State.HOME and eng.personal_data() == [] and eng.last_end_reason == "error"
    for t in (10.0, 20.0):
        now[0] = t
        assert guard.handle_exception(RuntimeError("again")) == ExceptionManager.PASS
    now[0] = 30.0
    assert guard.handle_exception(RuntimeError("4th in a minute")) == ExceptionManager.RAISE
    now[0] = 200.0  # a minute later the count starts again
    assert guard.handle_exception(RuntimeError("rare")) == ExceptionManager.PASS
    assert guard.handle_exception(KeyboardInterrupt()) == ExceptionManager.RAISE

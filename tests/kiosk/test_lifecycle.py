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
    return subprocess.Popen([sys.executable, "main.py", "--config", str(cfg), "--size", "640x480"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def demo_copy(tmp_path: Path) -> Path:
    cfg_dir = tmp_path / "config"
    shutil.copytree(ROOT / "config", cfg_dir)
    text = (cfg_dir / "terminal.toml").read_text(encoding="utf-8")
    (cfg_dir / "terminal.toml").write_text(text.replace('data_dir = "../var"', f'data_dir = "{tmp_path / "var"}"'),
                                           encoding="utf-8")
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

        cfg.write_text(cfg.read_text(encoding="utf-8").replace("示范市政务服务中心", "重载后的大厅"),
                       encoding="utf-8")
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
    new = old.model_copy(update={"hall_name": "新", "printer": old.printer.model_copy(update={"paper_width_mm": 58})})
    live, restart = reloadable_changes(old, new)
    assert live == {"hall_name": "新"} and restart == ["printer"]

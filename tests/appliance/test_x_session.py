"""Issue 21: the bare X session of deploy/kiosk-x-session, run under Xvfb with the installed copy.

No window manager, no desktop: the session script turns blanking off (xset) and runs the kiosk
from the fresh venv (as /opt/selfservice-kiosk/venv would), which must fill the whole screen.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from tests.appliance.conftest import ROOT, clean_env
from tests.kiosk.ui.test_startup import _free_display, _windows


@pytest.mark.timeout(900)
def test_bare_x_session_runs_the_installed_kiosk_full_screen(installed: Path, home: Path) -> None:
    n = _free_display()
    xvfb = subprocess.Popen(
        ["Xvfb", f":{n}", "-screen", "0", "1080x1920x24", "-nolisten", "tcp", "-noreset"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    session = None
    log_file = None
    try:
        end = time.monotonic() + 20
        while not Path(f"/tmp/.X11-unix/X{n}").exists():
            assert xvfb.poll() is None and time.monotonic() < end, "Xvfb did not start"
            time.sleep(0.1)
        env = clean_env(
            home,
            DISPLAY=f":{n}",
            KIOSK_STANDALONE="1",
            KIOSK_BIN=str(installed / "bin" / "kiosk"),
            KIOSK_CONFIG=str(
                installed.glob("lib/python3*/site-packages/kiosk/defaults/terminal.toml").__next__()
            ),
        )
        log_file = open(home / "session.log", "w")  # noqa: SIM115 - closed in finally
        session = subprocess.Popen(
            [str(ROOT / "deploy" / "kiosk-x-session"), "--exit-after", "25"],
            cwd=home,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        end = time.monotonic() + 90
        windows: list[tuple[str, int, int, int, int]] = []
        while time.monotonic() < end and session.poll() is None:
            windows = [w for w in _windows(env) if w[1] > 1 and w[2] > 1]
            if windows:
                break
            time.sleep(0.5)
        assert windows, f"no kiosk window on the X server: {session.poll()}"
        time.sleep(1.0)
        windows = [w for w in _windows(env) if w[1] > 1 and w[2] > 1]
        assert [w[1:] for w in windows] == [(1080, 1920, 0, 0)], windows
        # The session turned the screen saver off (Xvfb has no DPMS extension to turn off).
        q = subprocess.run(
            ["xset", "q"], env=env, capture_output=True, text=True, timeout=10
        ).stdout
        assert "timeout:  0" in q and "prefer blanking:  no" in q, q
        assert session.wait(timeout=60) == 0
    finally:
        if session is not None:
            if session.poll() is None:
                session.terminate()
                session.wait(timeout=30)
            assert log_file is not None
            log_file.close()
            log = (home / "session.log").read_text(encoding="utf-8", errors="replace")
            assert "Traceback" not in log, log[-3000:]
        xvfb.terminate()
        xvfb.wait(timeout=10)

"""Start-up as a newcomer meets it: no display says where the picture is; full screen under a
bare X server (Xvfb, no window manager) fills the real 1080x1920 screen."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[3]
CONFIG = ROOT / "config"


def demo_config_in(tmp: Path) -> Path:
    """The demo terminal.toml with its data in `tmp` and every other path absolute."""
    text = (CONFIG / "terminal.toml").read_text(encoding="utf-8")
    text = text.replace('data_dir = "../var"', f'data_dir = "{tmp / "var"}"')
    for rel in ("demo/terminal.secret", "catalogue/bundle.json", "demo/catalogue-demo.pub"):
        text = text.replace(f'"{rel}"', f'"{CONFIG / rel}"')
    path = tmp / "terminal.toml"
    path.write_text(text, encoding="utf-8")
    return path


def env_without_display() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")
    }
    env.update(KIVY_NO_ARGS="1", KIVY_NO_CONSOLELOG="1")
    return env


def test_without_a_display_the_kiosk_says_where_its_picture_is(tmp_path: Path) -> None:
    cfg = demo_config_in(tmp_path)
    out = subprocess.run(
        [sys.executable, "main.py", "--config", str(cfg), "--exit-after", "6"],
        cwd=ROOT,
        env=env_without_display(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    picture = tmp_path / "var" / "screen.png"
    assert f"saved every 5 s to {picture}" in out.stderr
    assert "xvfb-run" in out.stderr and "make shots" in out.stderr
    with Image.open(picture) as img:  # the home screen, as the citizen would see it
        assert (
            img.size == (1080, 1920)
            and len(img.convert("L").getcolors(maxcolors=1 << 16) or ()) > 10
        )
    assert picture.stat().st_mode & 0o777 == 0o600


def _free_display() -> int:
    for n in range(77, 200):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            return n
    raise RuntimeError("no free X display number")


def _windows(env: dict[str, str]) -> list[tuple[str, int, int, int, int]]:
    """(name, width, height, x, y) of the root window's mapped children, from xwininfo."""
    tree = subprocess.run(
        ["xwininfo", "-root", "-children"], env=env, capture_output=True, text=True, timeout=10
    ).stdout
    found = []
    for m in re.finditer(r'0x[0-9a-f]+ "([^"]*)".*?(\d+)x(\d+)\+(-?\d+)\+(-?\d+)', tree):
        found.append((m[1], int(m[2]), int(m[3]), int(m[4]), int(m[5])))
    return found


def test_full_screen_under_a_bare_x_server_fills_the_real_screen(tmp_path: Path) -> None:
    assert shutil.which("Xvfb"), "Xvfb missing: `make setup` installs the xvfb package"
    n = _free_display()
    xvfb = subprocess.Popen(
        ["Xvfb", f":{n}", "-screen", "0", "1080x1920x24", "-nolisten", "tcp", "-noreset"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    kiosk = None
    try:
        end = time.monotonic() + 20
        while not Path(f"/tmp/.X11-unix/X{n}").exists():
            assert xvfb.poll() is None and time.monotonic() < end, "Xvfb did not start"
            time.sleep(0.1)
        env = dict(env_without_display(), DISPLAY=f":{n}")
        cfg = demo_config_in(tmp_path)
        kiosk = subprocess.Popen(
            [sys.executable, "main.py", "--config", str(cfg), "--exit-after", "30"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        end = time.monotonic() + 60
        windows: list[tuple[str, int, int, int, int]] = []
        while time.monotonic() < end and kiosk.poll() is None:
            windows = [w for w in _windows(env) if w[1] > 1 and w[2] > 1]
            if windows:
                break
            time.sleep(0.5)
        assert windows, f"no kiosk window on the X server: {kiosk.poll()}"
        time.sleep(1.0)  # let the window settle (a resize would show now)
        windows = [w for w in _windows(env) if w[1] > 1 and w[2] > 1]
        assert [w[1:] for w in windows] == [(1080, 1920, 0, 0)], windows
    finally:
        if kiosk is not None:
            kiosk.terminate()
            log = kiosk.communicate(timeout=30)[0]
            assert "Traceback" not in log, log[-3000:]
        xvfb.terminate()
        xvfb.wait(timeout=10)
        if xvfb.stderr is not None:
            xvfb.stderr.close()

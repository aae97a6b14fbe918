"""`make shots`: render screens to PNGs in shots/ (offscreen driver), portrait and landscape."""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from kiosk.config import PROJECT_ROOT

SIZES = {"portrait": "1080x1920", "landscape": "1920x1080"}


def _capture(config: str | None, size: str, out: Path) -> None:
    """Child process: start the app at `size`, save the home screen to `out`, quit."""
    from kiosk import app as app_mod
    from kiosk import config as config_mod

    cfg = config_mod.load(config)
    from kiosk.ui.fonts import find_cjk_font

    app_mod.prepare_kivy(windowed=True, size=size, font=find_cjk_font(cfg.resolve(cfg.font_path)))
    from kivy.clock import Clock

    from kiosk.ui.app import KioskApp

    app = KioskApp(cfg)

    def shoot(_dt: float) -> None:
        app.screenshot(out)
        app.stop()

    Clock.schedule_once(shoot, 1.0)
    app.run()


def main(argv: list[str] | None = None) -> int:
    """Render every screen/size combination into the output directory."""
    p = argparse.ArgumentParser(prog="python -m kiosk.ui.shots")
    p.add_argument("--config", default=None)
    p.add_argument("--out", default=str(PROJECT_ROOT / "shots"))
    p.add_argument("--child", nargs=2, metavar=("SIZE", "FILE"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        _capture(args.config, args.child[0], Path(args.child[1]))
        return 0
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, KIVY_NO_ARGS="1", KIVY_NO_CONSOLELOG="1")
    failed = 0
    for orientation, size in SIZES.items():
        target = out / f"home-{orientation}.png"
        cmd = [sys.executable, "-m", "kiosk.ui.shots", "--child", size, str(target)]
        if args.config:
            cmd += ["--config", args.config]
        rc = subprocess.run(cmd, env=env, timeout=120).returncode
        ok = rc == 0 and target.is_file()
        failed += not ok
        print(f"{'ok ' if ok else 'FAIL'} {target}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

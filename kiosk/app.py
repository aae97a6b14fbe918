"""Start-up of the kiosk: config → logging → font → Kivy window → KioskApp."""
from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from kiosk import config as config_mod
from kiosk.errors import ConfigError
from kiosk.logs import setup_logging

log = logging.getLogger(__name__)


def prepare_kivy(*, windowed: bool, size: str | None, font: Path | None) -> None:
    """Environment and Kivy config that must be set before the window exists."""
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        # No screen (CI, ssh): SDL's offscreen driver renders with Mesa llvmpipe.
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    from kivy.config import Config

    Config.set("kivy", "exit_on_escape", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    if size:
        w, _, h = size.lower().partition("x")
        Config.set("graphics", "width", str(int(w)))
        Config.set("graphics", "height", str(int(h)))
    if not windowed and not size:
        Config.set("graphics", "fullscreen", "auto")
    if font is not None:
        from kivy.core.text import DEFAULT_FONT, LabelBase

        LabelBase.register(DEFAULT_FONT, str(font))
        log.info("CJK font: %s", font)


def run(config_path: str | None = None, *, windowed: bool = False, size: str | None = None,
        exit_after: float | None = None) -> int:
    """Run the kiosk until it is closed; returns the process exit code."""
    from kiosk.admin.filemodes import UMASK, secure_data_dir

    os.umask(UMASK)  # outbox, WAL/SHM, logs, catalogue files: private whatever the service's umask
    try:
        cfg = config_mod.load(config_path)
    except ConfigError as exc:
        print(f"{exc.path}: configuration invalid:", file=sys.stderr)
        for line in exc.problems:
            print(f"  {line}", file=sys.stderr)
        return 2
    try:
        secure_data_dir(cfg.data_path)
    except OSError as exc:
        print(f"{cfg.data_path}: cannot create the data directory: {exc.strerror or exc}", file=sys.stderr)
        return 2
    lc = cfg.logging
    setup_logging(cfg.resolve(lc.dir, base="data"), lc.level, wire=lc.wire,
                  max_bytes=lc.max_bytes, backups=lc.backups)
    from kiosk.ui.fonts import find_cjk_font

    font = find_cjk_font(cfg.resolve(cfg.font_path))
    prepare_kivy(windowed=windowed, size=size, font=font)
    from kiosk.ui.app import KioskApp

    KioskApp(cfg, exit_after=exit_after).run()
    return 0

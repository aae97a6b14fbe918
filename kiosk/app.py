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


def has_display() -> bool:
    """Whether an X or Wayland display is there to show the kiosk on."""
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def prepare_kivy(*, windowed: bool, size: str | None, font: Path | None) -> None:
    """Environment and Kivy config that must be set before the window exists."""
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    if not has_display():
        # No screen (CI, ssh): SDL's offscreen driver renders with Mesa llvmpipe, at the size
        # of the usual portrait kiosk screen (its "full screen" would be SDL's 1024x768).
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
        size = size or "1080x1920"
    from kiosk.voice.output import choose_audio_driver

    choose_audio_driver()  # no sound card: SDL's dummy output, not a screen of ALSA errors
    from kivy.config import Config

    Config.set("kivy", "exit_on_escape", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    if not windowed and not size and os.environ.get("DISPLAY"):
        # Full screen at the screen's real size: SDL's "desktop" full screen asks the window
        # manager, and a bare X server (no window manager, as on a kiosk) leaves the window at
        # Kivy's default 800x600. A borderless window of the root's size at 0,0 fills the
        # screen with or without a window manager.
        from kiosk.ui.screen import x11_screen_size

        real = x11_screen_size()
        if real is not None:
            size = f"{real[0]}x{real[1]}"
            Config.set("graphics", "borderless", "1")
            Config.set("graphics", "position", "custom")
            Config.set("graphics", "left", "0")
            Config.set("graphics", "top", "0")
            log.info("screen %s (X display %s): full screen", size, os.environ.get("DISPLAY"))
        Config.set("graphics", "fullscreen", "auto")
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


def run(
    config_path: str | None = None,
    *,
    windowed: bool = False,
    size: str | None = None,
    exit_after: float | None = None,
) -> int:
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
        print(
            f"{cfg.data_path}: cannot create the data directory: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return 2
    lc = cfg.logging
    setup_logging(
        cfg.resolve(lc.dir, base="data"),
        lc.level,
        wire=lc.wire,
        max_bytes=lc.max_bytes,
        backups=lc.backups,
    )
    from kiosk.ui.fonts import find_cjk_font

    font = find_cjk_font(cfg.resolve(cfg.font_path))
    headless = not has_display()
    prepare_kivy(windowed=windowed, size=size, font=font)
    from kiosk.ui.app import KioskApp

    app = KioskApp(cfg, exit_after=exit_after)
    if headless:
        from kiosk.ui.screen import mirror_to_file, no_display_notice

        picture = cfg.data_path / "screen.png"
        print(no_display_notice(picture), file=sys.stderr, flush=True)
        mirror_to_file(app, picture)
    app.run()
    return 0

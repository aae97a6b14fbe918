"""The physical screen: its real size on X, and a picture of the kiosk when there is no screen."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MIRROR_EVERY_S = 5.0


def x11_screen_size(display: str | None = None) -> tuple[int, int] | None:
    """(width, height) of the default screen of the X display (DISPLAY), None when unknown."""
    name = ctypes.util.find_library("X11") or "libX11.so.6"
    try:
        x11 = ctypes.CDLL(name)
    except OSError:
        log.warning("libX11 not found: cannot ask the X server for the screen size")
        return None
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    for fn in (x11.XDefaultScreen, x11.XCloseDisplay):
        fn.argtypes = [ctypes.c_void_p]
    for fn in (x11.XDisplayWidth, x11.XDisplayHeight):
        fn.argtypes = [ctypes.c_void_p, ctypes.c_int]
    dpy = x11.XOpenDisplay(display.encode() if display else None)
    if not dpy:
        log.warning("cannot open X display %s", display or os.environ.get("DISPLAY"))
        return None
    try:
        screen = x11.XDefaultScreen(dpy)
        size = (int(x11.XDisplayWidth(dpy, screen)), int(x11.XDisplayHeight(dpy, screen)))
    finally:
        x11.XCloseDisplay(dpy)
    return size if size[0] > 0 and size[1] > 0 else None


def no_display_notice(picture: Path) -> str:
    """What `make run` prints when there is no display to show the kiosk on."""
    return (
        f"No display (DISPLAY and WAYLAND_DISPLAY are not set): the kiosk runs off screen.\n"
        f"  Its home screen is saved every {MIRROR_EVERY_S:.0f} s to {picture}"
        " (open it with an image viewer).\n"
        "  To use it: run `make run` on a desktop, or under a virtual X server with\n"
        "  `xvfb-run -s '-screen 0 1080x1920x24' make run`; `make shots` renders every\n"
        "  screen to shots/*.png."
    )


def mirror_to_file(app: Any, picture: Path, every_s: float = MIRROR_EVERY_S) -> None:
    """While running off screen, save the idle screen to `picture` every few seconds (never a
    screen of a session in progress: it may show a citizen's data). File 0600."""
    from kivy.clock import Clock

    def save(_dt: float) -> None:
        from kiosk.session.states import IDLE

        eng = getattr(app, "engine", None)
        if eng is None or eng.state not in IDLE or app.root is None:
            return
        try:
            picture.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            tmp = picture.with_name(picture.stem + ".tmp.png")
            app.screenshot(tmp)
            os.chmod(tmp, 0o600)
            tmp.replace(picture)
        except Exception as exc:  # noqa: BLE001 - a picture must never stop the kiosk
            log.warning("screen picture not saved: %s", exc)

    def first_frame(*_: Any) -> None:
        from kivy.core.window import Window

        Window.unbind(on_flip=first_frame)
        Clock.schedule_once(save, 0.5)  # the home screen drawn, not the blank first buffer
        app._events.append(Clock.schedule_interval(save, every_s))

    def start(*_: Any) -> None:
        from kivy.core.window import Window

        Window.bind(on_flip=first_frame)

    app.bind(on_start=start)

"""Getting work off and results back onto the Kivy UI thread."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from kivy.clock import Clock

log = logging.getLogger(__name__)


def to_ui(fn: Callable[..., None]) -> Callable[..., None]:
    """Wrap `fn` so that calling it from any thread runs it on the UI thread (next frame)."""

    def post(*args: Any) -> None:
        Clock.schedule_once(lambda _dt: fn(*args), 0)

    return post


def thread_runner(fn: Callable[[], Any], done: Callable[[Any, BaseException | None], None]) -> None:
    """Runner for the engine: `fn` on a worker thread, `done(result, error)` on the UI thread."""
    post = to_ui(done)

    def work() -> None:
        try:
            result = fn()
        except Exception as exc:  # noqa: BLE001 - the engine turns it into an error screen
            log.warning("background call failed: %s", type(exc).__name__)
            post(None, exc)
        else:
            post(result, None)

    threading.Thread(target=work, name="kiosk-work", daemon=True).start()

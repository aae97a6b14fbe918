"""24-hour operation hooks of the running app: systemd ready/watchdog, SIGTERM, SIGHUP reload."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

from kiosk import config as config_mod
from kiosk.errors import ConfigError
from kiosk.watchdog import SystemdNotifier, watchdog_interval

log = logging.getLogger(__name__)

STOP_DEADLINE_S = 2.0
# Settings a SIGHUP may change at run time; device sections need a restart.
RELOADABLE = (
    "hall_name",
    "language",
    "elderly_mode",
    "timeouts",
    "service_hours",
    "logging",
    "admin_pin_hash",
    "terminal",
    "hall_name_en",
    "hall",
)


def reloadable_changes(
    old: config_mod.TerminalConfig, new: config_mod.TerminalConfig
) -> tuple[dict[str, Any], list[str]]:
    """Split the differences into ones applied live and ones that need a restart."""
    live, restart = {}, []
    for name in type(old).model_fields:
        if name == "source":
            continue
        a, b = getattr(old, name), getattr(new, name)
        if a != b:
            if name in RELOADABLE:
                live[name] = b
            else:
                restart.append(name)
    return live, restart


CRASHES_BEFORE_RESTART = 3
CRASH_WINDOW_S = 60.0


class CrashGuard:
    """Kivy exception handler: an error escaping a UI callback ends the citizen's session (wiped,
    back to the home screen) instead of killing the kiosk; more than 3 in a minute means the
    process is not healthy, so the error is raised and systemd starts a clean one."""

    def __init__(self, app: Any, clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.clock = clock
        self._times: list[float] = []

    def handle_exception(self, exc: BaseException) -> int:
        """ExceptionManager.PASS to carry on, RAISE to let the app die."""
        from kivy.base import ExceptionManager

        if not isinstance(exc, Exception):  # KeyboardInterrupt, SystemExit
            return ExceptionManager.RAISE
        now = self.clock()
        self._times = [t for t in self._times if now - t < CRASH_WINDOW_S] + [now]
        if len(self._times) > CRASHES_BEFORE_RESTART:
            log.critical(
                "%d UI errors within %.0f s: exiting for a clean restart",
                len(self._times),
                CRASH_WINDOW_S,
                exc_info=exc,
            )
            return ExceptionManager.RAISE
        log.error(
            "UI error (%s): the session is ended and the kiosk carries on",
            type(exc).__name__,
            exc_info=exc,
        )
        engine = getattr(self.app, "engine", None)
        try:
            if engine is not None:
                engine.end("error")
        except Exception:  # the engine itself is broken: a restart is the only cure
            log.critical("session could not be ended after a UI error", exc_info=True)
            return ExceptionManager.RAISE
        return ExceptionManager.PASS


class Lifecycle:
    """Installs the hooks on a running Kivy App; `apply` receives a reloaded config."""

    def __init__(
        self,
        app: Any,
        cfg: config_mod.TerminalConfig,
        apply: Callable[[config_mod.TerminalConfig], None] | None = None,
        notifier: SystemdNotifier | None = None,
    ) -> None:
        self.app = app
        self.cfg = cfg
        self.apply = apply
        self.notifier = notifier or SystemdNotifier()

    def install(self) -> None:
        """Schedule READY after the first frame, watchdog pings, and the signal handlers."""
        from kivy.clock import Clock

        Clock.schedule_once(lambda _dt: self.notifier.ready(), 0)
        interval = watchdog_interval()
        if interval:
            # Pinged from the Kivy main loop: if the UI freezes, pings stop and systemd restarts us.
            Clock.schedule_interval(self.notifier.ping, interval)
            log.info("systemd watchdog: ping every %.1f s", interval)
        from kivy.base import ExceptionManager

        ExceptionManager.add_handler(CrashGuard(self.app))
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self._on_term)
            signal.signal(signal.SIGHUP, self._on_hup)

    def _on_term(self, _signum: int, _frame: object) -> None:
        from kivy.clock import Clock

        log.info("SIGTERM: stopping")
        self.notifier.stopping()
        # Whatever happens in on_stop, the process is gone within the deadline; every write
        # that matters (outbox, catalogue) is a committed SQLite transaction or an atomic rename.
        timer = threading.Timer(STOP_DEADLINE_S, lambda: os._exit(0))
        timer.daemon = True
        timer.start()
        Clock.schedule_once(lambda _dt: self.app.stop(), 0)

    def _on_hup(self, _signum: int, _frame: object) -> None:
        from kivy.clock import Clock

        Clock.schedule_once(lambda _dt: self.reload(), 0)

    def reload(self) -> bool:
        """Re-read the config file; apply non-device settings; False (old config kept) if invalid."""
        try:
            new = config_mod.load(self.cfg.source)
        except ConfigError as exc:
            log.error(
                "SIGHUP: config not reloaded, keeping the running one: %s", "; ".join(exc.problems)
            )
            return False
        live, restart = reloadable_changes(self.cfg, new)
        if restart:
            log.warning(
                "SIGHUP: changes to %s need a restart (systemctl restart kiosk)", ", ".join(restart)
            )
        self.cfg = self.cfg.model_copy(update=live)
        if self.apply:
            self.apply(self.cfg)
        log.info("SIGHUP: config reloaded (%s)", ", ".join(live) or "no live changes")
        return True

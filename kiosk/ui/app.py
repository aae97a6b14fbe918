"""The Kivy application object and its screens (imports Kivy: call after kiosk.app set-up)."""
from __future__ import annotations

import logging
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import ObjectProperty
from kivy.uix.screenmanager import NoTransition, Screen, ScreenManager

from kiosk.config import PROJECT_ROOT, TerminalConfig
from kiosk.lifecycle import Lifecycle
from kiosk.ui.viewmodels.home import HomeViewModel

log = logging.getLogger(__name__)

KV_DIR = PROJECT_ROOT / "assets" / "kv"


class HomeScreen(Screen):
    """Home screen; everything it shows comes from `vm`."""

    vm = ObjectProperty(None, allownone=True)


def load_kv() -> None:
    """Load every screen's .kv file once."""
    for path in sorted(KV_DIR.glob("*.kv")):
        if str(path) not in Builder.files:
            Builder.load_file(str(path))


class KioskApp(App):
    """The kiosk: a ScreenManager with one screen per step of a session."""

    title = "自助服务终端"

    def __init__(self, cfg: TerminalConfig, exit_after: float | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.cfg = cfg
        self.exit_after = exit_after
        self.home_vm = HomeViewModel(cfg.hall_name)

    def build(self) -> ScreenManager:
        """Build the screen tree."""
        load_kv()
        sm = ScreenManager(transition=NoTransition())
        sm.add_widget(HomeScreen(name="home", vm=self.home_vm))
        Clock.schedule_interval(self.home_vm.tick, 1.0)
        self.lifecycle = Lifecycle(self, self.cfg, apply=self.apply_config)
        self.lifecycle.install()
        if self.exit_after is not None:
            Clock.schedule_once(lambda _dt: self.stop(), self.exit_after)
        log.info("kiosk started: terminal %s, hall %s", self.cfg.terminal_id, self.cfg.hall_name)
        return sm

    def apply_config(self, cfg: TerminalConfig) -> None:
        """Take over reloadable settings (SIGHUP)."""
        self.cfg = cfg
        self.home_vm.hall_name = cfg.hall_name

    def screenshot(self, path: Path) -> Path:
        """Save the current frame as a PNG (used by make shots and tests); returns the file."""
        from kivy.core.window import Window

        # Kivy inserts a counter before the extension (home0001.png): move it to `path`.
        saved = Path(Window.screenshot(name=str(path)))
        saved.replace(path)
        return path

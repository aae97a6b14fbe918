"""GraphicUnitTest harness: the real app on the real simulators and the embedded sandbox.

One set of services (sim:// devices through the drivers, central sandbox, outbox, sync worker)
is built per test class; each test gets a fresh KioskApp and engine on top of it and drives it
with UnitTestTouch taps on the widgets a citizen would touch.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.tests.common import GraphicUnitTest, UnitTestTouch

from kiosk import config as config_mod
from kiosk.ui.fonts import find_cjk_font

ROOT = Path(__file__).resolve().parents[3]
SIZE = (1080, 1920)


def demo_config(data_dir: Path, **overrides: Any) -> config_mod.TerminalConfig:
    """The demo config (simulators + embedded sandbox) with its state in `data_dir`."""
    cfg = config_mod.load(ROOT / "config" / "terminal.toml")
    return cfg.model_copy(update={"data_dir": str(data_dir), **overrides})


class Router:
    """The single event sink the services report to; forwards to the current test's engine."""

    def __init__(self) -> None:
        self.app: Any = None

    def __call__(self, event: Any) -> None:
        if self.app is not None:
            self.app.handle_event(event)


class KioskTestCase(GraphicUnitTest):
    """Base of the flow tests: shared services, a fresh app per test, touch helpers."""

    services: Any = None
    router: Router
    tmp: Path

    @classmethod
    def setUpClass(cls) -> None:
        from kiosk import services as services_mod
        from kiosk.ui.marshal import to_ui

        super().setUpClass()
        cls.tmp = Path(tempfile.mkdtemp(prefix="kiosk-ui-test-"))
        cls.cfg = demo_config(cls.tmp)
        cls.services = services_mod.build(cls.cfg)
        assert not cls.services.problems, cls.services.problems
        cls.router = Router()
        cls.services.start(to_ui(cls.router))

    @classmethod
    def tearDownClass(cls) -> None:
        cls.services.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)
        super().tearDownClass()

    def setUp(self) -> None:
        super().setUp()
        from kivy.core.text import DEFAULT_FONT, LabelBase

        font = find_cjk_font()
        assert font is not None, "no CJK font: make test installs fonts-wqy-microhei"
        LabelBase.register(DEFAULT_FONT, str(font))
        self.Window.size = SIZE

    def tearDown(self) -> None:
        self.router.app = None
        if getattr(self, "app", None) is not None:
            self.app.dispatch("on_stop")  # also resets kv's cached `app` proxy
        super().tearDown()

    def start_app(self, **kwargs: Any) -> Any:
        """A fresh KioskApp on the shared services; returns it rendered."""
        from kivy.lang.parser import global_idmap

        from kiosk.ui.app import KioskApp

        # kv's `app` caches the first running app until it stops: an earlier test that never
        # stopped its app would leave every rule of this one bound to that stale app
        object.__setattr__(global_idmap["app"], "_obj", None)
        self.app = KioskApp(self.cfg, services=self.services, start_services=False, **kwargs)
        self.root = self.app.build()
        self.engine = self.app.engine
        self.router.app = self.app
        self._sync_devices()
        self.render(self.root)
        self.frames(5)  # layouts that depend on other layouts' minimum sizes settle
        return self.app

    def _sync_devices(self) -> None:
        """A new engine starts without the device states the shared sources reported earlier."""
        from kiosk.session.ports import DeviceState

        sims = self.sims()
        if "printer" in sims:
            self.engine.handle(
                DeviceState(
                    "printer",
                    sims["printer"].can_print,
                    "" if sims["printer"].can_print else "paper_out",
                )
            )

    @staticmethod
    def sims() -> dict[str, Any]:
        from drivers.sim import running

        return dict(running)

    # ---- driving ----

    def frames(self, n: int = 2) -> None:
        """Let Kivy run `n` frames (clock callbacks, layout, drawing)."""
        self.advance_frames(n)

    def wait_until(self, pred: Callable[[], bool], timeout: float = 8.0, what: str = "") -> None:
        """Run frames until `pred()` holds (device threads and the sandbox answer in real time)."""
        end = time.monotonic() + timeout
        while not pred():
            if time.monotonic() > end:
                raise AssertionError(f"timed out waiting for {what or pred}")
            self.advance_frames(1)
            time.sleep(0.01)

    def query_by_touch(self, year: str = "2025") -> None:
        """社保缴费明细查询 by touch with the mainland card, defaults kept, to its result."""
        from kiosk.session.states import State

        eng, sims = self.engine, self.sims()
        sims["idcard"].remove()
        self.tap("社保缴费明细查询")
        self.tap("开始办理")
        sims["idcard"].insert("mainland")
        self.wait_until(lambda: eng.state == State.FORM, what="card read")
        for key in year:  # 养老保险 is the default; the year keypad is up
            self.tap(key)
        self.tap("下一步")  # read-only: no confirm step
        self.wait_until(lambda: eng.state == State.RESULT, what="central answer")

    def visible_widgets(self) -> list[Any]:
        """Widgets of the current screen and visible overlays, that a finger can reach."""
        out = []

        def walk(w: Any) -> None:
            if w.opacity == 0 or getattr(w, "disabled", False):
                return
            out.append(w)
            for c in w.children:
                walk(c)

        screen = self.app.sm.current_screen
        walk(screen)
        for child in self.root.children:
            if child is not self.app.sm:
                walk(child)
        return out

    def find(self, text: str) -> Any:
        """The visible widget whose text is `text` (a button, a chip, a tile's name)."""
        hits = [w for w in self.visible_widgets() if getattr(w, "text", None) == text]
        if not hits:
            shown = sorted({getattr(w, "text", "") for w in self.visible_widgets()} - {""})
            raise AssertionError(f"no visible widget with text {text!r}; visible: {shown}")
        return hits[-1]

    def tap(self, target: Any) -> None:
        """Touch the centre of a widget (or of the widget showing `target` text) and release."""
        self.frames(3)  # layout settled: positions are where the citizen sees them
        w = self.find(target) if isinstance(target, str) else target
        x, y = w.to_window(*w.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        touch.touch_up()
        self.frames(2)
        from kivy.uix.scrollview import ScrollView

        p = w.parent
        while p is not None and not isinstance(p, ScrollView):
            p = p.parent if p.parent is not p else None
        if p is not None:  # a ScrollView hands a tap to its children after scroll_timeout
            end = time.monotonic() + p.scroll_timeout / 1000 + 0.1
            while time.monotonic() < end:
                self.frames(1)
                time.sleep(0.01)

    def all_texts(self) -> list[str]:
        """Every text in the whole widget tree (all screens, hidden or not)."""
        texts = []

        def walk(w: Any) -> None:
            t = getattr(w, "text", None)
            if isinstance(t, str) and t:
                texts.append(t)
            for c in w.children:
                walk(c)
            for c in getattr(w, "hidden_layers", ()):  # hidden layers are out of the tree
                walk(c)
            if hasattr(w, "screens"):
                for s in w.screens:
                    if s.parent is None:
                        walk(s)

        walk(self.root)
        return texts

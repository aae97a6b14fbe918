"""The Kivy application object and its screens (imports Kivy: call after kiosk.app set-up)."""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout

import kiosk.ui.widgets  # noqa: F401  (registers the widget classes the .kv files use)
from kiosk import resources
from kiosk.config import TerminalConfig
from kiosk.lifecycle import Lifecycle
from kiosk.session.engine import SessionEngine, Timeouts
from kiosk.session.ports import (
    CentralUnavailable,
    Connectivity,
    DeviceState,
    PrintOutcome,
    QueryAnswer,
    RatingRecord,
    ReceiptDoc,
    Submitted,
)
from kiosk.session.states import State
from kiosk.ui import i18n, theme
from kiosk.ui.marshal import thread_runner, to_ui
from kiosk.ui.screens import SCREENS, HomeScreen  # noqa: F401  (HomeScreen: re-exported)
from kiosk.ui.viewmodels.devdock import DevDockViewModel
from kiosk.ui.viewmodels.help import HallInfo
from kiosk.ui.viewmodels.session import SessionViewModel

log = logging.getLogger(__name__)

KV_DIR = resources.KV_DIR
F12 = 293
ANIMATED = ("identify", "working")


def load_kv(names: list[str] | None = None) -> None:
    """Load .kv files once: the named ones (widgets.kv always first), or all of them."""
    wanted = None if names is None else {"widgets", *names}
    paths = sorted(KV_DIR.glob("*.kv"), key=lambda p: (p.name != "widgets.kv", p.name))
    for path in paths:
        if wanted is not None and path.stem not in wanted:
            continue
        if str(path) not in Builder.files:
            Builder.load_file(str(path))


class NoCentral:
    """Central could not be set up: every call fails (items needing it are greyed offline)."""

    def query(self, item_code: str, payload: Mapping[str, Any]) -> QueryAnswer:
        raise CentralUnavailable("central not configured")

    def submit(self, item_code: str, payload: Mapping[str, Any]) -> Submitted:
        raise CentralUnavailable("central not configured")

    def progress(self, case_no: str) -> QueryAnswer:
        raise CentralUnavailable("central not configured")

    def rate(self, rating: RatingRecord) -> None:
        log.warning("rating not recorded: central not configured")


class NoPrinter:
    """No printer configured: nothing is ever reported as printed."""

    def print_receipt(self, receipt: ReceiptDoc) -> PrintOutcome:
        return PrintOutcome(False, "unreachable")


class KioskApp(App):
    """The kiosk: one screen per session state (a ScreenStack), overlays on top."""

    title = "kiosk"
    lang = StringProperty("zh_CN")
    scale = NumericProperty(1.0)
    hc = BooleanProperty(False)
    anim = NumericProperty(0.0)
    last_case_no = StringProperty("")
    vm = ObjectProperty(None, allownone=True)
    voice = ObjectProperty(None, allownone=True)
    """kiosk.voice.controller.VoiceController (the 语音 button and panel bind to it)."""

    def __init__(
        self,
        cfg: TerminalConfig,
        exit_after: float | None = None,
        *,
        services: Any = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        start_services: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.cfg = cfg
        self.exit_after = exit_after
        self.services = services
        self._clock = clock
        self._wall_clock = wall_clock
        self._start_services = start_services
        self._events: list[Any] = []
        self._deferred = False
        self._stopped = False
        self._services_started = False
        self.engine: SessionEngine | None = None
        self.sm: Any = None
        self.dock = DevDockViewModel()
        self.maintenance: Any = None
        self._started_mono = time.monotonic()
        self._root: Any = None

    # ---- helpers used by the .kv files ----

    def t(self, key: str, lang: str | None = None, **kw: object) -> str:
        """A user-visible string in the current language (pass app.lang to rebind on change)."""
        return i18n.t(key, lang or self.lang, **kw)

    def c(self, name: str, hc: bool | None = None) -> tuple[float, float, float, float]:
        """A theme colour (pass app.hc to rebind when 长辈模式 changes)."""
        return theme.colour(name, self.hc if hc is None else hc)

    # ---- build ----

    def build_engine(self) -> SessionEngine:
        """The services (real ones from the config unless given) and the session engine."""
        if self.services is None:
            # Only the catalogue before the first frame; devices and central come right after
            # it (see _build_rest), so the citizen never waits on a port or the network.
            from kiosk import services as services_mod

            self.services = services_mod.build(self.cfg, devices=False, central=False)
            self._deferred = True
        svc = self.services
        cfg = self.cfg
        engine = SessionEngine(
            svc.catalogue,
            central=svc.central or NoCentral(),
            printer=svc.printer or NoPrinter(),
            timeouts=Timeouts.from_config(cfg.timeouts),
            clock=self._clock,
            wall_clock=self._wall_clock,
            runner=thread_runner,
            service_hours=tuple(cfg.service_hours.windows),
            terminal_id=cfg.terminal_id,
            hall_name=cfg.hall_name,
            default_lang=cfg.language,
            default_elderly=cfg.elderly_mode,
            documents=svc.documents,
        )
        if not cfg.a4printer.enabled:
            engine.devices["a4printer"] = "not_configured"
        if svc.rating_dictionary is not None:  # 好差评 screen from central's dictionary
            engine.rating_dictionary = svc.rating_dictionary.current
        engine.payment.port = svc.payments
        engine.codes.port = svc.codes
        svc.current_order = lambda: engine.payment.order.order_no if engine.payment.order else None
        if svc.central is None and not self._deferred:
            engine.online = False
        if svc.printer is None and not self._deferred:
            engine.devices["printer"] = "unreachable"
        if not cfg.sscard.enabled:
            engine.devices["sscard"] = "not_configured"
        from kiosk.admin.paused import PausedFlag

        if not self._deferred:
            reader = next((s for s in svc.sources if hasattr(s, "rearm")), None)
            engine.card.rearm = reader.rearm if reader is not None else None
            sscard = next((s for s in svc.sources if hasattr(s, "wake")), None)
            engine.sscard_wake = sscard.wake if sscard is not None else None
        if PausedFlag.from_config(cfg).is_set():
            engine.set_in_service(
                False
            )  # a paused terminal never shows its items, not even a frame
        return engine

    def _build_rest(self) -> None:
        """Worker thread: open the devices and central, then hand them to the engine."""
        from kiosk import services as services_mod

        svc = self.services
        try:
            services_mod.build_rest(self.cfg, svc)
        except Exception as exc:  # noqa: BLE001 - the kiosk runs on, greying what it lacks
            svc.problems.append(f"services: {exc}")
            log.error("devices / central not set up: %s", exc)
        finally:
            to_ui(self._rest_ready)()

    def _rest_ready(self) -> None:
        svc, engine = self.services, self.engine
        assert engine is not None
        engine.central = svc.central or NoCentral()
        engine.printer = svc.printer or NoPrinter()
        engine.documents = svc.documents
        engine.payment.port = svc.payments
        engine.codes.port = svc.codes
        if svc.intake is not None:  # damaged queue / disk below the reserve: no new requests
            engine.intake_problem = svc.intake.problem
        if svc.central is None:
            engine.handle(Connectivity(False))
        if svc.printer is None:
            engine.handle(DeviceState("printer", False, "unreachable"))
        self._wire_face()
        self._wire_card_reader()
        if self._stopped:  # the app closed while the devices were opening (on_stop closed them)
            return
        if self._start_services:
            svc.start(to_ui(self.handle_event))
            self._services_started = True

    def _wire_face(self) -> None:
        """人证比对 needs the camera and central; without them its items stay greyed."""
        svc, engine = self.services, self.engine
        assert engine is not None
        if getattr(svc, "camera", None) is None or svc.central is None:
            engine.handle(
                DeviceState(
                    "camera", False, "disabled" if not self.cfg.camera.enabled else "unreachable"
                )
            )
            return
        from kiosk.identity.step import face_factory

        engine.face_factory = face_factory(
            svc.camera,
            svc.central,
            thread_runner,
            to_ui,
            try_s=self.cfg.camera.try_s,
            sink=to_ui(self.handle_event),
        )
        engine.handle(DeviceState("camera", True))

    def _wire_card_reader(self) -> None:
        """Give the engine the reader's re-arm (kiosk.session.card): cards left on it are seen."""
        reader = next(
            (s for s in getattr(self.services, "sources", ()) if hasattr(s, "rearm")), None
        )
        if self.engine is not None and reader is not None:
            self.engine.card.rearm = reader.rearm
        sscard = next(
            (s for s in getattr(self.services, "sources", ()) if hasattr(s, "wake")), None
        )
        if self.engine is not None and sscard is not None:
            self.engine.sscard_wake = sscard.wake

    def handle_event(self, event: Any) -> None:
        """One device or network event, on the UI thread: the engine, then maintenance (history
        and live tests)."""
        assert self.engine is not None
        from kiosk.session.ports import CardRead

        technician = self.maintenance is not None and (
            self.maintenance.visible or self.maintenance.pin.visible
        )
        if not (technician and isinstance(event, CardRead)):  # a test card starts no session
            self.engine.handle(event)
        if self.maintenance is not None:
            self.maintenance.observe(event)

    def _build_maintenance(self) -> None:
        from kiosk.admin.console import Console
        from kiosk.admin.maintenance import MaintenanceMode
        from kiosk.admin.paused import PausedFlag
        from kiosk.ui.viewmodels.maintenance import MaintenanceViewModel

        assert self.engine is not None
        self.maintenance = MaintenanceViewModel(
            MaintenanceMode.from_config(self.cfg, self._wall_clock),
            Console(self.services, self.cfg, started=self._started_mono),
            self.engine,
            lang=self.cfg.language,
            runner=thread_runner,
            paused_flag=PausedFlag.from_config(self.cfg),
            clock=self._clock,
        )
        self._events.append(Clock.schedule_interval(self.maintenance.tick, 1.0))

    def request_maintenance(self) -> None:
        """The hidden gesture (5 s on the hall name): the PIN pad, built on first use."""
        assert self.maintenance is not None and self._root is not None
        if not any(isinstance(w, Factory.PinPadLayer) for w in self._root.layers):
            load_kv(["maintenance"])
            dock = [w for w in self._root.layers if isinstance(w, Factory.DevDock)]
            for w in dock:  # the demo dock stays on top
                self._root.layers.remove(w)
                self._root.remove_widget(w)
            self._root.add_widget(Factory.MaintenanceLayer(vm=self.maintenance))
            self._root.add_widget(Factory.PinPadLayer(vm=self.maintenance.pin))
            for w in dock:
                self._root.add_widget(w)
        self.maintenance.request_entry()

    def build(self) -> FloatLayout:
        """Build the screen tree and start the devices."""
        # Everything imported and configured so far lives as long as the process: take it out
        # of the garbage collector's full passes (each would walk ~200k objects for nothing).
        gc.freeze()
        load_kv(["home"])  # app.kv (the overlays) and the other screens' rules load later
        self.title = i18n.t("app.title", self.cfg.language)
        self.engine = engine = self.build_engine()
        if not self._deferred:
            self._wire_face()
        self.vm = vm = SessionViewModel(engine, hall=HallInfo.from_config(self.cfg))
        vm.rating.ask_indicators = self.cfg.rating.ask_indicators  # 好差评 options (issue 19)
        vm.rating.ask_callback = self.cfg.rating.ask_callback
        from kiosk.voice import ui as voice_ui

        self.voice = voice_ui.build(self)  # before the screens: their 语音 buttons bind to it
        from kiosk.payment.demo import phone_payer

        self.dock = DevDockViewModel(
            set_network=getattr(self.services, "set_network", None),
            pay_phone=phone_payer(
                self.services,
                lambda: engine.payment.order.order_no if engine.payment.order else None,
            ),
        )
        root = self._root = Factory.Layers()
        self.sm = sm = Factory.ScreenStack()
        self._ensure_screen("home")
        self._ensure_screen(vm.screen)
        root.add_widget(sm)  # the hidden overlays come after the first frame
        vm.bind(screen=self._on_screen, lang=self._on_mode, elderly=self._on_mode)
        engine.subscribe(self._report_devices)
        self.services.catalogue_listeners.append(to_ui(engine.set_catalogue))
        self._on_mode()
        self._on_screen()

        def _touched(*_: object) -> bool:
            engine.touch()
            return False  # the touch goes on to the widgets

        root.bind(on_touch_down=_touched)
        self._events = [
            Clock.schedule_interval(vm.tick, 1.0),
            Clock.schedule_interval(self._animate, 1 / 20),
        ]
        from kivy.core.window import Window

        Window.bind(on_keyboard=self._on_key)
        # Everything the home screen does not show waits until its first frame is on the
        # screen: on a 2-core box a worker thread importing requests/fastapi holds the GIL
        # the first frame needs (see "Speed" in docs/ui.md).
        Window.bind(on_flip=self._first_frame_shown)
        if self._deferred:
            import threading

            self._rest_thread = threading.Thread(
                target=self._build_rest, name="kiosk-services", daemon=True
            )
        elif self._start_services:
            self.services.start(to_ui(self.handle_event))
            self._services_started = True
        if self.exit_after is not None:
            Clock.schedule_once(lambda _dt: self.stop(), self.exit_after)
        log.info("kiosk started: terminal %s, hall %s", self.cfg.terminal_id, self.cfg.hall_name)
        return root

    def _first_frame_shown(self, *_: object) -> None:
        """The home screen is on display: start what it did not need, from the next frame."""
        from kivy.core.window import Window

        Window.unbind(on_flip=self._first_frame_shown)
        self._events.append(Clock.schedule_once(self._after_first_frame, 0))

    def _after_first_frame(self, _dt: float) -> None:
        if self._stopped:
            return
        rest = getattr(self, "_rest_thread", None)
        if rest is not None:
            rest.start()  # devices and central
        assert self._root is not None and self.vm is not None
        load_kv(["app", "card_offer"])
        self._root.add_widget(Factory.HelpOverlay(vm=self.vm.help))  # under the countdown
        self._root.add_widget(Factory.RemoveCardOverlay(vm=self.vm.remove_card))
        self._root.add_widget(Factory.CountdownOverlay(vm=self.vm.countdown))
        if self.cfg.demo:
            self._root.add_widget(Factory.DevDock(vm=self.dock))
        self._build_maintenance()
        from kiosk.voice import ui as voice_ui

        voice_ui.attach(self, self.voice)
        # the other screens are built one per frame
        self._events.append(Clock.schedule_interval(self._build_next_screen, 0))

    def on_start(self) -> None:
        """Running for real (App.run): systemd notifications and signal handlers."""
        if threading_is_main():
            self.lifecycle = Lifecycle(self, self.cfg, apply=self.apply_config)
            self.lifecycle.install()

    def _report_devices(self, engine: SessionEngine) -> None:
        """Keep the heartbeat's view of the devices current (no personal data in it)."""
        snap = {
            d: (
                {"status": "ok"}
                if not r
                else {"status": "warning" if r == "near_end" else "fault", "detail": r}
            )
            for d, r in engine.devices.items()
        }
        if engine.paused:  # central's terminal list shows who took it out of service
            snap["service"] = {"status": "disabled", "detail": "out of service (technician)"}
        if self.services is not None and snap != self.services.device_snapshot:
            self.services.device_snapshot = snap

    def _ensure_screen(self, name: str) -> None:
        assert self.sm is not None and self.vm is not None
        if not self.sm.has_screen(name):
            load_kv([name])
            self.sm.add_screen(SCREENS[name](name=name, vm=self.vm.screens[name]))

    def _build_next_screen(self, _dt: float) -> bool:
        missing = [n for n in SCREENS if self.sm is not None and not self.sm.has_screen(n)]
        if missing:
            self._ensure_screen(missing[0])
        if len(missing) <= 1:  # all screens built: they stay for good, like the modules
            gc.freeze()
            return False  # unschedules
        return True

    def _on_screen(self, *_: object) -> None:
        assert self.sm is not None and self.vm is not None
        self._ensure_screen(self.vm.screen)
        self.sm.current = self.vm.screen
        out = self.engine.session.outcome if self.engine else None
        if out is not None and out.submitted is not None:
            self.last_case_no = out.submitted.case_no

    def _on_mode(self, *_: object) -> None:
        assert self.vm is not None
        values = (
            ("lang", self.vm.lang),
            ("scale", theme.ELDERLY_SCALE if self.vm.elderly else 1.0),
            ("hc", self.vm.elderly),
        )
        for name, value in values:
            try:
                setattr(self, name, value)
            except ReferenceError:
                # Kivy quirk: a kv rule's binding can outlive its (collected) widget, and the
                # dispatch to it raises; the kiosk must not die at a session's end for that.
                log.warning("a discarded widget was still bound to app.%s (ignored)", name)
        from kivy.core.window import Window

        Window.clearcolor = self.c("bg", self.hc)

    def _animate(self, _dt: float) -> None:
        if self.vm is not None and self.vm.screen in ANIMATED:
            self.anim = (time.monotonic() / 1.6) % 1.0

    def _on_key(self, _window: Any, key: int, *_: Any) -> bool:
        if key == F12 and self.cfg.demo:
            self.dock.toggle()
            return True
        return False

    def apply_config(self, cfg: TerminalConfig) -> None:
        """Take over reloadable settings (SIGHUP): see kiosk.lifecycle.RELOADABLE."""
        from kiosk.logs import setup_logging

        self.cfg = cfg
        lc = cfg.logging
        setup_logging(
            cfg.resolve(lc.dir, base="data"),
            lc.level,
            wire=lc.wire,
            max_bytes=lc.max_bytes,
            backups=lc.backups,
        )
        if self.engine is not None:
            self.engine.reconfigure(
                hall_name=cfg.hall_name,
                timeouts=Timeouts.from_config(cfg.timeouts),
                service_hours=tuple(cfg.service_hours.windows),
                default_lang=cfg.language,
                default_elderly=cfg.elderly_mode,
            )
        if self.vm is not None:
            self.vm.set_hall(HallInfo.from_config(cfg))
        if self.maintenance is not None:
            self.maintenance.mode.guard.stored_hash = cfg.admin_pin_hash

    def on_stop(self) -> None:
        """Stop timers, devices and background workers."""
        for ev in self._events:
            ev.cancel()
        from kivy.core.window import Window

        Window.unbind(on_keyboard=self._on_key, on_flip=self._first_frame_shown)
        self._stopped = True
        from kiosk.voice import ui as voice_ui

        voice_ui.close(self.voice)
        rest = getattr(self, "_rest_thread", None)
        if rest is not None and rest.is_alive():
            rest.join(15)  # devices still opening: let them finish so they can be closed
        if self.services is not None and (
            self._services_started or (self._deferred and rest is not None and rest.ident)
        ):
            self.services.stop()

    def screenshot(self, path: Path) -> Path:
        """Save the current frame as a PNG (used by make shots and tests); returns the file."""
        from kivy.core.window import Window

        # Kivy inserts a counter before the extension (home0001.png): move it to `path`.
        saved = Path(Window.screenshot(name=str(path)))
        saved.replace(path)
        return path


def threading_is_main() -> bool:
    """Whether we run on the main thread (signal handlers can only be installed there)."""
    import threading

    return threading.current_thread() is threading.main_thread()


__all__ = ["KioskApp", "load_kv", "HomeScreen", "State"]

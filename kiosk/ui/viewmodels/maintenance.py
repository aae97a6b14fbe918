"""View-models of the PIN pad and the maintenance screen (technician side, no widgets here).

Everything the screen can do goes through `kiosk.admin.maintenance.MaintenanceMode.action`
(audited, only while entered) and `kiosk.admin.console.Console` (the running services; never
a second handle on a port the kiosk holds). Blocking calls run on a worker thread (`runner`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty

from kiosk import clock as terminal_clock
from kiosk.admin.maintenance import Entry, MaintenanceMode
from kiosk.session.ports import CardRead, CardUnreadable, CodeScanned, Runner, run_inline
from kiosk.ui.i18n import t
from kiosk.ui.viewmodels.home import status_key

log = logging.getLogger(__name__)

PIN_MAX = 12
PIN_PAD_IDLE_S = 30.0
"""An untouched PIN pad closes by itself (a citizen must not find it open)."""
LIVE_TEST_S = 30.0
"""How long a card or scan test waits for the technician's card or code."""
LOG_PAGE_LINES = 25
DEVICES = ("idcard", "printer", "scanner")


class PinPadViewModel(EventDispatcher):
    """Digits typed so far (shown as dots), what the last attempt said, lockout seconds."""

    visible = BooleanProperty(False)
    lang = StringProperty("zh_CN")
    dots = StringProperty("")
    message = StringProperty("")
    error = BooleanProperty(False)
    locked_s = NumericProperty(0)

    def __init__(
        self,
        mode: MaintenanceMode,
        lang: str,
        on_open: Callable[[], None],
        clock: Callable[[], float] = time.monotonic,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.mode = mode
        self.lang = lang
        self.on_open = on_open
        self.clock = clock
        self._digits = ""
        self._touched = 0.0

    def show(self) -> None:
        """The hidden gesture: open the pad (saying so at once if it is locked)."""
        self._digits, self.dots, self.error = "", "", False
        self._touched = self.clock()
        self.visible = True
        self._say_lock_or_prompt()
        log.info("maintenance PIN pad opened")

    def _say_lock_or_prompt(self) -> None:
        self.locked_s = int(self.mode.guard.remaining_lockout() + 0.999)
        if self.locked_s:
            self.message, self.error = t("maint.pin_locked", self.lang, s=self.locked_s), True
        elif not self.error:
            self.message = t("maint.pin_prompt", self.lang)

    def press(self, digit: str) -> None:
        """One digit key."""
        self._touched = self.clock()
        if digit.isdigit() and len(self._digits) < PIN_MAX and not self.locked_s:
            self._digits += digit
            self.dots = "●" * len(self._digits)

    def erase(self) -> None:
        """The backspace key."""
        self._touched = self.clock()
        self._digits = self._digits[:-1]
        self.dots = "●" * len(self._digits)

    def cancel(self) -> None:
        """Close the pad without trying."""
        self._digits, self.dots = "", ""
        self.visible = False

    def submit(self) -> None:
        """Try the digits typed (scrypt: about 50 ms on this class of machine)."""
        pin, self._digits, self.dots = self._digits, "", ""
        self._touched = self.clock()
        if not pin and not self.locked_s:
            return
        result = self.mode.enter(pin)
        if result.outcome is Entry.OPENED:
            self.visible, self.error = False, False
            self.on_open()
            return
        self.error = True
        if result.outcome is Entry.WRONG:
            self.message = t("maint.pin_wrong", self.lang, n=result.attempts_left)
        elif result.outcome is Entry.NOT_SET:
            self.message = t("maint.pin_not_set", self.lang)
        self._say_lock_or_prompt()

    def tick(self) -> None:
        """Once a second: lockout countdown, and close when left untouched."""
        if not self.visible:
            return
        if self.clock() - self._touched >= PIN_PAD_IDLE_S:
            self.cancel()
            return
        if self.locked_s:
            self._say_lock_or_prompt()
            if not self.locked_s:
                self.error = False
                self.message = t("maint.pin_prompt", self.lang)


class MaintenanceViewModel(EventDispatcher):
    """The maintenance screen: devices and live tests, central, outbox, catalogue, service, log."""

    visible = BooleanProperty(False)
    lang = StringProperty("zh_CN")
    """The technician's language: the terminal's default language, whatever the last citizen chose."""
    tab = StringProperty("status")
    header = StringProperty("")
    idle_text = StringProperty("")
    device_rows = ListProperty()
    """[{"name", "state", "detail", "ok"}] one per device."""
    card_test = StringProperty("")
    scan_test = StringProperty("")
    print_test = StringProperty("")
    central_text = StringProperty("")
    outbox_text = StringProperty("")
    catalogue_text = StringProperty("")
    service_text = StringProperty("")
    paused = BooleanProperty(False)
    busy = StringProperty("")
    """Name of the action running on a worker thread ("" when none)."""
    log_lines = StringProperty("")
    log_page = NumericProperty(0)
    log_pages = NumericProperty(1)

    def __init__(
        self,
        mode: MaintenanceMode,
        console: Any,
        engine: Any,
        *,
        lang: str = "zh_CN",
        runner: Runner = run_inline,
        paused_flag: Any = None,
        clock: Callable[[], float] = time.monotonic,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.mode = mode
        self.console = console
        self.engine = engine
        self.lang = lang
        self.runner = runner
        self.paused_flag = paused_flag
        self.clock = clock
        self.pin = PinPadViewModel(mode, lang, on_open=self._opened, clock=clock)
        self._waiting: dict[str, float] = {}
        """Live test ("card", "scan") → monotonic deadline."""
        self._log: list[str] = []
        if paused_flag is not None and paused_flag.is_set():
            engine.set_in_service(False)
        self.paused = engine.paused

    def tr(self, key: str, **kw: object) -> str:
        """`key` in the technician's language (the terminal's default language)."""
        return t(key, self.lang, **kw)

    # ---- entry and exit ----

    def request_entry(self) -> None:
        """The hidden gesture (5 s on the hall name) was made: ask for the PIN."""
        if not self.visible:
            self.pin.show()

    def _opened(self) -> None:
        self.visible, self.tab = True, "status"
        self.refresh()
        self.check_central()

    def leave(self, reason: str = "technician") -> None:
        """退出维护: audited; everything shown (masked card data included) is forgotten."""
        self.mode.exit(reason)
        self.visible = False
        self._waiting.clear()
        self.card_test = self.scan_test = self.print_test = ""
        self.log_lines, self._log = "", []

    def touch(self) -> None:
        """Any touch on the screen keeps maintenance mode open."""
        if self.visible:
            self.mode.touch()

    def tick(self, *_: object) -> None:
        """Once a second: the out-of-service switch on disk (`kiosk maintenance pause` from a
        shell), idle exit, the live tests' time limit, the header's uptime."""
        self.pin.tick()
        if (
            self.paused_flag is not None
            and (paused := self.paused_flag.is_set()) != self.engine.paused
        ):
            log.info("out-of-service switch changed on disk: following it")
            self.engine.set_in_service(not paused)
            self._fill_service()
        if not self.visible:
            return
        if not self.mode.tick():
            self.leave("idle")
            return
        now = self.clock()
        for test, deadline in list(self._waiting.items()):
            if now >= deadline:
                del self._waiting[test]
                self._set_test(test, self.tr("maint.test_timeout", s=int(LIVE_TEST_S)))
                self.mode.audit.record(f"{test}_test", outcome="timeout")
        self._fill_header()

    # ---- what is shown ----

    def refresh(self) -> None:
        """Read everything again (cheap calls only: no network, no device I/O)."""
        self._fill_header()
        self._fill_devices()
        self._fill_outbox(self.console.outbox())
        self._fill_catalogue(self.console.catalogue())
        self._fill_service()

    def _fill_header(self) -> None:
        info = self.console.info()
        h, m = divmod(int(info.uptime_s) // 60, 60)
        self.header = self.tr(
            "maint.header",
            tid=info.terminal_id,
            ver=info.app_version,
            uptime=self.tr("maint.uptime", h=h, m=m),
        )
        self.idle_text = self.tr("maint.idle", s=int(self.mode.idle_remaining()))

    def _fill_devices(self) -> None:
        rows = []
        for row in self.console.devices(self.engine.devices):
            if not row.configured:
                state = self.tr("maint.dev_off")
            elif row.ok:
                state = self.tr("status.ok")
            else:
                state = f"{self.tr(status_key(row.reason))} ({row.reason})"
            detail = row.url
            if row.last_error:
                when = terminal_clock.strftime("%m-%d %H:%M:%S", row.last_error_at or 0)
                detail += "   " + self.tr("maint.last_error", reason=row.last_error, time=when)
            rows.append(
                {
                    "name": self.tr(f"device.{row.name}"),
                    "state": state,
                    "detail": detail,
                    "ok": bool(row.ok or not row.configured),
                }
            )
        self.device_rows = rows

    def _fill_outbox(self, rep: Any) -> None:
        if not rep.ok:
            self.outbox_text = self.tr("maint.failed", error=rep.error)
            return
        text = self.tr(
            "maint.outbox_counts", pending=rep.pending, dead=rep.dead, delivered=rep.delivered
        )
        if rep.pending and rep.oldest_pending_age_s is not None:
            text += "\n" + self.tr("maint.outbox_oldest", m=int(rep.oldest_pending_age_s // 60))
        if rep.last_error:
            text += "\n" + self.tr("maint.outbox_last_error", error=rep.last_error)
        self.outbox_text = text

    def _fill_catalogue(self, rep: Any) -> None:
        if not rep.ok:
            self.catalogue_text = self.tr("maint.cat_none")
            return
        text = self.tr("maint.cat_info", version=rep.version, items=rep.items, key_id=rep.key_id)
        if rep.expired:
            text += "\n" + self.tr("maint.cat_expired")
        elif rep.days_left is not None:
            text += "\n" + self.tr("maint.cat_days", days=int(rep.days_left))
        self.catalogue_text = text

    def _fill_service(self) -> None:
        self.paused = self.engine.paused
        reason = self.engine.out_of_service_reason()
        key = (
            "maint.paused" if self.paused else ("maint.oos_auto" if reason else "maint.in_service")
        )
        self.service_text = self.tr(key, reason=reason)

    def _set_test(self, test: str, text: str) -> None:
        setattr(self, f"{test}_test", text)

    # ---- actions ----

    def _run(
        self, name: str, fn: Callable[[], Any], done: Callable[[Any], None], shows: str
    ) -> None:
        """An audited action on a worker thread; `done(result)` back on the UI thread. The
        property `shows` says "working" meanwhile, and the error if the action crashed."""
        if not self.visible or self.busy:
            return
        self.busy = name
        setattr(self, shows, self.tr("maint.busy"))

        def finished(result: Any, err: BaseException | None) -> None:
            self.busy = ""
            if not self.visible:
                return
            if err is not None:
                log.error("maintenance %s failed: %s: %s", name, type(err).__name__, err)
                setattr(self, shows, self.tr("maint.failed", error=type(err).__name__))
                return
            done(result)

        self.mode.touch()
        self.runner(lambda: self.mode.action(name, fn), finished)

    def test_print(self) -> None:
        """打印测试页."""

        def done(res: Any) -> None:
            self.print_test = (
                self.tr("maint.print_ok")
                if res.ok
                else self.tr(
                    "maint.print_bad", reason=self.tr(status_key(res.reason)) + f" ({res.reason})"
                )
            )
            self._fill_devices()

        self._run("print_test", lambda: self.console.print_test_page(self.lang), done, "print_test")

    def test_card(self) -> None:
        """读卡测试: the next card placed on the reader is shown masked."""
        self._wait("card")

    def test_scan(self) -> None:
        """扫码测试: the next code scanned is shown shortened and masked."""
        self._wait("scan")

    def _wait(self, test: str) -> None:
        if not self.visible:
            return
        self.mode.touch()
        self._waiting[test] = self.clock() + LIVE_TEST_S
        self._set_test(test, self.tr(f"maint.{test}_wait", s=int(LIVE_TEST_S)))
        self.mode.audit.record(f"{test}_test", outcome="waiting")

    def observe(self, event: object) -> None:
        """Every device event (UI thread): device history, and the live tests' answers."""
        self.console.observe(event)
        if not self.visible:
            return
        from kiosk.admin.console import mask_holder, mask_scan

        if isinstance(event, CardRead) and self._waiting.pop("card", None) is not None:
            card = mask_holder(event.holder)
            self.card_test = self.tr(
                "maint.card_ok",
                name=card.name,
                id=card.id_number,
                type=self.tr(f"maint.card.{card.card_type}"),
            )
            self.mode.action("card_test", lambda: f"{card.card_type} {card.id_number}")
        elif isinstance(event, CardUnreadable) and "card" in self._waiting:
            self.card_test = self.tr("maint.card_bad", reason=event.reason)
            self.mode.audit.record("card_test", outcome="unreadable", reason=event.reason)
        elif isinstance(event, CodeScanned) and self._waiting.pop("scan", None) is not None:
            shown = mask_scan(event.text)
            self.scan_test = self.tr("maint.scan_ok", text=shown, n=len(event.text))
            self.mode.action("scan_test", lambda: shown)
        else:
            self._fill_devices()

    def check_central(self) -> None:
        """心跳测试: a signed heartbeat, round trip and clock skew."""

        def done(res: Any) -> None:
            if not res.ok:
                self.central_text = self.tr("maint.hb_bad", error=res.error)
                return
            skew = round(res.skew_s, 1) + 0.0  # never "-0.0"
            text = self.tr("maint.hb_ok", rtt=f"{res.rtt_ms:.0f}", skew=f"{skew:+.1f}")
            if res.skew_level != "ok":
                text += "\n" + self.tr("maint.skew_" + res.skew_level)
            self.central_text = text

        self._run("heartbeat", self.console.heartbeat, done, "central_text")

    def retry_dead(self) -> None:
        """重试失败记录: dead outbox rows go back in the queue."""

        def done(n: int) -> None:
            self._fill_outbox(self.console.outbox())
            self.outbox_text += "\n" + self.tr("maint.retried", n=n)

        self._run("retry_dead", self.console.retry_dead, done, "outbox_text")

    def refresh_catalogue(self) -> None:
        """立即更新目录: fetch the catalogue from central now."""

        def done(res: Any) -> None:
            self._fill_catalogue(self.console.catalogue())
            if not res.ok:
                note = self.tr("maint.refresh_bad", error=res.error)
            else:
                note = self.tr(
                    "maint.refresh_new" if res.changed else "maint.refresh_same",
                    version=res.version,
                )
            self.catalogue_text += "\n" + note

        self._run("refresh_catalogue", self.console.refresh_catalogue, done, "catalogue_text")

    def set_in_service(self, on: bool) -> None:
        """暂停服务 / 恢复服务 (kept on disk: a restart does not reopen a paused terminal)."""
        if not self.visible:
            return

        def switch() -> str:
            self.engine.set_in_service(on)
            if self.paused_flag is not None:
                self.paused_flag.set(not on)
            return "in service" if on else "out of service"

        try:
            self.mode.action("in_service" if on else "out_of_service", switch)
        except OSError as exc:  # the switch holds now, but a restart would not keep it
            log.error("service switch not saved in %s: %s", self.paused_flag.path, exc)
            self._fill_service()
            self.service_text += "\n" + self.tr(
                "maint.failed", error=exc.strerror or type(exc).__name__
            )
            return
        self._fill_service()

    # ---- log ----

    def show_tab(self, tab: str) -> None:
        """状态 / 日志."""
        self.mode.touch()
        self.tab = tab
        if tab == "log":
            self._log = self.console.log_tail(200)
            self.log_pages = max(1, -(-len(self._log) // LOG_PAGE_LINES))
            self.log_page = self.log_pages - 1  # the newest lines first
            self._fill_log()

    def log_turn(self, step: int) -> None:
        """Older (-1) or newer (+1) log lines."""
        self.mode.touch()
        if 0 <= self.log_page + step < self.log_pages:
            self.log_page += step
            self._fill_log()

    def _fill_log(self) -> None:
        start = self.log_page * LOG_PAGE_LINES
        lines = self._log[start : start + LOG_PAGE_LINES]
        self.log_lines = "\n".join(lines) if lines else self.tr("maint.log_empty")

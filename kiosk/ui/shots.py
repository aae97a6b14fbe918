"""`make shots`: render every screen to PNGs in shots/ (offscreen driver), portrait and landscape.

One child process per window size; each walks real sessions (simulated devices, embedded central
sandbox) through every screen in zh/en × normal/长辈模式, plus the error states (card unreadable,
printer out of paper, offline), and saves a PNG of each. The last receipt the printer simulator
rendered is saved too.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from kiosk import clock as terminal_clock
from kiosk.config import PROJECT_ROOT
from kiosk.ui.shots_help import help_scenario

log = logging.getLogger(__name__)

SIZES = {"portrait": "1080x1920", "landscape": "1920x1080"}
VARIANTS = (("zh_CN", False), ("zh_CN", True), ("en", False), ("en", True))
QUERY, PRINT, APPLY, PROGRESS = "RS-0102", "RS-0101", "GA-0702", "ZW-1001"
PAY = "YB-0202"

Step = float | Callable[[], bool] | tuple[str, str]
"""A scenario yields: seconds to wait, a predicate to wait for, or ("shot", name)."""


def scenario(app: Any, variant: tuple[str, bool], only: set[str] | None = None) -> Iterator[Step]:
    """Drive one language/mode through every screen, yielding waits and shots."""
    from kiosk.session.ports import Connectivity, DeviceState, run_inline
    from kiosk.session.rating import LEVELS
    from kiosk.session.states import State

    eng, vm, dock = app.engine, app.vm, app.dock
    lang, elderly = variant
    sims = _sims()

    def reset() -> None:
        if eng.state not in (State.HOME, State.OUT_OF_SERVICE):
            eng.end("shots")
        eng.set_language(lang)
        eng.set_elderly(elderly)

    def wait_state(state: State, timeout: float = 8.0) -> Callable[[], bool]:
        end = time.monotonic() + timeout
        return lambda: eng.state == state or time.monotonic() > end

    def submitted(code: str, card: str) -> Iterator[Step]:
        """Select an item, identify with a test card, fill the form and confirm it."""
        eng.select(code)
        eng.proceed()
        if sims.get("idcard") is not None:
            dock.remove_card()
            yield 0.6
            dock.place_card(card)
            yield wait_state(State.FORM)
        _fill(eng)
        if eng.state == State.FORM:
            vm.form.next()
        if eng.state == State.CONFIRM:
            eng.confirm()

    eng.runner = run_inline  # central calls inline: every shot shows a settled screen
    reset()
    yield 0.3
    yield ("shot", "home")
    vm.help.open()
    yield ("shot", "home-help")
    vm.help.close()
    vm.home.next_page()
    yield ("shot", "home-page2")
    vm.home.set_category("")
    # query: item → identify (unreadable card) → form (error) → confirm → working → result
    eng.select(QUERY)
    yield ("shot", "item")
    eng.proceed()
    yield ("shot", "identify")
    if sims.get("idcard") is not None:
        dock.unreadable_card()
        end = time.monotonic() + 6
        yield lambda: eng.session.identify_problem == "unreadable" or time.monotonic() > end
        yield ("shot", "identify-unreadable")
        dock.remove_card()
        yield 0.8
        dock.place_card("mainland")
        yield wait_state(State.FORM)
    yield ("shot", "form")
    vm.form.next()
    yield ("shot", "form-errors")
    item = eng.item
    for f in item.fields:
        if f.type == "choice" and not eng.session.values.get(f.name):
            eng.set_value(f.name, f.options[0].value)
        elif f.type == "number" and not eng.session.values.get(f.name):
            eng.set_value(f.name, "2025")
    vm.form.focus(next((f.name for f in item.fields if f.type == "number"), vm.form.active))
    yield ("shot", "form-keypad")
    vm.form.next()
    yield ("shot", "confirm")
    parked: list[Any] = []
    eng.runner = lambda fn, done: parked.append((fn, done))
    eng.confirm()
    yield 0.3
    yield ("shot", "working")
    fn, done = parked.pop()
    eng.runner = run_inline
    run_inline(fn, done)
    yield ("shot", "result-table")
    # printer out of paper → receipt on screen with a QR
    if sims.get("printer") is not None:
        dock.paper = True
        dock.toggle_paper()
    eng.print_receipt()
    yield 0.2
    yield ("shot", "printing-failed")
    if sims.get("printer") is not None:
        dock.toggle_paper()
    eng.finish()
    yield ("shot", "rating")
    vm.rating.choose(LEVELS[3])  # 不满意: a 差评
    yield ("shot", "rating-bad")
    if vm.rating.tags:
        vm.rating.toggle_tag(vm.rating.tags[0]["code"])
    yield ("shot", "rating-bad-tag")
    vm.rating.submit()
    yield ("shot", "done")
    reset()
    # print item: printed (wait until the status poller has seen the paper back)
    end = time.monotonic() + 8
    yield lambda: not eng.devices["printer"] or time.monotonic() > end
    yield from submitted(PRINT, "hmt")
    yield 0.5
    yield ("shot", "printing-printed")
    reset()
    # apply offline → provisional case number
    eng.handle(Connectivity(False))
    app.services.set_network(False)
    yield 0.2
    yield ("shot", "home-offline")
    yield from submitted(APPLY, "mainland")
    yield ("shot", "result-case-offline")
    app.services.set_network(True)
    eng.handle(Connectivity(True))
    # progress by scanned case number
    reset()
    if eng.catalogue.get(PROGRESS) is not None:
        eng.select(PROGRESS)
        eng.proceed() if eng.state == State.ITEM else None
        if sims.get("scanner") is not None:
            dock.scan(app.last_case_no or "610900-20261125-000001")
            end = time.monotonic() + 5
            yield lambda: bool(eng.session.values) or time.monotonic() > end
        yield ("shot", "form-scanned")
        vm.form.next()
        if eng.state == State.CONFIRM:
            eng.confirm()
        yield ("shot", "result-progress")
    reset()
    # countdown overlay
    eng.select(QUERY)
    eng.countdown_started = eng.clock()
    eng._changed()
    yield ("shot", "countdown")
    reset()
    # device fault greying, then out of service
    eng.handle(DeviceState("printer", False, "paper_out"))
    yield ("shot", "home-printer-out")
    eng.handle(DeviceState("printer", True))
    hours = eng.service_hours
    eng.service_hours = (
        ("08:00-08:01",) if terminal_clock.struct().tm_hour != 8 else ("09:00-09:01",)
    )
    eng.tick()
    yield ("shot", "out-of-service")
    eng.service_hours = hours
    eng.tick()
    reset()
    yield from input_states(app, sims, reset)
    reset()
    if variant == ("zh_CN", False):  # the technician's screens are in the terminal's language
        yield from maintenance(app, sims)


def printing_a4(app: Any, variant: tuple[str, bool]) -> Iterator[Step]:
    """A4 certificate states: busy, printed, and failed (out of paper) with the 核验码 on screen."""
    from kiosk.session.ports import DeviceState, run_inline
    from kiosk.session.states import State

    eng, dock = app.engine, app.dock
    a4 = getattr(app.services.documents, "printer", None)
    if a4 is None or not hasattr(a4, "set_fault") or eng.catalogue.get(PRINT) is None:
        return
    lang, elderly = variant

    def start() -> Iterator[Step]:
        if eng.state not in (State.HOME, State.OUT_OF_SERVICE):
            eng.end("shots")
        eng.set_language(lang)
        eng.set_elderly(elderly)
        eng.select(PRINT)
        eng.proceed()
        dock.remove_card()
        yield 0.6
        dock.place_card("mainland")
        end = time.monotonic() + 8
        yield lambda: eng.state == State.FORM or time.monotonic() > end
        _fill(eng)
        if eng.state == State.FORM:
            app.vm.form.next()

    yield from start()
    parked: list[Any] = []
    eng.runner = lambda fn, done: parked.append((fn, done))
    eng.confirm()
    run_inline(*parked.pop())  # central answers; the print job stays parked
    yield 0.2
    yield ("shot", "printing-a4-busy")
    run_inline(*parked.pop())
    eng.runner = run_inline
    yield 0.2
    yield ("shot", "printing-a4-printed")
    a4.set_fault("media_empty")
    yield from start()
    eng.confirm()
    yield 0.2
    yield ("shot", "printing-a4-failed")
    a4.set_fault("")
    eng.end("shots")
    eng.handle(DeviceState("a4printer", True))


def save_documents(out: Path) -> int:
    """document-CODE.png: the first page of every print item's document (specimen, pdftoppm)."""
    from kiosk import config as config_mod
    from kiosk import services
    from kiosk.documents.demo import specimen
    from kiosk.documents.render import render_pdf

    cfg = config_mod.load(None)
    cat = services.load_catalogue(cfg)
    n = 0
    for item in cat.enabled_items():
        if item.document is None:
            continue
        pdf = out / f"document-{item.code}.pdf"
        pdf.write_bytes(
            render_pdf(specimen(item, hall_name=cfg.hall_name, terminal_id=cfg.terminal_id))
        )
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(pdf),
                str(out / f"document-{item.code}"),
            ],
            check=True,
            timeout=60,
        )
        pdf.unlink()
        n += 1
    return n


def input_scenario(
    app: Any, variant: tuple[str, bool], only: set[str] | None = None
) -> Iterator[Step]:
    """`--input-only`: just the issue-16 typing / card / table states of one variant."""
    from kiosk.session.ports import run_inline
    from kiosk.session.states import State

    eng = app.engine

    def reset() -> None:
        if eng.state not in (State.HOME, State.OUT_OF_SERVICE):
            eng.end("shots")
        eng.set_language(variant[0])
        eng.set_elderly(variant[1])

    eng.runner = run_inline
    reset()
    yield 0.3
    yield from input_states(app, _sims(), reset)
    reset()


def input_states(app: Any, sims: dict[str, Any], reset: Callable[[], None]) -> Iterator[Step]:
    """Issue 16 (typing, card handling, result tables): keypad-case, ime-*, card-present-*,
    remove-card, result-table-*."""
    from kiosk.ime.index import shared
    from kiosk.session.states import State

    eng, vm, dock = app.engine, app.vm, app.dock
    # case-number keypad with a provisional number half typed
    if eng.catalogue.get(PROGRESS) is not None:
        eng.select(PROGRESS)
        if eng.state == State.ITEM:
            eng.proceed()
        for ch in "DEMO-0001-2026":
            vm.form.key(ch)
        yield ("shot", "keypad-case")
        reset()
    # 12345: pinyin being typed with candidates, then text chosen, then anonymous confirm
    if eng.catalogue.get(HOTLINE) is not None:
        shared.wait(60)
        eng.select(HOTLINE)
        eng.proceed()
        eng.proceed_anonymous()
        vm.form.choose("help")
        vm.form.choose("city")
        vm.form.focus("content")
        for ch in "lud":
            vm.form.key(ch)
        yield ("shot", "ime-pinyin")
        vm.form.key("back")
        for ch in "dengbuliang":
            vm.form.key(ch)
        yield ("shot", "ime-candidates")
        for _ in range(4):  # the first candidate each time: lu'deng, then bu'liang
            if vm.form.keyboard.composer.letters:
                vm.form.candidate(0)
        vm.form.key(chr(0xFF0C))  # full-width comma
        vm.form.key("mode:latin")
        yield ("shot", "ime-latin")
        vm.form.next()
        yield ("shot", "ime-confirm-anonymous")
        reset()
    # card handling: a card placed on the home screen, then one left behind after a session
    if sims.get("idcard") is not None:
        dock.remove_card()
        yield 0.8
        dock.place_card("mainland")
        end = time.monotonic() + 6
        yield lambda: eng.state == State.CARD_OFFER or time.monotonic() > end
        yield ("shot", "card-present-offer")
        if eng.state == State.CARD_OFFER:
            vm.card_offer.choose(QUERY)
            yield ("shot", "card-present-form")
        _fill(eng)
        if eng.state == State.FORM:
            vm.form.next()  # read-only: straight to the result
        end = time.monotonic() + 6
        yield lambda: eng.state == State.RESULT or time.monotonic() > end
        yield ("shot", "result-table")
        if vm.result.pages > 1:
            vm.result.next_page()
            yield ("shot", "result-table-page2")
        if eng.state == State.RESULT:
            eng.finish()
            eng.skip_rating()
        end = time.monotonic() + 6
        yield lambda: eng.card.left or time.monotonic() > end
        yield ("shot", "remove-card")
        dock.remove_card()
        end = time.monotonic() + 6
        yield lambda: not eng.card.left or time.monotonic() > end
        reset()
    yield 0.1


HOTLINE = "RX-1101"


FACE_ITEM = "RS-0103"


def face_scenario(app: Any, variant: tuple[str, bool]) -> Iterator[Step]:
    """人证比对: consent, guidance (too far), challenge, pass, and a non-match (someone else)."""
    import random

    from kiosk.identity.flow import Phase
    from kiosk.session.states import State

    eng, dock = app.engine, app.dock
    end = time.monotonic() + 10
    yield (
        lambda: (
            (_sims().get("camera") is not None and eng.face_factory is not None)
            or time.monotonic() > end
        )
    )
    cam = _sims().get("camera")
    if (
        cam is None
        or eng.catalogue.get(FACE_ITEM) is None
        or eng.unavailable_reason(eng.catalogue.item(FACE_ITEM))
    ):
        log.warning("face shots skipped: no camera simulator or %s unavailable", FACE_ITEM)
        return

    class TurnsOnly(random.Random):
        # the simulated blink works on the astronaut's photo only: ask Grace Hopper for turns
        def choice(self, seq: Any) -> Any:
            return [c for c in seq if c.value.startswith("turn")][self.randrange(2)]

    def until(pred: Callable[[], bool], timeout: float = 20.0) -> Callable[[], bool]:
        end = time.monotonic() + timeout
        return lambda: pred() or time.monotonic() > end

    def start(person: str) -> Iterator[Step]:
        if eng.state not in (State.HOME, State.OUT_OF_SERVICE):
            eng.end("shots")
        eng.set_language(variant[0])
        eng.set_elderly(variant[1])
        cam.set_source(person)
        eng.select(FACE_ITEM)
        eng.proceed()
        dock.remove_card()
        yield 0.6
        dock.place_card("mainland")
        yield until(lambda: eng.state == State.FACE, 8)

    def phase() -> Any:
        f = eng.session.face
        return f.phase if f is not None else None

    yield from start("astronaut")
    yield ("shot", "face-consent")
    cam.distance = "far"
    cam.set_source("astronaut")
    app.vm.face.consent()
    yield until(lambda: eng.session.face is not None and eng.session.face.problem == "too_far")
    yield 0.2
    yield ("shot", "face-guidance")
    cam.distance = "normal"
    cam.set_source("astronaut")
    yield until(lambda: phase() is Phase.CHALLENGE)
    yield 0.3
    yield ("shot", "face-challenge")
    dock.face_act()
    yield until(
        lambda: bool(eng.session.face_verify_id) or phase() in (Phase.FAILED, Phase.GIVE_UP)
    )
    yield ("shot", "face-pass")
    yield from start("grace_hopper")
    eng.session.face.rng = TurnsOnly(1)
    app.vm.face.consent()
    yield until(lambda: phase() is Phase.CHALLENGE)
    dock.face_act()
    yield until(lambda: phase() in (Phase.FAILED, Phase.GIVE_UP, Phase.PASSED))
    yield ("shot", "face-fail")
    eng.end("shots")
    cam.set_source("astronaut")


def maintenance(app: Any, sims: dict[str, Any]) -> Iterator[Step]:
    """PIN pad, status after the live tests, the log, and the paused terminal."""
    m = app.maintenance
    app.request_maintenance()
    for d in "1111":
        m.pin.press(d)
    m.pin.submit()
    yield ("shot", "maint-pin-wrong")
    for d in "2580":  # the demo PIN
        m.pin.press(d)
    m.pin.submit()
    end = time.monotonic() + 5
    yield lambda: not m.busy or time.monotonic() > end
    m.test_print()
    yield lambda: not m.busy or time.monotonic() > end
    if sims.get("idcard") is not None:
        app.dock.remove_card()
        yield 0.6
        m.test_card()
        app.dock.place_card("mainland")
        yield lambda: m.card_test.startswith(app.t("maint.card_ok")[:4]) or time.monotonic() > end
        app.dock.remove_card()
    if sims.get("scanner") is not None:
        m.test_scan()
        app.dock.scan("https://zwfw.example.gov.cn/e-id?token=8f1c2a9be04d")
        yield 0.5
    yield ("shot", "maint-status")
    m.show_tab("log")
    yield ("shot", "maint-log")
    m.show_tab("status")
    m.set_in_service(False)
    m.leave()
    yield 0.2
    yield ("shot", "out-of-service-paused")
    app.request_maintenance()
    for d in "2580":
        m.pin.press(d)
    m.pin.submit()
    m.set_in_service(True)
    m.leave()


def payment_scenario(app: Any, variant: tuple[str, bool]) -> Iterator[Step]:
    """城乡居民医保缴费: confirm with the amount, the QR waiting, a declined 付款码, paid, expired."""
    from kiosk.payment.demo import DEMO_PAYMENT_CODE
    from kiosk.session.ports import Connectivity, run_inline
    from kiosk.session.states import State

    eng, dock = app.engine, app.dock
    end = time.monotonic() + 10
    yield lambda: eng.payment.port is not None or time.monotonic() > end  # central set up
    yield 0.5  # the devices open with it
    sims = _sims()
    if eng.catalogue is None or eng.catalogue.get(PAY) is None or eng.payment.port is None:
        log.error("payment shots skipped: no %s item or no central", PAY)
        return

    def until(pred: Callable[[], bool], timeout: float = 8.0) -> Callable[[], bool]:
        end = time.monotonic() + timeout
        return lambda: pred() or time.monotonic() > end

    def to_payment() -> Iterator[Step]:
        if eng.state not in (State.HOME, State.OUT_OF_SERVICE):
            eng.end("shots")
        yield until(lambda: eng.state == State.HOME)
        eng.set_language(variant[0])
        eng.set_elderly(variant[1])
        eng.runner = run_inline
        yield until(lambda: not eng.unavailable_reason(eng.catalogue.item(PAY)))
        reason = eng.unavailable_reason(eng.catalogue.item(PAY))
        if reason:
            log.warning(
                "%s not servable (%s): connectivity assumed back for the shots", PAY, reason
            )
            eng.handle(Connectivity(True))
        eng.select(PAY)
        eng.proceed()
        if sims.get("idcard") is not None:
            dock.remove_card()
            yield 0.6
            dock.place_card("mainland")
            yield until(lambda: eng.state == State.FORM)
        eng.set_value("insured_id", SAMPLE["id_number"])
        eng.set_value("year", time.strftime("%Y"))
        eng.set_value("group", "adult")
        eng.submit_form()

    yield from to_payment()
    yield ("shot", "payment-confirm")
    eng.confirm()
    yield 0.3
    yield ("shot", "payment-waiting")
    if sims.get("scanner") is not None:
        dock.scan(DEMO_PAYMENT_CODE[:-4] + "0000")  # a sandbox code that is declined
        yield until(lambda: eng.payment.phase == "failed")
        yield ("shot", "payment-failed")
    dock.pay_with_phone()
    yield until(lambda: eng.payment.phase == "paid")
    yield ("shot", "payment-paid")
    yield until(lambda: eng.session.print_state in ("printed", "failed"))
    yield 0.3
    yield ("shot", "payment-printed")
    yield from to_payment()
    eng.confirm()
    eng.payment._deadline_mono = eng.clock()  # the order's time is up
    yield until(lambda: eng.payment.phase == "expired")
    yield ("shot", "payment-expired")
    eng.end("shots")
    yield until(lambda: eng.state == State.HOME)


SAMPLE = {
    "phone": "13800138000",
    "number": "2025",
    "date": "2026-01-31",
    "case_no": "610900-20261125-000001",
    "id_number": "11010519491231002X",
}


def _fill(eng: Any) -> None:
    """Fill every empty field of the form with a plausible value (screenshots only)."""
    from kiosk.session.states import State

    if eng.state != State.FORM:
        return
    for f in eng.item.fields:
        if eng.session.values.get(f.name) or f.type == "text":
            continue
        value = f.options[0].value if f.type == "choice" else SAMPLE.get(f.type, "")
        if value:
            eng.set_value(f.name, value)


def _sims() -> dict[str, Any]:
    from drivers.sim import running

    return dict(running)


def _capture(
    config: str | None, size: str, orientation: str, out: Path, only: set[str] | None
) -> int:
    """Child process: run the app at `size` and walk every scenario, saving PNGs."""
    from kiosk import app as app_mod
    from kiosk import config as config_mod

    cfg = config_mod.load(config)
    from kiosk.logs import setup_logging
    from kiosk.ui.fonts import find_cjk_font

    lc = cfg.logging  # the maintenance log tab shows this run's own log
    setup_logging(
        cfg.resolve(lc.dir, base="data"),
        lc.level,
        max_bytes=lc.max_bytes,
        backups=lc.backups,
        console=False,
    )

    app_mod.prepare_kivy(windowed=True, size=size, font=find_cjk_font(cfg.resolve(cfg.font_path)))
    from kivy.clock import Clock

    from kiosk.ui.app import KioskApp

    app = KioskApp(cfg)
    saved: list[Path] = []
    failures: list[str] = []

    def steps() -> Iterator[Step]:
        yield 1.5  # devices connect, first heartbeat
        ready = time.monotonic() + 15  # on a loaded machine the devices may take longer
        yield (
            lambda: (
                (
                    _sims().get("idcard") is not None
                    and app.engine is not None
                    and app.engine.state.value == "home"
                    and app.services.documents is not None
                )
                or time.monotonic() > ready
            )
        )
        for variant in VARIANTS:
            tag = ("zh" if variant[0] == "zh_CN" else "en") + ("-elderly" if variant[1] else "")
            walks: list[Iterator[Step]] = []
            if not only or "main" in only:
                walks.append(
                    itertools.chain(scenario(app, variant, only), printing_a4(app, variant))
                )
            if only and "input" in only:  # the default walk already takes the input states
                walks.append(input_scenario(app, variant, only))
            if not only or "payment" in only:
                walks.append(payment_scenario(app, variant))
            if not only or "help" in only:  # 求助 on every screen (kiosk/ui/shots_help.py)
                walks.append(help_scenario(app, variant))
            if not only or "face" in only:  # 人证比对 (camera simulator)
                walks.append(face_scenario(app, variant))
            if only and "rating" in only:  # 好差评 from the rating dictionary (issue 19)
                from kiosk.ui.shots_rating import rating_scenario

                walks.append(rating_scenario(app, variant))
            if not only or "identify" in only:  # 社保卡 and app codes (kiosk/ui/shots_identify.py)
                from kiosk.ui.shots_identify import identify_scenario

                walks.append(identify_scenario(app, variant))
            if not only or "guide" in only:  # 我要办什么, 一件事, 办事指南, policies (issue 23)
                from kiosk.ui.shots_guide import guide_scenario

                walks.append(guide_scenario(app, variant))
            if only and "voice" in only:  # 语音 panel, 语音导办, 双击确认 (kiosk/voice/shots.py)
                from kiosk.voice.shots import voice_scenario

                walks.append(voice_scenario(app, variant))
            for step in (s for walk in walks for s in walk):
                if isinstance(step, tuple):
                    name = f"{step[1]}-{tag}-{orientation}.png"
                    yield ("shot", name)
                else:
                    yield step

    it = steps()

    def advance(_dt: float = 0) -> None:
        try:
            while True:
                step = next(it)
                if isinstance(step, tuple):
                    Clock.schedule_once(lambda _d, n=step[1]: shoot(n), 0.12)
                    return
                if callable(step):
                    poll(step)
                    return
                Clock.schedule_once(advance, step)
                return
        except StopIteration:
            app.stop()
        except Exception as exc:  # noqa: BLE001 - report and carry on with the next variant
            log.exception("shots scenario failed")
            failures.append(repr(exc))
            app.stop()

    def poll(pred: Callable[[], bool]) -> None:
        if pred():
            Clock.schedule_once(advance, 0.1)
        else:
            Clock.schedule_once(lambda _d: poll(pred), 0.1)

    def shoot(name: str) -> None:
        saved.append(app.screenshot(out / name))
        advance()

    Clock.schedule_once(advance, 0.5)
    app.run()
    _save_receipt(out, orientation)
    _save_a4(app, out, orientation)
    print(f"{orientation}: {len(saved)} screenshots", flush=True)
    return 1 if failures else 0


def _save_receipt(out: Path, orientation: str) -> None:
    """The printer simulator's last page, rendered by the simulator itself, as a PNG."""
    sim = _sims().get("printer")
    pages = getattr(sim, "pages", None)
    if not pages:
        return
    try:
        pages[-1].save_png(out / f"receipt-last-{orientation}.png")
    except Exception as exc:  # noqa: BLE001 - a screenshot run must not fail on this
        log.warning("receipt image not saved: %s", exc)


def _save_a4(app: Any, out: Path, orientation: str) -> None:
    """The A4 simulator's last printed certificate (first page preview) as a PNG."""
    png = getattr(getattr(app.services.documents, "printer", None), "last_png", None)
    if png is not None and Path(png).exists():
        import shutil

        shutil.copyfile(png, out / f"document-printed-{orientation}.png")


def main(argv: list[str] | None = None) -> int:
    """Render every screen/size combination into the output directory."""
    p = argparse.ArgumentParser(prog="python -m kiosk.ui.shots")
    p.add_argument("--config", default=None)
    p.add_argument("--out", default=str(PROJECT_ROOT / "shots"))
    p.add_argument("--only", choices=sorted(SIZES), default=None, help="one orientation only")
    p.add_argument(
        "--scenario",
        action="append",
        choices=(
            "main",
            "payment",
            "input",
            "help",
            "face",
            "rating",
            "identify",
            "guide",
            "voice",
        ),
        help="only these scenarios (repeatable; default: main, payment, help and face; "
        "the main walk includes the input states)",
    )
    p.add_argument("--child", nargs=2, metavar=("SIZE", "ORIENTATION"), help=argparse.SUPPRESS)
    p.add_argument(
        "--input-only",
        action="store_true",
        help="only the typing / card / result-table states (= --scenario input)",
    )
    args = p.parse_args(argv)
    if args.input_only:
        args.scenario = [*(args.scenario or ()), "input"]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.child:
        return _capture(
            args.config,
            args.child[0],
            args.child[1],
            out,
            set(args.scenario) if args.scenario else None,
        )
    env = dict(os.environ, KIVY_NO_ARGS="1", KIVY_NO_CONSOLELOG="1")
    print(f"documents: {save_documents(out)} first pages in {out}")
    failed = 0
    for orientation, size in SIZES.items():
        if args.only and orientation != args.only:
            continue
        cmd = [
            sys.executable,
            "-m",
            "kiosk.ui.shots",
            "--out",
            str(out),
            "--child",
            size,
            orientation,
        ]
        if args.config:
            cmd += ["--config", args.config]
        for name in args.scenario or ():
            cmd += ["--scenario", name]
        t0 = time.monotonic()
        rc = subprocess.run(cmd, env=env, timeout=600).returncode
        n = len(list(out.glob(f"*-{orientation}.png")))
        failed += rc != 0
        print(
            f"{'ok ' if rc == 0 else 'FAIL'} {orientation}: {n} PNGs in {out} "
            f"({time.monotonic() - t0:.0f} s)"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

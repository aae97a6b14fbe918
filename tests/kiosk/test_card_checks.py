"""Issue 17 part 7: a present-but-unreadable card and an expired card, through the real reader
driver on the ID card simulator's pty, into the session engine.

Before the fix a card that answered find and select but failed every read (SW3 0x41) looked
like no card at all (after 15 s: "未检测到身份证"), and an expired card was accepted.
"""

from __future__ import annotations

import datetime as dt
import queue
import time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.idcard.reader import IdCardReader
from drivers.sim.base import serve_pty
from drivers.sim.idcard import IdCardSimulator, demo_card
from kiosk import clock
from kiosk.adapters import CardReaderSource
from kiosk.session.cardcheck import card_refusal
from kiosk.session.engine import SessionEngine
from kiosk.session.ports import CardHolder
from kiosk.session.states import State
from kiosk.ui.i18n import t
from tests.kiosk.session.fixtures import FakeCentral, FakeClock, FakePrinter, catalogue


@pytest.fixture
def rig():
    made = []

    def make(card: str, **sim_kw):
        sim = IdCardSimulator(demo_card(card), **sim_kw)
        server = serve_pty(sim)
        reader = IdCardReader(server.port, timeout=0.3, poll_interval=0.05, reconnect_interval=0.05)
        events: queue.Queue = queue.Queue()
        source = CardReaderSource(reader)
        eng = SessionEngine(
            catalogue(),
            central=FakeCentral(),
            printer=FakePrinter(),
            clock=FakeClock(),
            terminal_id="DEMO-0001",
        )
        eng.select("Q-0001")
        eng.proceed()
        assert eng.state == State.IDENTIFY
        source.start(events.put)
        made.append((server, source))
        return sim, eng, events

    yield make
    for server, source in made:
        source.stop()
        server.stop()


def pump(eng: SessionEngine, events: queue.Queue, until, timeout: float = 5.0) -> float:
    """Hand driver events to the engine on this thread until `until()`; returns seconds taken."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout and not until():
        try:
            eng.handle(events.get(timeout=0.05))
        except queue.Empty:
            pass
    return time.monotonic() - t0


def test_present_but_unreadable_card_is_named_not_no_card(rig) -> None:
    sim, eng, events = rig("mainland", read_fault=True)
    took = pump(eng, events, lambda: eng.session.identify_problem != "")
    assert eng.session.identify_problem == "read_failed"
    assert took < 3.0  # three failed reads at the poll pace, not the 15 s "no card" hint
    assert eng.state == State.IDENTIFY and eng.session.holder is None
    assert t("identify.read_failed", "zh_CN") == "卡片无法读取，请重新放置或到服务窗口"
    eng.clock.now += 60  # type: ignore[attr-defined]
    eng.tick()
    assert eng.session.identify_problem == "read_failed"  # never turns into "no card presented"
    sim.read_fault = False  # placed again, read fine now
    sim.remove()
    time.sleep(0.2)
    sim.insert(demo_card("mainland"))
    pump(eng, events, lambda: eng.state != State.IDENTIFY)
    assert eng.state in (State.FORM, State.CONFIRM)


def test_expired_card_is_refused_and_nothing_of_it_kept(rig) -> None:
    _, eng, events = rig("expired")
    pump(eng, events, lambda: eng.session.identify_problem != "")
    assert eng.session.identify_problem == "expired"
    assert eng.state == State.IDENTIFY and eng.session.holder is None
    assert eng.personal_data() == []
    assert "您的身份证已过有效期" in t("identify.expired", "zh_CN")


def test_long_term_card_never_expires(rig) -> None:
    _, eng, events = rig("long_term")
    pump(eng, events, lambda: eng.state != State.IDENTIFY)
    assert eng.state in (State.FORM, State.CONFIRM) and eng.session.holder is not None
    assert eng.session.holder.valid_to == "长期"


def holder(valid_to: str) -> CardHolder:
    return CardHolder(name="测试", id_number="330106198503030022", valid_to=valid_to)


def test_expiry_is_judged_on_the_terminals_date_not_the_systems() -> None:
    # 2026-03-01 17:30 UTC is already 2026-03-02 01:30 in Shanghai.
    epoch = dt.datetime(2026, 3, 1, 17, 30, tzinfo=dt.UTC).timestamp()
    clock.set_zone("Asia/Shanghai")
    assert card_refusal(holder("2026-03-01"), epoch) == "expired"
    assert card_refusal(holder("2026-03-02"), epoch) == ""  # the last day itself is still valid
    clock.set_zone("UTC")
    try:
        assert card_refusal(holder("2026-03-01"), epoch) == ""
    finally:
        clock.set_zone("Asia/Shanghai")


@given(st.dates(dt.date(2000, 1, 1), dt.date(2060, 12, 31)), st.integers(946684800, 2_900_000_000))
def test_card_refusal_property(valid_to: dt.date, epoch: int) -> None:
    today = dt.datetime.fromtimestamp(epoch, ZoneInfo("Asia/Shanghai")).date()
    expected = "expired" if valid_to < today else ""
    assert card_refusal(holder(valid_to.isoformat()), epoch) == expected
    assert card_refusal(holder("长期"), epoch) == ""

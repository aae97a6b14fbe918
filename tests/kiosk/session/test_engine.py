"""Session engine: transitions, timeouts with an injected clock, wipe, 好差评 rules, greying."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.session.engine import SessionEngine, Timeouts
from kiosk.session.errors import InvalidTransition, RatingRefused
from kiosk.session.ports import (
    CardHolder,
    CardRead,
    CardUnreadable,
    CodeScanned,
    Connectivity,
    DeviceState,
)
from kiosk.session.rating import GB39046_CODE, LEVELS, PROVINCIAL_CODE
from kiosk.session.states import State
from tests.kiosk.session.fixtures import ZHANG, FakeCentral, FakeClock, FakePrinter, catalogue

T = Timeouts(
    idle_s=60,
    countdown_s=15,
    identify_s=60,
    working_s=30,
    print_s=30,
    rating_s=45,
    elderly_factor=2.0,
)


def make(**kw):  # type: ignore[no-untyped-def]
    clock = FakeClock()
    central, printer = FakeCentral(), FakePrinter()
    eng = SessionEngine(
        catalogue(),
        central=central,
        printer=printer,
        timeouts=T,
        clock=clock,
        terminal_id="DEMO-0001",
        **kw,
    )
    return eng, clock, central, printer


def to_form(eng: SessionEngine, code: str = "Q-0001") -> None:
    eng.select(code)
    eng.proceed()
    eng.handle(CardRead(ZHANG))


def test_query_flow_to_rating_and_home() -> None:
    eng, clock, central, printer = make()
    to_form(eng)
    assert eng.state == State.FORM
    assert eng.session.values["id_number"] == ZHANG.id_number  # prefilled from the card
    assert not eng.submit_form()
    assert eng.session.errors["year"][0] == "请填写年度"
    eng.set_value("year", "2025")
    assert eng.submit_form()  # a read-only query skips the confirm step
    assert eng.state == State.RESULT and central.calls == [("query", "Q-0001")]
    assert (
        eng.session.outcome
        and eng.session.outcome.answer
        and len(eng.session.outcome.answer.rows) == 2
    )
    eng.print_receipt()
    assert eng.state == State.PRINTING and eng.session.print_state == "printed"
    assert len(printer.printed) == 1
    eng.finish()
    eng.rate("满意")
    assert eng.state == State.DONE and central.ratings[0].level == "满意"
    clock.advance(10)
    eng.tick()
    assert eng.state == State.HOME and eng.personal_data() == [] and eng.last_end_reason == "done"


def test_print_item_prints_right_after_central_answers() -> None:
    eng, clock, central, printer = make()
    to_form(eng, "P-0001")
    assert eng.state == State.CONFIRM  # only a prefilled field: nothing to type
    eng.confirm()
    assert eng.state == State.PRINTING and eng.session.print_state == "printed"
    lines = dict(printer.printed[0].lines)
    assert lines["身份证号"] == "1101**********002X"


def test_printer_failure_is_never_shown_as_printed() -> None:
    eng, clock, central, printer = make()
    printer.reason = "paper_out"
    to_form(eng, "P-0001")
    eng.confirm()
    assert eng.session.print_state == "failed" and eng.session.print_reason == "paper_out"
    assert eng.session.receipt is not None and eng.session.receipt.title == "回执"
    # the receipt printer is now known bad; print items need only the A4 printer
    assert eng.devices["printer"] == "paper_out"
    assert eng.unavailable_reason(eng.catalogue.item("P-0001")) == ""  # type: ignore[union-attr]
    eng.handle(DeviceState("a4printer", False, "media_empty"))
    assert eng.unavailable_reason(eng.catalogue.item("P-0001")) == "device:a4printer"  # type: ignore[union-attr]
    assert eng.unavailable_reason(eng.catalogue.item("Q-0001")) == ""  # type: ignore[union-attr]


def test_print_timeout_is_a_failure() -> None:
    eng, clock, central, printer = make()
    parked = []
    eng.runner = lambda fn, done: parked.append((fn, done))
    to_form(eng, "P-0001")
    eng.confirm()
    fn, done = parked.pop()
    done(fn(), None)  # central answers
    assert eng.state == State.PRINTING and eng.session.print_state == "busy"
    clock.advance(31)
    eng.tick()
    assert eng.session.print_state == "failed" and eng.session.print_reason == "timeout"
    parked.pop()[1](None, None)  # a late printer answer changes nothing
    assert eng.session.print_state == "failed"


def test_apply_offline_gets_provisional_case_number() -> None:
    eng, clock, central, printer = make()
    eng.handle(Connectivity(False))
    assert eng.unavailable_reason(eng.catalogue.item("Q-0001")) == "offline"  # type: ignore[union-attr]
    central.offline_provisional = True
    to_form(eng, "A-0001")
    eng.set_value("phone", "13800138000")
    assert eng.submit_form()
    eng.confirm()
    out = eng.session.outcome
    assert out and out.submitted and out.submitted.provisional
    assert eng.session.service_id == out.submitted.case_no
    assert not eng.cancellable


def test_progress_case_number_by_scanner() -> None:
    eng, clock, central, printer = make()
    eng.select("G-0001")
    eng.handle(CodeScanned("sb-0001-20261125-0123\r"))
    assert eng.state == State.FORM and eng.session.clean["case_no"] == "SB-0001-20261125-0123"
    assert eng.submit_form()  # no confirm step for a read-only query
    assert central.calls == [("progress", "SB-0001-20261125-0123")]


def test_qr_identification_for_id_card_or_qr_items() -> None:
    eng, clock, central, printer = make()
    eng.select("Q-0002")
    eng.proceed()
    assert eng.state == State.IDENTIFY
    eng.handle(CodeScanned("EID:abc12345"))
    # the QR's own claims are never trusted: without central's code check nothing identifies
    assert eng.state == State.IDENTIFY and eng.session.identify_problem == "code_unavailable"

    class Port:  # in-process stand-in for central's POST /v1/identity/code (engine unit test)
        def identify(self, code: str) -> CardHolder:
            assert code == "EID:abc12345"
            return CardHolder("王小明", "610902199101010010", method="app_code")

    eng.codes.port = Port()  # type: ignore[assignment]
    eng.handle(CodeScanned("EID:abc12345"))
    assert eng.state == State.FORM and eng.session.holder is not None
    assert eng.session.holder.method == "app_code" and eng.session.qr_token == ""


def test_identify_messages() -> None:
    eng, clock, central, printer = make()
    eng.select("Q-0001")
    eng.proceed()
    eng.handle(CardUnreadable())
    assert eng.session.identify_problem == "unreadable"
    eng.handle(DeviceState("idcard", False, "no_reply"))
    assert eng.session.identify_problem == "reader_fault"
    eng.handle(DeviceState("idcard", True))
    assert eng.session.identify_problem == ""


def test_no_card_hint_after_a_while() -> None:
    eng, clock, *_ = make()
    eng.select("Q-0001")
    eng.proceed()
    clock.advance(14)
    eng.tick()
    assert eng.session.identify_problem == ""
    clock.advance(1)
    eng.tick()
    assert eng.session.identify_problem == "no_card" and eng.state == State.IDENTIFY


def test_card_on_home_offers_its_items_and_elsewhere_is_ignored() -> None:
    eng, clock, central, printer = make()
    eng.handle(CardRead(ZHANG))
    assert eng.state == State.CARD_OFFER and ZHANG.id_number in eng.personal_data()
    codes = [i.code for i in eng.offered_items()]
    assert codes == ["Q-0001", "P-0001", "A-0001", "Q-0002"]  # not G-0001 (no card needed)
    eng.select_for_card("Q-0001")
    assert eng.state == State.FORM and eng.session.holder == ZHANG  # no second identification
    eng.handle(CardRead(ZHANG))  # a card read in the form changes nothing
    assert eng.state == State.FORM
    eng.cancel()
    eng.handle(CardRead(ZHANG))
    eng.back()
    assert eng.state == State.HOME and eng.personal_data() == []
    eng.handle(DeviceState("a4printer", False, "media_empty"))  # print items need the A4 printer
    eng.handle(CardRead(ZHANG))
    assert "P-0001" not in [i.code for i in eng.offered_items()]  # only what can be served now


def test_card_left_on_the_reader_is_read_for_the_next_item_and_reminded_after() -> None:
    from kiosk.session.ports import CardPresence

    eng, clock, central, printer = make()
    asks: list[bool] = []
    eng.card.rearm = asks.append
    eng.select("P-0001")
    eng.proceed()
    assert asks == [True]  # the item needs a card: one lying on the reader is read now
    eng.handle(CardRead(ZHANG))
    eng.confirm()
    eng.finish()
    eng.rate("满意")
    assert eng.state == State.DONE and asks == [True, False]  # still there? (presence only)
    eng.handle(CardPresence(True))
    assert eng.card.left and eng.card.reminders == 1
    eng.end("done")
    assert eng.card.left and asks == [True, False]  # one probe per session
    eng.handle(CardRead(ZHANG))  # not an offer while the reminder is up (reader re-armed)
    assert eng.state == State.HOME and eng.personal_data() == []
    eng.handle(CardPresence(False))
    assert not eng.card.left
    # a card placed after the probe window is an offer, not a reminder
    eng.card.probe_until = 0.0
    eng.handle(CardPresence(True))
    assert not eng.card.left


def test_inactivity_countdown_then_wipe() -> None:
    eng, clock, central, printer = make()
    to_form(eng)
    assert ZHANG.id_number in eng.personal_data()
    clock.advance(59)
    eng.tick()
    assert eng.countdown_remaining is None
    clock.advance(1)
    eng.tick()
    assert eng.countdown_remaining == 15
    eng.continue_session()  # big continue button
    assert eng.countdown_remaining is None and eng.state == State.FORM
    clock.advance(60)
    eng.tick()
    clock.advance(15)
    eng.tick()
    assert eng.state == State.HOME and eng.last_end_reason == "timeout"
    assert eng.personal_data() == [] and eng.session.holder is None


def test_elderly_mode_waits_longer_and_resets_after_session() -> None:
    eng, clock, *_ = make()
    eng.set_elderly(True)
    to_form(eng)
    clock.advance(100)
    eng.tick()
    assert eng.countdown_remaining is None  # 60 s × 2
    clock.advance(20)
    eng.tick()
    assert eng.countdown_remaining == 30
    eng.cancel()
    assert eng.elderly is False


def test_working_timeout_becomes_error_result_and_late_answer_is_dropped() -> None:
    eng, clock, *_ = make()
    parked = []
    eng.runner = lambda fn, done: parked.append((fn, done))
    to_form(eng)
    eng.set_value("year", "2025")
    eng.submit_form()  # straight to central (read-only)
    assert eng.state == State.WORKING
    clock.advance(30)
    eng.tick()
    assert (
        eng.state == State.RESULT and eng.session.outcome and eng.session.outcome.error == "timeout"
    )
    fn, done = parked.pop()
    done(fn(), None)
    assert eng.session.outcome.error == "timeout"


def test_central_error_shows_error_result() -> None:
    eng, clock, central, printer = make()
    central.fail = True
    to_form(eng)
    eng.set_value("year", "2025")
    eng.submit_form()
    assert eng.session.outcome and eng.session.outcome.error == "unavailable" and not eng.can_print


def test_bad_rating_needs_tag_and_one_rating_per_service() -> None:
    eng, clock, central, printer = make()
    to_form(eng, "P-0001")
    eng.confirm()
    eng.finish()
    with pytest.raises(RatingRefused):
        eng.rate("不满意")
    with pytest.raises(RatingRefused):
        eng.rate("非常不满意", ["no_such_tag"])
    eng.rate("非常不满意", ["attitude", "attitude", "long_wait"])
    assert central.ratings[-1].tags == ("attitude", "long_wait")
    with pytest.raises(InvalidTransition):
        eng.rate("满意")
    assert len(central.ratings) == 1


def test_skip_and_rating_timeout_are_recorded() -> None:
    eng, clock, central, printer = make()
    to_form(eng, "P-0001")
    eng.confirm()
    eng.finish()
    eng.skip_rating()
    assert central.ratings[-1].skipped and central.ratings[-1].level is None
    clock.advance(10)
    eng.tick()
    to_form(eng, "P-0001")
    eng.confirm()
    eng.finish()
    clock.advance(45)
    eng.tick()
    clock.advance(15)
    eng.tick()
    assert eng.state == State.HOME
    assert central.ratings[-1].skipped and central.ratings[-1].reason == "timeout"


def test_level_codes_only_at_the_edge() -> None:
    assert GB39046_CODE["非常满意"] == 1 and PROVINCIAL_CODE["非常满意"] == 5
    assert [GB39046_CODE[x] + PROVINCIAL_CODE[x] for x in LEVELS] == [6] * 5


def test_out_of_service_outside_hours() -> None:
    wall = [time.mktime((2026, 11, 25, 3, 0, 0, 0, 0, -1))]
    eng, *_ = make(service_hours=("08:00-20:00",), wall_clock=lambda: wall[0])
    assert eng.state == State.OUT_OF_SERVICE and eng.out_of_service_reason() == "hours"
    wall[0] += 6 * 3600
    eng.tick()
    assert eng.state == State.HOME


def test_out_of_service_when_nothing_can_be_served() -> None:
    eng, *_ = make()
    eng.handle(Connectivity(False))
    assert eng.state == State.HOME
    assert [i.code for i in eng.servable_items()] == ["A-0001"]  # apply, accepted offline
    eng.handle(DeviceState("idcard", False, "no_reply"))
    assert eng.state == State.OUT_OF_SERVICE and eng.out_of_service_reason() == "nothing"
    eng.handle(DeviceState("idcard", True))
    assert eng.state == State.HOME


def test_technician_pause_lets_the_session_finish_then_holds_out_of_service() -> None:
    eng, clock, *_ = make()
    to_form(eng)
    eng.set_in_service(False)
    assert eng.state == State.FORM  # the citizen at the screen is not thrown out
    eng.cancel()
    assert eng.state == State.OUT_OF_SERVICE and eng.out_of_service_reason() == "paused"
    clock.advance(3600)
    eng.tick()
    assert eng.state == State.OUT_OF_SERVICE
    eng.handle(DeviceState("printer", True))  # a device recovering does not reopen it
    assert eng.state == State.OUT_OF_SERVICE
    eng.set_in_service(True)
    assert eng.state == State.HOME and eng.out_of_service_reason() == ""


def test_new_catalogue_waits_for_the_session_to_end() -> None:
    from kiosk.catalogue.schema import build_catalogue
    from tests.kiosk.session.fixtures import catalogue_dict

    eng, *_ = make()
    data = catalogue_dict()
    data["version"] = 2
    data["items"] = data["items"][:1]
    eng.select("Q-0001")
    eng.set_catalogue(build_catalogue(data))
    assert eng.catalogue is not None and eng.catalogue.version == 1  # not mid-session
    eng.cancel()
    assert eng.catalogue.version == 2 and len(eng.catalogue.items) == 1
    data["version"] = 3
    eng.set_catalogue(build_catalogue(data))
    assert eng.catalogue.version == 3  # idle: at once


def test_unavailable_item_cannot_be_selected() -> None:
    eng, *_ = make()
    eng.handle(DeviceState("a4printer", False, "media_empty"))
    with pytest.raises(InvalidTransition):
        eng.select("P-0001")


ACTIONS = st.lists(
    st.sampled_from(
        [
            "select_q",
            "select_p",
            "select_a",
            "select_g",
            "proceed",
            "card",
            "unreadable",
            "scan",
            "year",
            "phone",
            "submit",
            "confirm",
            "print",
            "finish",
            "rate_good",
            "rate_bad",
            "skip",
            "back",
            "cancel",
            "tick5",
            "tick40",
            "tick90",
            "offline",
            "online",
            "paper_out",
            "paper_ok",
            "continue",
        ]
    ),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(ACTIONS)
def test_random_sessions_never_keep_personal_data_after_end(actions: list[str]) -> None:
    eng, clock, central, printer = make()
    ends = 0
    for a in actions:
        try:
            {
                "select_q": lambda: eng.select("Q-0001"),
                "select_p": lambda: eng.select("P-0001"),
                "select_a": lambda: eng.select("A-0001"),
                "select_g": lambda: eng.select("G-0001"),
                "proceed": eng.proceed,
                "card": lambda: eng.handle(CardRead(ZHANG)),
                "unreadable": lambda: eng.handle(CardUnreadable()),
                "scan": lambda: eng.handle(CodeScanned("SB2026000001")),
                "year": lambda: eng.set_value("year", "2025"),
                "phone": lambda: eng.set_value("phone", "13800138000"),
                "submit": eng.submit_form,
                "confirm": eng.confirm,
                "print": eng.print_receipt,
                "finish": eng.finish,
                "rate_good": lambda: eng.rate("满意"),
                "rate_bad": lambda: eng.rate("不满意", ["attitude"]),
                "skip": eng.skip_rating,
                "back": eng.back,
                "cancel": eng.cancel,
                "tick5": lambda: (clock.advance(5), eng.tick()),
                "tick40": lambda: (clock.advance(40), eng.tick()),
                "tick90": lambda: (clock.advance(90), eng.tick()),
                "offline": lambda: eng.handle(Connectivity(False)),
                "online": lambda: eng.handle(Connectivity(True)),
                "paper_out": lambda: setattr(printer, "reason", "paper_out"),
                "paper_ok": lambda: (
                    setattr(printer, "reason", ""),
                    eng.handle(DeviceState("printer", True)),
                ),
                "continue": eng.continue_session,
            }[a]()
        except (InvalidTransition, KeyError, RatingRefused):
            pass
        if eng.state in (State.HOME, State.OUT_OF_SERVICE):
            assert eng.personal_data() == [] and eng.session.holder is None
        if eng.sessions_ended > ends:
            ends = eng.sessions_ended
            assert eng.personal_data() == []
    # at most one rating (rated or skipped) per service id
    ids = [r.service_id for r in central.ratings]
    assert len(ids) == len(set(ids))


def test_reconfigure_applies_reloaded_settings() -> None:
    noon = time.mktime((2026, 11, 25, 12, 0, 0, 0, 0, -1))
    eng, clock, *_ = make(wall_clock=lambda: noon)
    longer = Timeouts(
        idle_s=300,
        countdown_s=15,
        identify_s=60,
        working_s=30,
        print_s=30,
        rating_s=45,
        elderly_factor=2.0,
    )
    eng.reconfigure(
        hall_name="新大厅",
        timeouts=longer,
        service_hours=("08:00-09:00",),
        default_lang="en",
        default_elderly=True,
    )
    assert eng.hall_name == "新大厅" and eng.lang == "en" and eng.elderly
    assert eng.state == State.OUT_OF_SERVICE  # noon is outside the new hours
    eng.reconfigure(
        hall_name="新大厅",
        timeouts=longer,
        service_hours=(),
        default_lang="zh_CN",
        default_elderly=False,
    )
    assert eng.state == State.HOME and eng.lang == "zh_CN"
    eng.select("Q-0001")
    clock.now += 100  # past the old 60 s idle limit, inside the new 300 s
    eng.tick()
    assert eng.countdown_started is None and eng.state == State.ITEM


def test_card_or_qr_item_is_greyed_only_when_both_ways_are_down() -> None:
    from kiosk.catalogue.schema import build_catalogue
    from tests.kiosk.session.fixtures import catalogue_dict

    data = catalogue_dict()
    for item in data["items"]:
        if item["code"] == "Q-0002":
            item["devices"] = []  # as in the shipped catalogue: needs one of the two, not both
    eng, *_ = make()
    eng.set_catalogue(build_catalogue(data))
    item = eng.catalogue.get("Q-0002")
    eng.handle(DeviceState("idcard", False, "no_reply"))
    assert eng.unavailable_reason(item) == ""  # QR still works
    eng.handle(DeviceState("idcard", True))
    eng.handle(DeviceState("scanner", False, "unreachable"))
    assert eng.unavailable_reason(item) == ""  # the card still works
    eng.handle(DeviceState("idcard", False, "no_reply"))
    assert eng.unavailable_reason(item) == "device:idcard"


def test_defaults_fill_the_form_and_anonymous_needs_the_designs_fields() -> None:
    from kiosk.catalogue.schema import build_catalogue
    from tests.kiosk.catalogue.conftest import source_dict

    central, printer = FakeCentral(), FakePrinter()
    eng = SessionEngine(
        build_catalogue(source_dict()), central=central, printer=printer, clock=FakeClock()
    )
    eng.select("RX-1101")
    eng.proceed()
    eng.proceed_anonymous()
    assert eng.state == State.FORM and eng.session.holder is None
    assert "reply" not in eng.session.values  # no call-back default for an anonymous request
    eng.set_value("request_type", "help")
    eng.set_value("topic", "city")
    assert not eng.submit_form()
    assert set(eng.session.errors) == {"content"}  # required only when anonymous; phone is not
    eng.set_value("content", "路灯不亮")
    assert eng.submit_form() and eng.state == State.CONFIRM
    payload = eng._payload()
    assert payload["_anonymous"] is True and "_holder" not in payload  # what the outbox gets
    eng.confirm()
    assert central.calls[-1] == ("submit", "RX-1101")
    eng.end("done")
    eng.select("RS-0101")
    eng.proceed()
    eng.handle(CardRead(ZHANG))
    assert eng.session.values["insurance"] == "all" and eng.session.values["period"] == "m12"

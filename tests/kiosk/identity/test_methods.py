"""The identify step with several methods (issue 24): availability, refusals, first one wins."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from kiosk.catalogue.schema import build_catalogue
from kiosk.identity.codes import CodeRefusedByCentral
from kiosk.identity.methods import working_methods
from kiosk.session.engine import SessionEngine
from kiosk.session.ports import CardHolder, CardRead, CodeScanned, Connectivity, DeviceState
from kiosk.session.states import State
from tests.kiosk.session.fixtures import ID, YEAR, ZHANG, FakeCentral, FakeClock, FakePrinter
from tests.kiosk.session.fixtures import catalogue_dict as base_dict

SS = dataclasses.replace(ZHANG, method="sscard", valid_to="2031-06-01")


def _engine(auth: list[str], **item: Any) -> SessionEngine:
    d = base_dict()
    d["items"].append(
        {
            "code": "M-0001",
            "name_zh": "多方式",
            "name_en": "All ways",
            "department_zh": "某局",
            "department_en": "Some bureau",
            "category": "general",
            "kind": "query",
            "auth": auth,
            "order": 9,
            "devices": [],
            "fields": [ID, YEAR],
            **item,
        }
    )
    eng = SessionEngine(
        build_catalogue(d),
        central=FakeCentral(),
        printer=FakePrinter(),
        clock=FakeClock(),
        terminal_id="DEMO-0001",
    )
    return eng


class Port:
    """In-process stand-in for central's code check (engine unit test; the real endpoint is
    tested in tests/central/test_codes.py and through the app in tests/kiosk/ui)."""

    def __init__(self, answer: Callable[[str], CardHolder]) -> None:
        self.answer, self.calls = answer, []

    def identify(self, code: str) -> CardHolder:
        self.calls.append(code)
        return self.answer(code)


def _identify(eng: SessionEngine) -> None:
    eng.select("M-0001")
    eng.proceed()
    assert eng.state == State.IDENTIFY


def test_item_stays_servable_while_one_method_works() -> None:
    eng = _engine(["id_card", "sscard", "app_code"])
    item = eng.catalogue.item("M-0001")
    eng.handle(DeviceState("idcard", False, "unreachable"))
    eng.handle(DeviceState("sscard", False, "unreachable"))
    assert eng.unavailable_reason(item) == "" and working_methods(item, eng.devices, True) == (
        "app_code",
    )
    eng.handle(Connectivity(False))  # a code needs central: nothing left, and queries need it too
    assert eng.unavailable_reason(item) != ""
    eng.handle(Connectivity(True))
    eng.handle(DeviceState("scanner", False, "unreachable"))
    assert eng.unavailable_reason(item) == "device:idcard"
    eng.handle(DeviceState("sscard", True))
    assert eng.unavailable_reason(item) == ""


def test_sscard_identifies_and_an_id_card_only_item_refuses_it() -> None:
    eng = _engine(["id_card", "sscard"])
    _identify(eng)
    eng.handle(CardRead(SS))
    assert eng.state == State.FORM and eng.session.holder.method == "sscard"
    eng.end("cancel")
    assert eng.personal_data() == []
    eng.select("Q-0001")  # id_card only
    eng.proceed()
    eng.handle(CardRead(SS))
    assert eng.state == State.IDENTIFY and eng.session.identify_problem == "sscard_not_accepted"
    assert eng.session.holder is None


def test_expired_sscard_and_a_card_on_the_home_screen() -> None:
    eng = _engine(["id_card", "sscard"])
    eng.handle(CardRead(SS))  # a 社保卡 in the slot at home starts nothing (the ID card's offer)
    assert eng.state == State.HOME and eng.personal_data() == []
    _identify(eng)
    eng.handle(CardRead(dataclasses.replace(SS, valid_to="2020-01-01")))
    assert eng.session.identify_problem == "sscard_expired" and eng.session.holder is None


def test_code_refusals_and_success() -> None:
    eng = _engine(["id_card", "app_code"])
    _identify(eng)
    answers: dict[str, Any] = {
        "used": CodeRefusedByCentral("code_used"),
        "old": CodeRefusedByCentral("code_expired"),
        "down": ConnectionError("network"),
    }

    def answer(code: str) -> CardHolder:
        if code in answers:
            raise answers[code]
        return CardHolder("王小明", "610902199101010010", method="app_code")

    eng.codes.port = Port(answer)  # type: ignore[assignment]
    for code, problem in (("used", "code_used"), ("old", "code_expired"), ("down", "code_offline")):
        eng.handle(CodeScanned(code))
        assert eng.state == State.IDENTIFY and eng.session.identify_problem == problem
    eng.handle(CodeScanned("good-code-1"))
    assert eng.state == State.FORM and eng.session.holder.method == "app_code"
    assert "good-code-1" not in eng.personal_data()  # the code itself is not kept


def test_first_presented_wins_a_card_beats_a_code_in_flight() -> None:
    eng = _engine(["id_card", "sscard", "app_code"])
    pending: list[Callable[[], None]] = []

    def later(work: Callable[[], Any], done: Callable[[Any, BaseException | None], None]) -> None:
        pending.append(lambda: done(work(), None))  # central answers after the card is read

    eng.runner = later
    eng.codes.port = Port(lambda c: CardHolder("王小明", "610902199101010010", method="app_code"))  # type: ignore[assignment]
    _identify(eng)
    eng.handle(CodeScanned("slow-code-1"))
    assert eng.session.identify_problem == "code_checking"
    eng.handle(CardRead(SS))
    assert eng.state == State.FORM and eng.session.holder.method == "sscard"
    pending.pop()()  # the late answer changes nothing
    assert eng.session.holder.method == "sscard" and eng.state == State.FORM


def test_a_code_for_an_item_without_app_code_is_not_an_identity() -> None:
    eng = _engine(["id_card", "sscard"])
    eng.codes.port = Port(lambda c: CardHolder("王小明", "610902199101010010", method="app_code"))  # type: ignore[assignment]
    _identify(eng)
    eng.handle(CodeScanned("some-code-1"))
    assert eng.state == State.IDENTIFY and eng.session.holder is None
    assert eng.codes.port.calls == []  # type: ignore[union-attr]

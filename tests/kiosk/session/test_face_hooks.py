"""The engine's small hooks for the face step (the step itself: tests/kiosk/identity)."""

from __future__ import annotations

from typing import Any

from kiosk.catalogue.schema import build_catalogue
from kiosk.session import engine as engine_mod
from kiosk.session.engine import SessionEngine
from kiosk.session.ports import CardRead, DeviceState
from kiosk.session.states import State
from tests.kiosk.session.fixtures import (
    ID,
    ZHANG,
    FakeCentral,
    FakeClock,
    FakePrinter,
    _item,
    catalogue_dict,
)

CODE = "F-0001"


class Step:
    """Stands in for kiosk.identity.flow.FaceFlow: records what the engine asks of it."""

    def __init__(self) -> None:
        self.wiped = 0
        self.ticks = 0

    def tick(self) -> None:
        self.ticks += 1

    def wipe(self) -> None:
        self.wiped += 1


def _engine() -> tuple[Any, FakeClock, list[Step]]:
    clock = FakeClock()
    data = catalogue_dict()
    data["items"].append(
        _item(CODE, "apply", "id_card+face", 9, [ID], devices=["idcard", "camera"])
    )
    eng = SessionEngine(
        build_catalogue(data), central=FakeCentral(), printer=FakePrinter(), clock=clock
    )
    made: list[Step] = []
    eng.face_factory = lambda _e, _h: made.append(Step()) or made[-1]
    return eng, clock, made


def _holder() -> Any:
    return ZHANG


def test_no_factory_or_no_camera_greys_the_item() -> None:
    eng, _, _ = _engine()
    item = eng.catalogue.item(CODE)
    assert eng.unavailable_reason(item) == ""
    eng.handle(DeviceState("camera", False, "missing"))
    assert eng.unavailable_reason(item) == "device:camera"
    eng.handle(DeviceState("camera", True))
    eng.face_factory = None
    assert eng.unavailable_reason(item) == "device:camera"


def test_card_then_face_then_form_and_every_end_wipes_the_step() -> None:
    eng, clock, made = _engine()
    eng.select(CODE)
    eng.proceed()
    eng.handle(CardRead(_holder()))
    assert eng.state == State.FACE and len(made) == 1
    eng.tick()
    assert made[0].ticks == 1
    eng.face_passed("FV-1")
    assert eng.state == State.FACE  # "比对通过" shows first
    clock.advance(engine_mod.FACE_PASSED_S)
    eng.tick()
    assert (
        eng.state == State.CONFIRM and made[0].wiped == 1 and eng.session.face is None
    )  # all prefilled
    assert eng.session.face_verify_id == "FV-1"
    eng.end("cancel")
    eng.select(CODE)
    eng.proceed()
    eng.handle(CardRead(_holder()))
    eng.back()
    assert eng.state == State.ITEM and made[1].wiped == 1 and eng.session.holder is None
    eng.proceed()
    eng.handle(CardRead(_holder()))
    eng.end("timeout")
    assert made[2].wiped == 1 and eng.personal_data() == []


def test_card_first_start_still_goes_through_the_face_step() -> None:
    """A card placed on the home screen (CARD_OFFER) must not skip 人证比对 for id_card+face."""
    eng, clock, made = _engine()
    eng.handle(CardRead(_holder()))
    assert eng.state == State.CARD_OFFER
    assert CODE in [i.code for i in eng.offered_items()]
    eng.select_for_card(CODE)
    assert eng.state == State.FACE and len(made) == 1  # not the form
    eng.face_passed("FV-2")
    clock.advance(engine_mod.FACE_PASSED_S)
    eng.tick()
    assert eng.state in (State.FORM, State.CONFIRM) and made[0].wiped == 1
    assert eng.session.face_verify_id == "FV-2"

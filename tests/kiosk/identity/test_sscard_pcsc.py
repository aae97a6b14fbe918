"""Done-when of issue 24: a citizen without an ID card finishes a 社保 item with a 社保卡 read
through a real pcscd (vpcd reader, card simulator on its socket), the terminal's real services
and central sandbox behind the session engine."""

from __future__ import annotations

import queue
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from drivers.sim.sscard import SSCardSimulator
from drivers.sim.vpcd import VpcdCard
from kiosk import services
from kiosk.session.engine import SessionEngine, Timeouts
from kiosk.session.ports import DeviceState
from kiosk.session.states import State
from tests.kiosk.ui.harness import demo_config


@pytest.fixture
def terminal(
    tmp_path: Path, pcscd
) -> Iterator[tuple[SessionEngine, Any, SSCardSimulator, Callable]]:  # type: ignore[no-untyped-def]
    cfg = demo_config(tmp_path / "var")
    cfg = cfg.model_copy(
        update={
            "sscard": cfg.sscard.model_copy(
                update={
                    "enabled": True,
                    "url": "pcsc://?reader=Virtual PCD 00 00",
                    "poll_interval_s": 0.1,
                }
            )
        }
    )
    svc = services.build(cfg)
    assert not svc.problems, svc.problems
    eng = SessionEngine(
        svc.catalogue,
        central=svc.central,
        printer=svc.printer,
        timeouts=Timeouts.from_config(cfg.timeouts),
        terminal_id=cfg.terminal_id,
    )
    eng.codes.port = svc.codes
    events: queue.Queue[Any] = queue.Queue()
    svc.start(events.put)
    card = SSCardSimulator(inserted=False)
    link = VpcdCard(card, pcscd.port)
    link.start()

    def wait(pred: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not pred():
            while True:
                try:
                    eng.handle(events.get_nowait())
                except queue.Empty:
                    break
            if pred():
                return
            assert time.monotonic() < deadline, f"timed out: {what}; devices {eng.devices}"
            time.sleep(0.02)

    try:
        yield eng, svc, card, wait
    finally:
        card.remove()
        link.stop()
        svc.stop()


def test_sscard_through_pcscd_finishes_a_social_insurance_query(terminal) -> None:  # type: ignore[no-untyped-def]
    eng, svc, card, wait = terminal
    eng.handle(DeviceState("idcard", False, "unreachable"))  # no ID card reader even
    item = eng.catalogue.item("RS-0102")
    assert eng.unavailable_reason(item) == ""
    eng.select("RS-0102")
    eng.proceed()
    assert eng.state == State.IDENTIFY and eng.session.identify_problem == ""
    card.insert("demo")
    wait(lambda: eng.state == State.FORM, 15, "社保卡 read through pcscd")
    holder = eng.session.holder
    assert holder is not None and holder.method == "sscard" and holder.name == "王小明"
    assert eng.session.values["id_number"] == "610902199101010010"  # prefilled from the card
    eng.set_value("year", "2025")
    assert eng.submit_form()  # a read-only query: central answers at once
    wait(lambda: eng.state == State.RESULT, 15, "central answer")
    assert eng.session.outcome is not None and eng.session.outcome.answer is not None
    eng.end("done")
    assert eng.personal_data() == []

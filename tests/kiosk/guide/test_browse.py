"""Browsing in the engine (shipped catalogue, in-process fakes only for central and printer):
the tree idles into the countdown like any screen, breadcrumbs and back walk it, a leaf that
cannot be served here shows its guide with the reason, the guide prints only when the printer
confirms, and a bundle's form pages share its fields once."""

from __future__ import annotations

import copy

from kiosk.catalogue.schema import build_catalogue
from kiosk.session.engine import SessionEngine, Timeouts
from kiosk.session.ports import CardRead, Connectivity, DeviceState
from kiosk.session.states import State
from tests.kiosk.catalogue.conftest import source_dict
from tests.kiosk.session.fixtures import ZHANG, FakeCentral, FakeClock, FakePrinter

T = Timeouts(idle_s=60, countdown_s=15)


def make() -> tuple[SessionEngine, FakeClock, FakePrinter]:
    clock, printer = FakeClock(), FakePrinter()
    eng = SessionEngine(
        build_catalogue(copy.deepcopy(source_dict())),
        central=FakeCentral(),
        printer=printer,
        timeouts=T,
        clock=clock,
        terminal_id="DEMO-0001",
    )
    return eng, clock, printer


def test_browsing_idles_into_the_countdown_and_home() -> None:
    eng, clock, _ = make()
    eng.browse.open_tree()
    eng.browse.choose_root("person")
    assert eng.state == State.GUIDE and eng.browse.node.id == "p_topic"
    clock.advance(60)
    eng.tick()
    assert eng.countdown_remaining == 15
    clock.advance(15)
    eng.tick()
    assert eng.state == State.HOME and eng.last_end_reason == "timeout"


def test_crumbs_and_back_walk_the_tree() -> None:
    eng, _, _ = make()
    eng.browse.open_tree()
    eng.browse.choose_root("person")
    eng.browse.answer(2)  # 社保医保
    eng.browse.answer(0)  # 社保
    assert eng.browse.crumbs() == ["我是个人", "社保医保", "社保"]
    eng.browse.back()
    assert eng.browse.node.id == "p_insure" and eng.browse.crumbs() == ["我是个人", "社保医保"]
    eng.browse.crumb(0)
    assert eng.browse.node.id == "p_topic"
    eng.browse.crumb(-1)
    assert eng.browse.node is None and eng.browse.crumbs() == []
    eng.browse.back()
    assert eng.state == State.HOME


def test_a_leaf_that_cannot_be_served_here_shows_where_to_go() -> None:
    eng, _, _ = make()
    eng.handle(DeviceState("a4printer", False, "offline"))
    eng.browse.open_tree()
    eng.browse.choose_root("person")
    eng.browse.answer(2)
    eng.browse.answer(0)
    eng.browse.answer(0)  # 打印参保证明: a print item, the A4 printer is down
    assert eng.state == State.ZHINAN and eng.browse.guide.item == "RS-0101"
    assert eng.browse.state.notice == "device:a4printer"
    eng.handle(Connectivity(False))
    eng.browse.back()
    eng.browse.back()
    eng.browse.open_tree()
    eng.browse.choose_root("person")
    eng.browse.answer(1)  # 快要退休了
    eng.browse.answer(0)  # the retirement bundle: its items are offline-capable, still served
    assert eng.state == State.ITEM and eng.item.code == "YJS-TX"


def test_the_guide_is_printed_only_when_the_printer_says_so() -> None:
    eng, _, printer = make()
    eng.browse.open_tree()
    eng.browse.choose_root("construction")
    eng.browse.answer(1)
    assert eng.state == State.ZHINAN
    printer.reason = "paper_out"
    eng.browse.print_guide()
    assert eng.browse.state.print_state == "failed" and printer.printed == []
    printer.reason = ""
    eng.browse.print_guide()
    assert eng.browse.state.print_state == "printed"
    doc = printer.printed[-1]
    assert doc.title == "建筑工程施工许可证核发"
    assert ("承诺时限", "7个工作日") in doc.lines and any(
        v.startswith("→ 通过") for _, v in doc.lines
    )


def test_bundle_pages_ask_shared_fields_once() -> None:
    eng, _, _ = make()
    eng.bundle.start("YJS-TX")
    eng.proceed()
    eng.handle(CardRead(ZHANG))
    assert eng.state == State.FORM
    pages = [[f.name for f in eng.form_fields]]
    assert eng.item.name_zh.startswith("退休一件事 · 共同信息")
    eng.set_value("phone", "13800138000")
    while eng.state == State.FORM:
        assert eng.submit_form(), eng.session.errors
        if eng.state == State.FORM:
            pages.append([f.name for f in eng.form_fields])
    assert pages == [["id_number", "bank", "phone"], ["retire_type"], ["shortfall"]]
    assert eng.state == State.CONFIRM and eng.item.code == "YJS-TX"
    eng.back()  # back from confirm: the last page
    assert eng.item.name_zh.startswith("第2项/共3项")
    eng.back()
    eng.back()
    assert eng.item.name_zh.startswith("退休一件事 · 共同信息")
    eng.back()
    assert eng.state == State.ITEM and eng.item.code == "YJS-TX"

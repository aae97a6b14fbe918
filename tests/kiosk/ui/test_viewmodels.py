"""View-models without a window: what each screen would show, and what its buttons do."""

from __future__ import annotations

import time

from kiosk.session.engine import SessionEngine
from kiosk.session.ports import CardRead, DeviceState
from kiosk.session.states import State
from kiosk.ui.viewmodels.session import SessionViewModel
from tests.kiosk.session.fixtures import ZHANG, FakeCentral, FakeClock, FakePrinter, catalogue


def make() -> tuple[SessionEngine, SessionViewModel]:
    eng = SessionEngine(
        catalogue(),
        central=FakeCentral(),
        printer=FakePrinter(),
        clock=FakeClock(),
        hall_name="安康市政务服务中心24小时自助服务区",
    )
    t = time.mktime((2026, 11, 25, 3, 7, 0, 0, 0, -1))
    return eng, SessionViewModel(eng, clock=lambda: t)


def test_home_clock_tiles_filter_and_greying() -> None:
    eng, vm = make()
    home = vm.home
    assert home.hall_name == "安康市政务服务中心24小时自助服务区"
    assert (home.clock_text, home.date_text) == ("03:07", "2026年11月25日 星期三")
    assert [t["code"] for t in home.tiles] == ["Q-0001", "P-0001", "A-0001", "G-0001", "Q-0002"]
    eng.handle(DeviceState("printer", False, "paper_out"))
    assert "打印机：缺纸" in [d["text"] for d in home.devices]
    eng.handle(DeviceState("a4printer", False, "media_empty"))  # certificates print on A4
    tile = next(t for t in home.tiles if t["code"] == "P-0001")
    assert not tile["available"] and tile["reason"] == "本机暂不能打印证明（A4打印机不可用）"
    assert "A4打印机：缺纸" in [d["text"] for d in home.devices]
    eng.set_language("en")
    assert home.date_text == "Wed 2026-11-25" and "Printer: out of paper" in [
        d["text"] for d in home.devices
    ]
    assert "A4 printer: out of paper" in [d["text"] for d in home.devices]
    home.select("P-0001")
    assert eng.state == State.HOME  # greyed: nothing happens


def test_home_pages_are_shorter_in_elderly_mode() -> None:
    eng, vm = make()
    assert vm.home.pages == 1
    eng.set_elderly(True)
    assert len(vm.home.tiles) == 5 and vm.elderly


def test_form_keypad_choice_and_date_picker() -> None:
    eng, vm = make()
    eng.select("A-0001")
    eng.proceed()
    eng.handle(CardRead(ZHANG))
    form = vm.form
    assert vm.screen == "form" and form.active == "phone" and form.panel == "digits"
    rows = {r["name"]: r for r in form.rows}
    assert rows["id_number"]["value"] == "1101**********002X" and rows["id_number"]["locked"]
    for k in "1380013800":
        form.key(k)
    form.next()
    assert "请输入11位手机号码，以1开头" == {r["name"]: r for r in form.rows}["phone"]["error"]
    form.key("0")
    form.key("1")  # at most 11 digits: ignored
    assert eng.session.values["phone"] == "13800138000"
    form.key("back")
    form.key("clear")
    assert eng.session.values["phone"] == ""


def test_date_picker_always_gives_a_real_date() -> None:
    from kiosk.session.ports import CardRead
    from tests.kiosk.session.fixtures import ZHANG

    eng, vm = make()
    eng.select("Q-0002")
    eng.proceed()
    eng.handle(CardRead(ZHANG))  # identified by the card (a QR now needs central's check)
    form = vm.form
    form.focus("day")
    assert form.panel == "date"
    eng.set_value("day", "2024-01-31")
    form.date_step("month", 1)
    assert eng.session.values["day"] == "2024-02-29"
    form.date_step("day", 1)
    assert eng.session.values["day"] == "2024-02-01"
    form.date_step("day", -1)
    form.date_step("year", 1)
    assert eng.session.values["day"] == "2025-02-28"
    form.date_step("month", -2)  # each column wraps on its own, like a spinner
    assert eng.session.values["day"] == "2025-12-28"
    assert (form.year, form.month, form.day) == (2025, 12, 28)


def test_result_table_pages_and_case_number() -> None:
    eng, vm = make()
    eng.select("Q-0001")
    eng.proceed()
    eng.handle(CardRead(ZHANG))
    eng.set_value("year", "2025")
    eng.submit_form()  # read-only: no confirm step
    assert vm.screen == "result" and vm.result.mode == "table"
    assert [r["cells"] for r in vm.result.rows] == [["2025-01", "100.00"], ["2025-02", "100.00"]]
    assert vm.result.can_print


def test_rating_needs_a_tag_for_a_bad_level() -> None:
    eng, vm = make()
    eng.select("P-0001")
    eng.proceed()
    eng.handle(CardRead(ZHANG))
    eng.confirm()
    eng.finish()
    r = vm.rating
    assert [lv["text"] for lv in r.levels] == [
        "非常满意",
        "满意",
        "基本满意",
        "不满意",
        "非常不满意",
    ]
    r.choose("非常不满意")
    assert r.needs_tags and not r.can_submit and r.error_text == "请至少选择一个原因"
    r.submit()
    assert eng.state == State.RATING
    r.toggle_tag("long_wait")
    assert r.can_submit
    r.submit()
    assert eng.state == State.DONE and eng.ratings[-1].tags == ("long_wait",)


def test_wipe_clears_every_view_model_after_the_session() -> None:
    eng, vm = make()
    eng.select("A-0001")
    eng.proceed()
    eng.handle(CardRead(ZHANG))
    eng.set_value("phone", "13800138000")
    eng.submit_form()
    assert any("138****8000" in repr(r) for r in vm.confirm.rows)  # masked on confirm
    eng.end("timeout")
    for name, screen_vm in vm.screens.items():
        for prop in screen_vm.properties():
            value = repr(getattr(screen_vm, prop))
            assert "13800138000" not in value and ZHANG.id_number not in value, (name, prop)
            assert "1101**********002X" not in value, (name, prop)


def test_receipt_on_screen_shows_table_rows_as_spaced_cells() -> None:
    from drivers.printer.table import table_row
    from kiosk.session.ports import ReceiptDoc

    eng, vm = make()
    eng.session.print_state, eng.session.print_reason = "failed", "paper_out"
    eng.session.receipt = ReceiptDoc(
        "缴存明细",
        (("姓名", "张*"), table_row(["年月", "金额"]), table_row(["2026-10", "1,200.00"])),
        qr="X",
    )
    vm.printing.update(eng)
    assert [d["value"] for d in vm.printing.lines] == ["张*", "年月  金额", "2026-10  1,200.00"]

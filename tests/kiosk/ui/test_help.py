"""求助 on every citizen screen: the button everywhere, the panel's content, closed at session end."""

from __future__ import annotations

import time

from kiosk.session.engine import SessionEngine
from kiosk.session.ports import CardRead
from kiosk.session.states import State
from kiosk.ui.screens import SCREENS
from kiosk.ui.viewmodels.help import HallInfo
from kiosk.ui.viewmodels.session import SessionViewModel
from tests.kiosk.session.fixtures import ZHANG, FakeCentral, FakeClock, FakePrinter, catalogue
from tests.kiosk.ui.harness import KioskTestCase

HALL = HallInfo(
    "安康市政务服务中心24小时自助服务区",
    "Ankang Hall",
    "12345",
    "0915-0000000",
    "https://zwfw.example.gov.cn/help",
)


def make(hall: HallInfo = HALL) -> tuple[SessionEngine, SessionViewModel]:
    eng = SessionEngine(
        catalogue(),
        central=FakeCentral(),
        printer=FakePrinter(),
        clock=FakeClock(),
        hall_name=hall.name,
    )
    return eng, SessionViewModel(eng, clock=time.time, hall=hall)


def test_help_shows_the_step_the_item_the_numbers_and_the_qr() -> None:
    eng, vm = make()
    vm.help.open()
    assert vm.help.step_text.startswith("点击要办理的事项") and vm.help.item_title == ""
    assert [(c["label"], c["value"]) for c in vm.help.contacts][:2] == [
        ("热线电话", "12345"),
        ("值班电话", "0915-0000000"),
    ]
    assert vm.help.qr == "https://zwfw.example.gov.cn/help" and "12345" in vm.help.qr_text
    vm.help.close()
    eng.select("Q-0001")
    eng.proceed()
    vm.help.open()
    assert vm.help.item_title == "关于“事项1”" and vm.help.step_text.startswith("请把身份证件")
    assert "办理部门：某局" in [x["text"] for x in vm.help.item_lines]
    eng.set_language("en")
    assert vm.help.item_title == 'About "Item 1"'
    eng.back()
    eng.back()  # the session ended: the terminal's language again, then English at home
    assert eng.state == State.HOME and vm.home.hall_name == HALL.name
    eng.set_language("en")
    assert vm.home.hall_name == "Ankang Hall"


def test_without_a_duty_phone_or_url_only_what_exists_is_shown() -> None:
    eng, vm = make(HallInfo("某大厅", hotline="12345"))
    vm.help.open()
    assert [c["value"] for c in vm.help.contacts][:1] == ["12345"]
    assert "0915" not in str(vm.help.contacts) and vm.help.qr == "" and vm.help.qr_text == ""


def test_help_closes_and_forgets_when_the_session_ends() -> None:
    eng, vm = make()
    eng.select("Q-0001")
    eng.proceed()
    eng.handle(CardRead(ZHANG))
    vm.help.open()
    assert vm.help.visible and vm.help.item_lines
    eng.end("timeout")
    assert eng.state == State.HOME
    assert not vm.help.visible and vm.help.item_lines == [] and vm.help.item_title == ""


class HelpButtonEverywhereTest(KioskTestCase):
    def test_every_citizen_screen_has_a_help_button_that_opens_help(self) -> None:
        self.start_app()
        missing = []
        for name in SCREENS:
            self.app._ensure_screen(name)
            screen = next(s for s in self.app.sm.screens if s.name == name)
            found: list[object] = []

            def walk(w: object, found: list[object]) -> None:
                if type(w).__name__ == "HelpButton":
                    found.append(w)
                for c in w.children:  # type: ignore[attr-defined]
                    walk(c, found)

            walk(screen, found)
            if len(found) != 1:
                missing.append((name, len(found)))
        assert missing == []
        self.tap("求助")
        assert self.app.vm.help.visible
        self.find("热线电话")
        self.tap("关闭")
        assert not self.app.vm.help.visible

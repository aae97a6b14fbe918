"""The maintenance screen by touch: hidden hold, PIN pad, live tests, out of service and back."""

from __future__ import annotations

import time

from kivy.tests.common import UnitTestTouch

from kiosk.session.states import State
from tests.kiosk.ui.harness import KioskTestCase

HALL = "安康市政务服务中心24小时自助服务区"


class MaintenanceByTouchTest(KioskTestCase):
    """A technician on the ladder: everything through the screen, on the real simulators."""

    def hold(self, text: str, seconds: float) -> None:
        """Press the widget showing `text` for `seconds` (real time: Kivy's clock runs on)."""
        self.frames(3)
        w = self.find(text)
        touch = UnitTestTouch(*w.to_window(*w.center))
        touch.touch_down()
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.frames(1)
            time.sleep(0.02)
        touch.touch_up()
        self.frames(2)

    def type_pin(self, pin: str) -> None:
        for d in pin:
            self.tap(d)
        self.tap("确定")

    def test_enter_test_devices_pause_and_resume(self) -> None:
        app = self.start_app()
        eng, sims, m = self.engine, self.sims(), app.maintenance
        self.hold(HALL, 1.0)  # a short press does nothing
        assert not m.pin.visible
        self.hold(HALL, 5.3)
        assert m.pin.visible
        self.find("请输入维护密码")
        self.type_pin("1111")
        self.find("密码错误，还可尝试 4 次")
        self.type_pin("2580")  # the demo PIN (config/terminal.toml)
        assert m.visible and not m.pin.visible
        self.find("维护模式")
        self.wait_until(lambda: m.central_text.startswith("已连接"), what="heartbeat")
        assert {"读卡器", "打印机", "扫码器"} <= set(self.all_texts())
        # print a test page
        pages = len(sims["printer"].pages)
        self.tap("打印测试页")
        self.wait_until(
            lambda: m.print_test == "测试页已打印，请检查字迹和二维码", what="test page"
        )
        assert len(sims["printer"].wait_for_pages(pages + 1)) == pages + 1
        # read a card: shown masked, the session engine never sees it
        sims["idcard"].remove()
        self.tap("读卡测试")
        sims["idcard"].insert("mainland")
        self.wait_until(lambda: m.card_test.startswith("读卡成功"), what="card test")
        self.frames(2)
        shown = self.find(m.card_test).text
        assert (
            "6109**********0010" in shown and eng.state == State.HOME and eng.personal_data() == []
        )
        sims["idcard"].remove()
        # out of service, leave: the citizen sees the paused screen
        self.tap("暂停服务")
        assert eng.state == State.OUT_OF_SERVICE
        assert self.services.device_snapshot["service"]["status"] == "disabled"  # next heartbeat
        self.tap("退出维护")
        assert not m.visible and m.card_test == ""
        self.frames(3)
        self.find("本机正在维护，暂停服务。请使用其他自助终端，或到人工窗口办理。")
        # back in through the out-of-service screen's hall name
        self.hold(HALL, 5.3)
        self.type_pin("2580")
        self.tap("恢复服务")
        assert eng.state == State.HOME and "service" not in self.services.device_snapshot
        self.tap("退出维护")
        assert not m.visible
        kinds = [e["action"] for e in m.mode.audit.tail(12)]
        assert kinds == [
            "pin_wrong",
            "enter",
            "heartbeat",
            "print_test",
            "card_test",
            "card_test",
            "out_of_service",
            "exit",
            "enter",
            "heartbeat",
            "in_service",
            "exit",
        ]

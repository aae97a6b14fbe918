"""Complete sessions by touch, on the simulators and the embedded central sandbox."""

from __future__ import annotations

from kiosk.session.states import State
from tests.kiosk.ui.harness import KioskTestCase

QUERY = "RS-0102"


class QueryFlowTest(KioskTestCase):
    """A query from the home tile to a 差评 with a reason tag."""

    def test_query_print_and_bad_rating_by_touch(self) -> None:
        self.start_app()
        eng, sims = self.engine, self.sims()
        sims["idcard"].remove()
        self.tap("社保缴费明细查询")
        assert eng.state == State.ITEM
        self.tap("开始办理")
        assert eng.state == State.IDENTIFY
        self.find("请刷身份证 / 插入社保卡 / 出示电子社保卡二维码")  # the item takes all three
        sims["idcard"].insert("mainland")
        self.wait_until(lambda: eng.state == State.FORM, what="card read")
        assert "6109**********0010" in self.all_texts()  # prefilled, masked on screen
        for key in "2025":  # 养老保险 is the default; the year keypad is up
            self.tap(key)
        self.tap("下一步")  # a read-only query asks central at once: no confirm step
        self.wait_until(lambda: eng.state == State.RESULT, what="central answer")
        texts = self.all_texts()
        assert "缴费基数\n（元）" in texts and "已缴" in texts and "合计" in texts  # unit, total
        pages = len(sims["printer"].pages)
        self.tap("打印凭条")
        self.wait_until(lambda: eng.session.print_state in ("printed", "failed"), what="printer")
        assert eng.session.print_state == "printed"
        self.frames(2)
        self.find("打印完成，请取走凭条")
        assert len(sims["printer"].wait_for_pages(pages + 1)) == pages + 1
        self.tap("完成")
        assert eng.state == State.RATING
        rated = len(self.services.outbox.rows(kind="rating"))
        self.tap("不满意")
        self.tap("提交评价")
        assert eng.state == State.RATING  # 差评 without a reason is refused
        self.find("请至少选择一个原因")
        self.tap("操作不便")
        self.tap("提交评价")
        assert eng.state == State.DONE
        rows = self.services.outbox.rows(kind="rating")
        assert len(rows) == rated + 1
        payload = self.services.outbox.payload(rows[-1])
        assert payload["level"] == "不满意" and payload["tags"] == ["hard_to_use"]
        assert payload["case_no"] == eng.ratings[-1].service_id


class ApplyAndProgressTest(KioskTestCase):
    """An application online, its progress by scanning the case number, and one offline."""

    def tearDown(self) -> None:
        self.services.set_network(True)
        super().tearDown()

    def _apply(self) -> None:
        eng, sims = self.engine, self.sims()
        sims["idcard"].remove()
        self.tap("公安")
        self.tap("无犯罪记录证明申请")
        self.tap("开始办理")
        sims["idcard"].insert("mainland")
        self.wait_until(lambda: eng.state == State.FORM, what="card read")
        self.tap("就业、从业")
        # 领取方式 keeps its default (电子证明); the phone keypad is up
        for key in "13800138000":
            self.tap(key)
        self.tap("下一步")
        assert eng.state == State.CONFIRM, eng.session.errors
        self.find("138****8000")  # masked on the confirm screen
        assert not any("13800138000" in getattr(w, "text", "") for w in self.visible_widgets())
        self.tap("确认提交")
        self.wait_until(lambda: eng.state == State.RESULT, timeout=10, what="submission")

    def test_apply_online_then_progress_by_scanner(self) -> None:
        import re

        self.start_app()
        eng, sims = self.engine, self.sims()
        self._apply()
        out = eng.session.outcome
        assert out is not None and out.submitted is not None and not out.submitted.provisional
        case_no = out.submitted.case_no
        assert re.fullmatch(r"\d{6}-\d{8}-\d{6}-\d{4}", case_no)  # v1.1: with its check group
        self.find(case_no)  # in large digits
        self.tap("完成")
        self.tap("非常满意")
        self.tap("提交评价")
        assert eng.state == State.DONE and eng.ratings[-1].service_id == case_no
        self.wait_until(lambda: self.app.vm.remove_card.visible, what="remove-card reminder")
        sims["idcard"].remove()  # the citizen takes the card: the reminder goes
        self.wait_until(lambda: not self.app.vm.remove_card.visible, what="card taken")
        self.tap("返回首页")
        assert eng.state == State.HOME
        self.tap("综合服务")
        self.tap("办件进度查询")
        self.tap("开始办理")
        assert eng.state == State.FORM
        sims["scanner"].scan(case_no)
        self.wait_until(lambda: eng.session.values.get("case_no") == case_no, what="scan")
        self.tap("下一步")  # read-only: no confirm step
        self.wait_until(lambda: eng.state == State.RESULT, what="progress")
        texts = self.all_texts()
        assert "已接收" in texts or "已受理" in texts, texts

    def test_apply_offline_gets_provisional_number(self) -> None:
        self.start_app()
        eng = self.engine
        self.services.set_network(False)
        self._apply()
        out = eng.session.outcome
        assert out is not None and out.submitted is not None and out.submitted.provisional
        assert out.submitted.case_no.startswith("DEMO-0001-")
        self.find(out.submitted.case_no)
        self.find(
            "网络暂时中断：申请已安全保存在本机，联网后自动提交。这是临时编号，同样可以查询进度。"
        )
        row = self.services.outbox.lookup_case(out.submitted.case_no)
        assert row is not None and row.state.value == "pending"
        # the sync worker found central unreachable: items needing it are greyed now
        self.wait_until(lambda: not eng.online, what="offline state")
        self.tap("返回首页")
        self.find("网络中断，暂不可办")


class PrinterAndDeviceTest(KioskTestCase):
    """The printer runs out of paper: never a false "printed", and print items are greyed."""

    def tearDown(self) -> None:
        self.sims()["printer"].paper = "ok"
        super().tearDown()

    def test_a4_out_of_paper_shows_the_code_the_qr_and_the_window(self) -> None:
        self.start_app()
        eng, sims = self.engine, self.sims()
        a4 = self.services.documents.printer  # sim://a4printer of the demo config
        sims["idcard"].remove()
        self.tap("社保参保缴费证明打印")
        self.tap("开始办理")
        sims["idcard"].insert("hk_mo_tw")
        self.wait_until(lambda: eng.state == State.FORM, what="card read")
        self.tap("下一步")  # 全部险种 and 最近12个月 are the defaults
        kept = a4.last_pdf
        a4.set_fault("media_empty")
        try:
            self.tap("确认查询")
            self.wait_until(lambda: eng.session.print_state in ("printed", "failed"), what="print")
        finally:
            a4.set_fault("")
            # the poller may have seen the fault: let it report the recovery before the next test
            self.wait_until(
                lambda: self.services.documents.reported in ("", None),
                timeout=6,
                what="A4 poller back to ok",
            )
        self.frames(3)
        assert eng.session.print_state == "failed" and eng.session.print_reason == "media_empty"
        self.find("证明未能打印")
        self.find("打印机缺纸")
        code = eng.session.outcome.answer.document.code
        self.find(code)
        self.find("核验码")
        self.find("请拍下本页，凭核验码到服务窗口补打证明")
        qr = [w for w in self.visible_widgets() if type(w).__name__ == "QrImage"]
        assert qr and qr[0].payload == eng.session.outcome.answer.document.verify_url
        assert qr[0].texture is not None
        assert "打印完成，请在A4出纸口取走证明" not in [
            getattr(w, "text", "") for w in self.visible_widgets()
        ]
        assert a4.last_pdf == kept  # nothing came out
        assert "8100**********0026" in self.all_texts()  # the summary on screen, masked

    def test_device_fault_greys_items_needing_it(self) -> None:
        self.start_app()
        eng = self.engine
        a4 = self.services.documents.printer
        a4.set_fault("media_empty")
        try:
            self.wait_until(
                lambda: eng.devices["a4printer"] == "media_empty", what="status poll", timeout=8
            )
            self.frames(2)
            self.find("A4打印机：缺纸")
            home = self.app.vm.home
            self.tap("社保缴费明细查询")  # page 1: what still works comes first
            assert eng.state == State.ITEM
            self.tap("返回首页")
            self.tap("下一页")
            greyed = [
                w
                for w in self.visible_widgets()
                if getattr(w, "text", "") == "本机暂不能打印证明（A4打印机不可用）"
            ]
            assert len(greyed) >= 5
            self.tap("营业执照自助打印")
            assert eng.state == State.HOME  # a greyed tile says why and what to do instead
            assert home.notice_open and "人工窗口" in home.notice_text
        finally:
            a4.set_fault("")
            self.wait_until(
                lambda: self.services.documents.reported in ("", None),
                timeout=6,
                what="A4 poller back to ok",
            )

    def test_paper_out_explains_itself_on_the_result(self) -> None:
        sims = self.sims()
        sims["printer"].paper = "out"  # before the app starts: it reads the state at start
        self.start_app()
        eng = self.engine
        self.wait_until(lambda: eng.devices["printer"] == "paper_out", what="status poll")
        self.query_by_touch()
        self.frames(3)
        note = self.app.vm.result.print_blocked
        assert "缺纸" in note and "拍照" in note and "人工窗口" in note
        self.find(note)
        button = [
            w for w in self.app.sm.current_screen.walk() if getattr(w, "text", "") == "打印凭条"
        ]
        assert button and button[0].opacity == 1 and button[0].disabled  # greyed, not vanished


class TimeoutWipeTest(KioskTestCase):
    """Inactivity: countdown overlay, continue, then the end wipes every widget."""

    def test_timeout_wipes_personal_data_from_every_widget(self) -> None:
        from tests.kiosk.session.fixtures import FakeClock

        clock = FakeClock()
        self.start_app(clock=clock)
        eng, vm, _sims = self.engine, self.app.vm, self.sims()
        self.query_by_touch()
        personal = ["王小明", "610902199101010010", "6109**********0010", "王**"]
        assert any(p in self.all_texts() for p in personal)
        clock.advance(60)
        vm.tick()
        self.frames(2)
        self.find("还需要更多时间吗？")
        self.tap("继续办理")
        assert eng.countdown_remaining is None and eng.state == State.RESULT
        clock.advance(60)
        vm.tick()
        clock.advance(15)
        vm.tick()
        self.frames(3)
        assert eng.state == State.HOME and eng.last_end_reason == "timeout"
        texts = self.all_texts()
        leaks = [t for t in texts for p in personal if p in t]
        assert leaks == [], leaks
        for name, screen_vm in vm.screens.items():
            for prop in screen_vm.properties():
                value = repr(getattr(screen_vm, prop))
                assert not any(p in value for p in personal), (name, prop)
        assert eng.personal_data() == []


class ElderlyModeTest(KioskTestCase):
    """长辈模式: text at least 1.4× larger, high contrast, fewer tiles per page."""

    def test_elderly_mode_scales_text_and_tiles(self) -> None:
        self.start_app()
        title = self.find("请选择您要办理的事项")
        normal_size, normal_tiles = title.font_size, len(self.app.vm.home.tiles)
        normal_bg = self.app.c("bg")
        self.tap("长辈模式")
        self.frames(2)
        title = self.find("请选择您要办理的事项")
        assert title.font_size >= 1.4 * normal_size
        assert len(self.app.vm.home.tiles) < normal_tiles
        assert self.app.c("bg") != normal_bg and self.app.c("text") == (1, 1, 1, 1)
        self.tap("EN")
        self.find("Please choose a service")
        self.tap("标准模式" if self.app.lang == "zh_CN" else "Standard")
        assert self.app.scale == 1.0


class DevDockTest(KioskTestCase):
    """Demo config: F12 shows the dock, whose buttons act on the running simulators."""

    def tearDown(self) -> None:
        self.sims()["printer"].paper = "ok"
        self.services.set_network(True)
        super().tearDown()

    def test_f12_dock_places_cards_takes_paper_and_cuts_network(self) -> None:
        self.start_app()
        eng, sims = self.engine, self.sims()
        sims["idcard"].remove()
        assert "放置身份证（内地）" not in [getattr(w, "text", "") for w in self.visible_widgets()]
        self.Window.dispatch("on_keyboard", 293, 0, None, [])  # F12
        self.frames(2)
        self.tap("社保缴费明细查询")
        self.tap("开始办理")
        self.tap("放置身份证（内地）")
        self.wait_until(lambda: eng.state == State.FORM, what="card from the dock")
        assert eng.session.holder is not None and eng.session.holder.card_type == "mainland"
        self.tap("拿走打印纸")
        assert sims["printer"].paper == "out"
        self.tap("装回打印纸")
        assert sims["printer"].paper == "ok"
        url = self.services.client.base_url
        self.tap("断开网络")
        assert self.services.client.base_url != url
        self.tap("恢复网络")
        assert self.services.client.base_url == url
        self.Window.dispatch("on_keyboard", 293, 0, None, [])
        self.frames(2)
        assert "拿走打印纸" not in [getattr(w, "text", "") for w in self.visible_widgets()]

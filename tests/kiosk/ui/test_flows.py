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
        self.find("请将身份证放在读卡区")
        sims["idcard"].insert("mainland")
        self.wait_until(lambda: eng.state == State.FORM, what="card read")
        assert "3301**********0015" in self.all_texts()  # prefilled, masked on screen
        self.tap("养老保险")
        for key in "2025":
            self.tap(key)
        self.tap("下一步")
        assert eng.state == State.CONFIRM, eng.session.errors
        self.tap("确认查询")
        self.wait_until(lambda: eng.state == State.RESULT, what="central answer")
        texts = self.all_texts()
        assert "缴费基数" in texts and "已缴" in texts
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
        self.tap("态度不好")
        self.tap("提交评价")
        assert eng.state == State.DONE
        rows = self.services.outbox.rows(kind="rating")
        assert len(rows) == rated + 1
        payload = self.services.outbox.payload(rows[-1])
        assert payload["level"] == "不满意" and payload["tags"] == ["attitude"]
        assert payload["case_no"] == eng.ratings[-1].service_id

"""我要办什么 by touch (issue 23), on the real app, simulators and the embedded central:
the tree to an item, to the 新生儿出生一件事 bundle (one card, shared fields once, 第N项/共3项,
one request, one receipt, one rating bound to every case), a bundle with one item refused by
central, an off-terminal instruction printed, and the policy library searched in pinyin."""

from __future__ import annotations

from typing import Any

from kiosk.session.states import State
from tests.kiosk.ui.harness import KioskTestCase


class GuideTouch(KioskTestCase):
    """Touch helpers of the guidance screens (no tests of its own)."""

    def answer(self, start: str) -> None:
        """Tap the answer button whose first line is `start` (a hint may follow)."""
        self.frames(3)
        hits = [
            w
            for w in self.visible_widgets()
            if type(w).__name__ == "GuideAnswer" and w.text.split("\n")[0] == start
        ]
        assert hits, [w.text for w in self.visible_widgets() if type(w).__name__ == "GuideAnswer"]
        self.tap(hits[0])

    def chip(self, kind: str, text: str) -> None:
        self.frames(3)
        hits = [w for w in self.visible_widgets() if type(w).__name__ == kind and w.text == text]
        assert hits, f"no {kind} {text!r}"
        self.tap(hits[-1])

    def pick(self, word: str, kind: str = "ImeCandidate", key: str = "ImeKey") -> None:
        for _ in range(8):
            self.frames(3)
            if word in [w.text for w in self.visible_widgets() if type(w).__name__ == kind]:
                self.chip(kind, word)
                return
            self.chip("KeyButton", "›")
        raise AssertionError(f"{word} not among the candidates")

    def type_pinyin(
        self, runs: list[tuple[str, str]], key: str = "ImeKey", cand: str = "ImeCandidate"
    ) -> None:
        for letters, word in runs:
            for k in letters:
                self.chip(key, k)
            self.pick(word, cand, key)

    def _newborn(self, cert: str) -> Any:
        """Through the tree to the newborn bundle, one card, every page filled, submitted."""
        from kiosk.ime.index import shared

        assert shared.wait(120) is not None, shared.error
        eng, sims = self.engine, self.sims()
        sims["idcard"].remove()
        self.tap("我要办什么？不知道事项名称，点这里")
        self.answer("我是个人")
        self.answer("家里添了宝宝")
        self.answer("户口、医保、社保卡一起办")
        assert eng.state == State.ITEM and eng.item.code == "YJS-XSE"
        assert any("一次办理3项" in t for t in self.all_texts())
        self.tap("开始办理")
        sims["idcard"].insert("mainland")  # the one identification for all three
        self.wait_until(lambda: eng.state == State.FORM, what="card read")
        assert eng.item.name_zh.startswith("新生儿出生一件事 · 共同信息")
        self.type_pinyin([("wang", "王"), ("xiao", "小"), ("bao", "宝")])
        self.tap(
            [
                r
                for r in self.visible_widgets()
                if type(r).__name__ == "FieldRow" and r.name == "baby_sex"
            ][0]
        )
        self.chip("OptionChip", "男")
        rows = [r for r in self.visible_widgets() if type(r).__name__ == "FieldRow"]
        fields = [w for w in self.visible_widgets() if type(w).__name__ == "FieldList"][0]
        fields.scroll_y = 0
        self.frames(3)
        self.tap(
            [
                r
                for r in self.visible_widgets()
                if type(r).__name__ == "FieldRow" and r.name == "birth_cert_no"
            ][0]
        )
        for k in cert:
            self.tap(k)
        self.tap(
            [
                r
                for r in self.visible_widgets()
                if type(r).__name__ == "FieldRow" and r.name == "phone"
            ][0]
        )
        for k in "13800138000":
            self.tap(k)
        assert rows
        self.tap("下一步")
        assert (
            eng.state == State.FORM
            and eng.item.name_zh == "第1项/共3项 · 新生儿出生登记（申报户口）"
        )
        assert [f.name for f in eng.form_fields] == ["settle_with"]  # shared ones not asked again
        self.tap("下一步")
        assert eng.item.name_zh.startswith("第2项/共3项")
        self.tap("下一步")
        assert eng.item.name_zh.startswith("第3项/共3项")
        self.tap("下一步")
        assert eng.state == State.CONFIRM, eng.session.errors
        assert eng.session.values["baby_name"] == "王小宝"
        self.tap("确认提交")
        self.wait_until(lambda: eng.state == State.RESULT, timeout=10, what="bundle submitted")
        return eng.session.outcome.submitted

    def _rows(self, kind: str) -> list[Any]:
        return self.services.outbox.rows(kind=kind)


class GuideFlowTest(GuideTouch):
    """Through the guidance tree by touch."""

    def test_tree_to_an_item_with_breadcrumbs_and_back(self) -> None:
        self.start_app()
        eng = self.engine
        self.tap("我要办什么？不知道事项名称，点这里")
        assert eng.state == State.GUIDE
        self.find("请问您是？")
        self.answer("我是个人")
        self.find("您遇到了什么事？")
        self.answer("住房和公积金")
        self.find("› 住房和公积金")  # breadcrumbs: where the citizen came from
        self.tap("› 我是个人")  # back up one question by its crumb
        self.find("您遇到了什么事？")
        self.answer("住房和公积金")
        self.answer("查公积金")
        assert eng.state == State.ITEM and eng.item.code == "GJJ-0301"
        self.tap("上一步")
        assert eng.state == State.HOME

    def test_tree_to_an_off_terminal_instruction_printed(self) -> None:
        self.start_app()
        eng, printer = self.engine, self.sims()["printer"]
        pages = len(printer.pages)
        self.tap("我要办什么？不知道事项名称，点这里")
        self.answer("我是个人")
        self.answer("证件和证明")
        self.answer("身份证丢了或到期")
        assert eng.state == State.ZHINAN
        texts = self.all_texts()
        assert "三楼F区 公安户政窗口（F01-F04）" in texts  # which window
        assert any("户口簿或原身份证" in t for t in texts)  # what to bring
        assert any("周一至周五" in t for t in texts)  # opening hours
        chart = [w for w in self.visible_widgets() if type(w).__name__ == "FlowChart"][0]
        assert chart.chart is not None and len(chart.chart.boxes) == 5 and chart.overflow == []
        self.tap("打印指南")
        self.wait_until(lambda: len(printer.pages) > pages, what="guide printed")
        self.wait_until(lambda: eng.browse.state.print_state == "printed", what="printer answer")
        paper = "".join(line.strip() for line in printer.pages[-1].lines)
        assert "居民身份证换领、补领" in paper and "三楼F区公安户政窗口" in paper.replace(" ", "")
        assert "①" in paper and "⑤" in paper and "→" in paper or "↓" in paper
        self.find("指南已打印，请取走凭条。")
        self.tap("上一步")
        assert eng.state == State.GUIDE

    def test_newborn_bundle_with_one_card_and_one_rating(self) -> None:
        self.start_app()
        eng, printer = self.engine, self.sims()["printer"]
        reads = eng.sessions_ended
        sub = self._newborn("P612345678")
        assert not sub.provisional and [i.item_code for i in sub.cases] == [
            "GA-0703",
            "YB-0203",
            "RS-0104",
        ]
        self.find("3项全部受理")
        client = self.services.central.client
        for i in sub.cases:  # three real cases at central, one per item
            assert client.case(i.case_no).item_code == i.item_code
        assert client.case(sub.case_no).item_code == "YJS-XSE"  # the bundle number
        subs = [r for r in self._rows("submission") if r.case_no in {i.case_no for i in sub.cases}]
        assert len(subs) == 1  # ONE request for the three items
        pages = len(printer.pages)
        self.tap("打印凭条")
        self.wait_until(lambda: len(printer.pages) > pages, what="receipt")
        paper = "".join(line.strip() for line in printer.pages[-1].lines)
        assert "新生儿出生一件事受理回执" in paper and sub.case_no in paper
        assert all(i.case_no in paper for i in sub.cases)  # one combined receipt
        self.wait_until(lambda: eng.session.print_state == "printed", what="printed")
        self.tap("完成")
        assert eng.state == State.RATING
        before = len(self._rows("rating"))
        self.tap("非常满意")
        self.tap("提交评价")
        assert eng.state == State.DONE and len(eng.ratings) == 1  # the citizen rated once
        ratings = self._rows("rating")[before:]
        assert len(ratings) == 3  # …bound to each of the bundle's cases (一次一评 per 办件)
        got = sorted(self.services.outbox.payload(r)["case_no"] for r in ratings)
        assert got == sorted(i.case_no for i in sub.cases)
        self.services.sync.flush(20)
        assert all(
            r.state.value == "delivered"
            for r in self.services.outbox.rows(kind="rating")
            if r.id in {x.id for x in ratings}
        )
        assert eng.sessions_ended == reads  # still the same session: one identification

    def test_bundle_with_one_item_refused_by_central(self) -> None:
        self.start_app()
        eng, printer = self.engine, self.sims()["printer"]
        sub = self._newborn("A612345678")  # issued outside the province: not verifiable online
        refused = [i.item_code for i in sub.refused]
        assert refused == ["GA-0703"] and len(sub.cases) == 2
        self.find("已受理2项，1项未受理")
        note = self.app.vm.result.note
        assert "出生医学证明未能联网核验" in note and "三楼F区公安户政窗口" in note
        assert "其余事项已正常受理，无需重办" in note
        pages = len(printer.pages)
        self.tap("打印凭条")
        self.wait_until(lambda: len(printer.pages) > pages, what="receipt")
        paper = "".join(line.strip() for line in printer.pages[-1].lines)
        assert (
            "未受理" in paper and "户政窗口" in paper and all(i.case_no in paper for i in sub.cases)
        )
        self.wait_until(lambda: eng.session.print_state == "printed", what="printed")
        self.tap("完成")
        before = len(self._rows("rating"))
        self.tap("满意")
        self.tap("提交评价")
        assert len(self._rows("rating")) - before == 2  # only the accepted items have a case

    def test_policy_library_by_chip_and_pinyin_search(self) -> None:
        from kiosk.ime.index import shared

        assert shared.wait(120) is not None, shared.error
        self.start_app()
        eng = self.engine
        self.tap("政策查询")
        assert eng.state == State.POLICY
        self.find("共22条")
        self.chip("PolicyChip", "住房")
        cards = [w for w in self.visible_widgets() if type(w).__name__ == "PolicyCard"]
        assert cards and all(c.code in ("ZC-017", "ZC-018", "ZC-019") for c in cards)
        self.chip("PolicyChip", "全部")
        self.tap("点此输入关键词，例如：补贴、创业、公积金")
        self.type_pinyin([("yuer", "育儿")], key="PolicyImeKey", cand="PolicyImeCandidate")
        self.frames(3)
        assert eng.browse.state.query == "育儿"
        cards = [w for w in self.visible_widgets() if type(w).__name__ == "PolicyCard"]
        assert [c.code for c in cards] == ["ZC-016"]
        self.tap("办事指南")  # the policy's guide: the newborn bundle
        assert eng.state == State.ZHINAN and eng.browse.state.guide == "ZN-YJS-XSE"
        self.tap("开始办理")
        assert eng.state == State.ITEM and eng.item.code == "YJS-XSE"


class OfflineBundleTest(GuideTouch):
    """A bundle while central is unreachable: one queued request, a provisional number, and
    the rating delivered to each item's own case once the network is back."""

    def tearDown(self) -> None:
        self.services.set_network(True)
        super().tearDown()

    def test_offline_bundle_goes_through_the_outbox(self) -> None:
        self.start_app()
        self.services.set_network(False)
        sub = self._newborn("P612345678")
        assert sub.provisional and sub.case_no.startswith("DEMO-0001-")
        self.find("已保存3项，联网后自动提交")
        self.find(sub.case_no)
        row = self.services.outbox.lookup_case(sub.case_no)
        assert row is not None and row.state.value == "pending"
        self.tap("完成")
        before = {r.id for r in self._rows("rating")}
        self.tap("非常满意")
        self.tap("提交评价")
        ratings = [r for r in self._rows("rating") if r.id not in before]
        assert sorted(self.services.outbox.payload(r)["item_code"] for r in ratings) == [
            "GA-0703",
            "RS-0104",
            "YB-0203",
        ]
        self.services.set_network(True)
        self.services.sync.flush(30)
        ref = self.services.outbox.lookup_case(sub.case_no)
        assert ref.state.value == "delivered" and ref.case_no
        from kiosk.bundle.delivery import answer_of

        answer = answer_of(self.services.outbox, ref.row_id)
        cases = {i["item_code"]: i["case_no"] for i in answer["items"]}
        assert len(set(cases.values())) == 3
        done = {r.id: r for r in self.services.outbox.rows(kind="rating")}
        for r in ratings:
            assert done[r.id].state.value == "delivered", done[r.id].last_error
        client = self.services.central.client
        for code, case_no in cases.items():  # each item's case carries the citizen's rating
            assert client.case(case_no).item_code == code


class ItemGuideTest(GuideTouch):
    """Every item's 办事指南 from its item screen, and back to it."""

    def test_item_screen_opens_its_guide_and_comes_back(self) -> None:
        self.start_app()
        eng = self.engine
        self.tap("公安")
        self.tap("无犯罪记录证明申请")
        assert self.app.vm.item.guide == "ZN-GA-0702"
        self.tap("办事指南")
        assert eng.state == State.ZHINAN and eng.browse.guide.item == "GA-0702"
        texts = self.all_texts()
        assert "3个工作日" in texts and any("【容缺，可后补】" in t for t in texts)
        assert not self.app.vm.zhinan.can_start  # 上一步 returns to the item instead
        self.tap("上一步")
        assert eng.state == State.ITEM and eng.item.code == "GA-0702"

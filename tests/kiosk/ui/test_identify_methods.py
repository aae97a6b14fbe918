"""One identify screen, every method the item takes: 社保卡 and app codes by touch (issue 24).

The real app on the demo services: the 社保卡 is the in-process simulator behind drivers.sscard
(the PC/SC path itself is tested against pcscd in tests/drivers/sscard), app codes are minted
by the embedded central sandbox and checked by POST /v1/identity/code.
"""

from __future__ import annotations

import time
from typing import Any

import requests

from kiosk.session.states import State
from tests.kiosk.ui.harness import KioskTestCase

ITEM = "社保缴费明细查询"  # RS-0102: id_card, sscard and app_code
PROMPT = "请刷身份证 / 插入社保卡 / 出示电子社保卡二维码"
WANG = ("王小明", "610902199101010010")


class IdentifyMethodsTest(KioskTestCase):
    """Flows by touch for an item that accepts every identification."""

    def _mint(self, **body: Any) -> str:
        resp = requests.post(
            self.services.sandbox.url + "/sandbox/identity/codes", json=body, timeout=10
        )
        assert resp.status_code == 200, resp.text
        return resp.json()["code"]

    def _to_identify(self) -> None:
        eng, sims = self.engine, self.sims()
        sims["idcard"].remove()
        sims["sscard"].remove()
        self.wait_until(lambda: not eng.card.left and not eng.card.probing, what="card taken")
        self.frames(2)
        self.tap(ITEM)
        self.tap("开始办理")
        assert eng.state == State.IDENTIFY
        self.frames(2)

    def _finish_and_check_wipe(self) -> None:
        eng = self.engine
        for key in "2025":
            self.tap(key)
        self.tap("下一步")
        self.wait_until(lambda: eng.state == State.RESULT, what="central answer")
        eng.end("cancel")
        self.frames(3)
        texts = self.all_texts()
        assert not [t for t in texts for p in WANG if p in t]
        for name, screen_vm in self.app.vm.screens.items():
            for prop in screen_vm.properties():
                assert not any(p in repr(getattr(screen_vm, prop)) for p in WANG), (name, prop)
        assert eng.personal_data() == []

    def test_screen_offers_exactly_the_items_methods(self) -> None:
        self.start_app()
        self._to_identify()
        self.find(PROMPT)
        texts = self.all_texts()
        for where in ("身份证放在屏幕下方的读卡区", "社保卡芯片朝上插入右侧插卡口"):
            assert where in texts
        assert any("扫码窗口" in t for t in texts)
        self.engine.end("cancel")
        # an ID-card-only item (公积金缴存明细查询) offers the ID card alone
        self.engine.select("GJJ-0301")
        self.engine.proceed()
        self.frames(3)
        assert self.app.vm.identify.methods == ["id_card"]
        assert self.app.vm.identify.prompt == "请刷身份证"

    def test_sscard_identifies_masks_and_is_wiped(self) -> None:
        self.start_app()
        eng, sims = self.engine, self.sims()
        self._to_identify()
        sims["sscard"].insert("demo")
        self.wait_until(lambda: eng.state == State.FORM, what="社保卡 read")
        assert eng.session.holder is not None and eng.session.holder.method == "sscard"
        self.frames(2)
        texts = self.all_texts()
        assert "6109**********0010" in texts and WANG[1] not in " ".join(texts)  # masked on screen
        self._finish_and_check_wipe()
        sims["sscard"].remove()

    def test_sscard_left_in_the_slot_is_reminded_until_taken(self) -> None:
        self.start_app()
        eng, sims = self.engine, self.sims()
        self._to_identify()
        sims["sscard"].insert("demo")
        self.wait_until(lambda: eng.state == State.FORM, what="社保卡 read")
        eng.end("cancel")
        self.frames(3)
        assert eng.sscard_left and self.app.vm.remove_card.visible
        self.find("请取走社保卡")
        assert eng.personal_data() == []  # the reminder carries nothing personal
        sims["sscard"].remove()
        self.wait_until(lambda: not eng.sscard_left, what="card taken")
        self.frames(2)
        assert not self.app.vm.remove_card.visible

    def test_expired_sscard_is_refused_in_plain_chinese(self) -> None:
        self.start_app()
        eng, sims = self.engine, self.sims()
        self._to_identify()
        sims["sscard"].insert("expired")
        self.wait_until(lambda: eng.session.identify_problem == "sscard_expired", what="refusal")
        self.frames(2)
        self.find("您的社保卡已过有效期，请刷身份证或到服务窗口办理")
        assert eng.state == State.IDENTIFY and eng.session.holder is None
        sims["sscard"].remove()

    def test_app_code_identifies_once(self) -> None:
        self.start_app()
        eng, sims = self.engine, self.sims()
        self._to_identify()
        code = self._mint(kind="e_sscard")
        sims["scanner"].scan(code)
        self.wait_until(lambda: eng.state == State.FORM, what="code checked by central")
        assert eng.session.holder is not None and eng.session.holder.method == "app_code"
        assert eng.session.holder.name == WANG[0] and code not in eng.personal_data()
        self._finish_and_check_wipe()
        # the same code again, in a new session: refused (one use)
        self._to_identify()
        sims["scanner"].scan(code)
        self.wait_until(lambda: eng.session.identify_problem == "code_used", what="reuse refused")
        self.frames(2)
        self.find("此二维码已使用过，请在手机上刷新后重新出示")
        assert eng.state == State.IDENTIFY

    def test_expired_revoked_and_forged_codes(self) -> None:
        self.start_app()
        eng, sims = self.engine, self.sims()
        self._to_identify()
        for body, problem, text in (
            (
                {"kind": "medical", "issued_ago_s": 600},
                "code_expired",
                "二维码已过期，请在手机上刷新后重新出示",
            ),
            ({"holder": "revoked"}, "code_revoked", "此电子凭证已失效，请刷身份证或到服务窗口办理"),
        ):
            sims["scanner"].scan(self._mint(**body))
            self.wait_until(lambda p=problem: eng.session.identify_problem == p, what=problem)
            self.frames(2)
            self.find(text)
        # a QR that merely claims an identity: central does not know it, nothing is trusted
        sims["scanner"].scan("ID:610902199101010010;NAME:王小明")
        self.wait_until(lambda: eng.session.identify_problem == "code_invalid", what="forged")
        assert eng.state == State.IDENTIFY and eng.session.holder is None

    def test_sscard_inserted_on_the_home_screen_is_read_at_identify(self) -> None:
        self.start_app()
        eng, sims = self.engine, self.sims()
        sims["idcard"].remove()
        sims["sscard"].remove()
        self.frames(3)
        eng.end("cancel")  # the last session ended now: what goes in after it is this citizen's
        sims["sscard"].insert("demo")  # before choosing anything: read, and ignored at home
        self.wait_until(
            lambda: any(
                s.reader.state.value == "card_present"
                for s in self.services.sources
                if hasattr(s, "wake")
            ),
            what="社保卡 seen at home",
        )
        assert eng.state == State.HOME and eng.personal_data() == []
        self.tap(ITEM)
        self.tap("开始办理")
        self.wait_until(lambda: eng.state == State.FORM, what="the card in the slot read")
        assert eng.session.holder is not None and eng.session.holder.method == "sscard"
        eng.end("cancel")
        # left in the slot by that citizen: reminded, and the next session does not read it
        self.frames(3)
        assert self.app.vm.remove_card.visible
        self.app.vm.remove_card.dismiss()
        self.frames(2)
        self.tap(ITEM)
        self.tap("开始办理")
        deadline = time.monotonic() + 1.5  # five polls of the simulated reader
        self.wait_until(
            lambda: time.monotonic() > deadline or eng.state != State.IDENTIFY, what="a second look"
        )
        assert eng.state == State.IDENTIFY and eng.session.holder is None
        eng.end("cancel")
        sims["sscard"].remove()

    def test_first_presented_wins(self) -> None:
        self.start_app()
        eng, sims = self.engine, self.sims()
        self._to_identify()
        sims["sscard"].insert("demo")
        self.wait_until(lambda: eng.state == State.FORM, what="社保卡 read")
        sims["scanner"].scan(self._mint())  # shown after the card: ignored on the form
        self.frames(5)
        assert eng.state == State.FORM and eng.session.holder.method == "sscard"
        eng.end("cancel")
        sims["sscard"].remove()

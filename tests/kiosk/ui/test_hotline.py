"""12345 by touch: anonymous, 诉求内容 typed with the pinyin input method, phone masked on confirm."""

from __future__ import annotations

from kiosk.session.states import State
from tests.kiosk.ui.harness import KioskTestCase


class HotlineTest(KioskTestCase):
    """An anonymous request typed in Chinese reaches the outbox without any identity."""

    def _chip(self, kind: str, text: str) -> None:
        self.frames(3)
        hits = [w for w in self.visible_widgets() if type(w).__name__ == kind and w.text == text]
        assert hits, f"no {kind} {text!r}"
        self.tap(hits[-1])

    def pick(self, word: str) -> None:
        """Tap a candidate, turning the bar's pages (›) until it shows."""
        for _ in range(8):
            self.frames(3)
            if word in [
                w.text for w in self.visible_widgets() if type(w).__name__ == "ImeCandidate"
            ]:
                self._chip("ImeCandidate", word)
                return
            self._chip("KeyButton", "›")
        raise AssertionError(f"{word} not among the candidates")

    def test_anonymous_request_typed_in_pinyin(self) -> None:
        from kiosk.ime.index import shared

        assert shared.wait(120) is not None, shared.error  # built or loaded from the cache
        self.start_app()
        eng = self.engine
        self.sims()["idcard"].remove()
        self.tap("下一页")
        self.tap("12345诉求提交")
        self.tap("开始办理")
        assert eng.state == State.IDENTIFY
        self.find("不方便读身份证？可以匿名提交：不记录您的身份，也不会电话回访，请写明诉求内容。")
        self.tap("匿名提交")
        assert eng.state == State.FORM and eng.session.anonymous
        self._chip("OptionChip", "求助")
        self._chip("OptionChip", "城市管理")
        fields = [w for w in self.visible_widgets() if type(w).__name__ == "FieldList"][0]
        fields.scroll_y = 0  # the citizen swipes the list up: 诉求内容 is the last field
        self.frames(3)
        rows = [
            w
            for w in self.visible_widgets()
            if type(w).__name__ == "FieldRow" and w.name == "content"
        ]
        x, y = rows[0].to_window(*rows[0].center)
        assert fields.collide_point(*fields.parent.to_widget(x, y)), "诉求内容 not on screen"
        self.tap(rows[0])
        assert self.app.vm.form.panel == "ime"
        for key in "ludeng":
            self._chip("ImeKey", key)
        self.find("lu'deng")
        self.pick("路灯")
        for key in "buliang":
            self._chip("ImeKey", key)
        self.pick("不")  # not a dictionary word: chosen piece by piece
        self.pick("亮")
        assert eng.session.values["content"] == "路灯不亮", eng.session.values
        for key in "shebao":
            self._chip("ImeKey", key)
        self._chip("ImeKey", "空格")  # space takes the first candidate
        assert eng.session.values["content"] == "路灯不亮社保"
        self._chip("ImeKey", "退格")
        self._chip("ImeKey", "退格")
        assert eng.session.values["content"] == "路灯不亮"
        self.tap("下一步")
        assert eng.state == State.CONFIRM, eng.session.errors
        self.find("匿名（不回访）")
        self.find("路灯不亮")
        before = len(self.services.outbox.rows(kind="submission"))
        self.tap("确认提交")
        self.wait_until(lambda: eng.state == State.RESULT, timeout=10, what="submission")
        rows = self.services.outbox.rows(kind="submission")
        assert len(rows) == before + 1
        body = self.services.outbox.payload(rows[-1])
        assert body["anonymous"] is True and "applicant" not in body
        assert body["fields"]["content"] == "路灯不亮"

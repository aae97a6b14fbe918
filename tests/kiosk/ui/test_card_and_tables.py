"""The card on the reader drives the flow, by touch on the simulators; result tables as read."""

from __future__ import annotations

from pathlib import Path

from kiosk.results import tables
from kiosk.session.states import State
from tests.kiosk.ui.harness import KioskTestCase


def test_tables_units_totals_and_attention() -> None:
    cols = ["月份", "缴费基数", "养老个人", "状态"]
    rows = [["2025-01", "5000.00", "400.00", "已缴"], ["2025-02", "5000.00", "400.00", "欠缴"]]
    money = tables.money_columns(rows, 4)
    assert money == [1, 2]
    assert tables.with_units(cols, money, "（元）")[1:3] == ["缴费基数\n（元）", "养老个人\n（元）"]
    assert tables.totals(rows, tables.summable(cols, money), 4, "合计") == [
        "合计",
        "",
        "800.00",
        "",
    ]
    assert [tables.needs_attention(r) for r in rows] == [False, True]
    assert tables.totals(rows[:1], money, 4, "合计") is None  # one row: nothing to add up
    assert tables.rows_that_fit(1000, 64, 300) == 10 and tables.rows_that_fit(100, 64, 300) == 3


def test_chime_is_a_private_wav(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import stat
    import wave

    from kiosk.ui.sound import chime_path

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = chime_path()
    with wave.open(str(path)) as w:
        assert w.getframerate() == 22050 and w.getnframes() > 8000
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


class CardOnReaderTest(KioskTestCase):
    """A card placed on the home screen, read again when left, and the reminder to take it."""

    def test_card_on_home_then_left_behind_then_taken(self) -> None:
        self.start_app()
        eng, sims, vm = self.engine, self.sims(), self.app.vm
        sims["idcard"].remove()
        self.wait_until(lambda: not eng.card.left and not eng.card.probing, what="no card")
        sims["idcard"].insert("mainland")  # on the home screen
        self.wait_until(lambda: eng.state == State.CARD_OFFER, what="card offer")
        self.frames(3)
        self.find("王**，您可以办理以下事项：")
        self.tap("户籍信息查询")  # straight on: the card already identifies the citizen
        assert eng.state == State.FORM and eng.session.holder is not None
        self.tap("下一步")  # 本人 is the default; a read-only query: no confirm
        self.wait_until(lambda: eng.state == State.RESULT, what="answer")
        self.tap("完成")
        self.tap("跳过")
        assert eng.state == State.DONE
        # the card still lies on the reader: a large reminder, until it is taken
        self.wait_until(lambda: vm.remove_card.visible, what="remove-card reminder")
        self.frames(3)
        self.find("请取走身份证")
        assert "请取走凭条" not in [
            getattr(w, "text", "") for w in self.visible_widgets()
        ]  # nothing printed
        self.tap("我知道了")
        assert not vm.remove_card.visible
        self.tap("返回首页")
        # left on the reader, it is read at once when the next item needs a card
        self.tap("社保缴费明细查询")
        self.tap("开始办理")
        self.wait_until(lambda: eng.state == State.FORM, what="card left on the reader read again")
        eng.end("test")
        self.wait_until(lambda: vm.remove_card.visible, what="reminder again")
        sims["idcard"].remove()
        self.wait_until(lambda: not vm.remove_card.visible, what="card taken: reminder gone")

"""The result screen in English: central's English when it sends some, the terminal's own words
for an older central that sends none."""

from __future__ import annotations

from typing import Any

from kiosk.session.engine import SessionEngine
from kiosk.session.ports import CardRead, QueryAnswer
from kiosk.ui.viewmodels.session import SessionViewModel
from tests.kiosk.session.fixtures import ZHANG, FakeCentral, FakeClock, FakePrinter, catalogue

OLD = QueryAnswer(
    title="事项1（近12个月）",
    columns=("月份", "状态"),
    rows=(("2025-01", "欠缴"), ("2025-02", "住宅")),
)
NEW = QueryAnswer(
    title="事项1（近12个月）",
    columns=("月份", "状态"),
    rows=(("2025-01", "欠缴"), ("2025-02", "住宅")),
    title_en="Item 1 (last 12 months)",
    columns_en=("Month", "State"),
    terms_en={"住宅": "Residential", "欠缴": "Unpaid"},
)


class Central(FakeCentral):
    def __init__(self, answer: QueryAnswer) -> None:
        super().__init__()
        self.answer = answer

    def query(self, item_code: str, payload: Any) -> QueryAnswer:
        return self.answer


def result(answer: QueryAnswer, lang: str = "en") -> Any:
    eng = SessionEngine(
        catalogue(), central=Central(answer), printer=FakePrinter(), clock=FakeClock()
    )
    vm = SessionViewModel(eng)
    eng.set_language(lang)
    eng.select("Q-0001")
    eng.proceed()
    eng.handle(CardRead(ZHANG))
    eng.set_value("year", "2025")
    eng.submit_form()  # a read-only query asks central at once (no confirm step)
    return vm.result


def test_an_older_central_falls_back_to_the_item_name_and_the_terminals_words() -> None:
    r = result(OLD)
    assert r.title == "Item 1" and r.columns == ["Month", "Status"]
    assert [row["cells"] for row in r.rows] == [["2025-01", "Owed"], ["2025-02", "Residential"]]


def test_centrals_english_comes_first() -> None:
    r = result(NEW)
    assert r.title == "Item 1 (last 12 months)" and r.columns == ["Month", "State"]
    assert [row["cells"] for row in r.rows] == [["2025-01", "Unpaid"], ["2025-02", "Residential"]]


def test_chinese_stays_chinese() -> None:
    r = result(NEW, "zh_CN")
    assert r.title == "事项1（近12个月）" and r.columns == ["月份", "状态"]
    assert r.rows[0]["cells"] == ["2025-01", "欠缴"]

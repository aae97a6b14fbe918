"""An English receipt uses central's English for words the terminal has no term of its own for."""

from __future__ import annotations

import re
from datetime import date

from central import queries
from kiosk.session.ports import QueryAnswer
from tests.kiosk.session.test_receipts import CITIZEN, DEFAULT, ID_NO, SESSION, printed

CJK = re.compile(r"[\u4e00-\u9fff]")
TRAFFIC = next(i.code for i in DEFAULT.items if i.name_zh == "交通违法查询")


def traffic_answer(english: bool) -> QueryAnswer:
    for n in range(200):  # a month in which the sandbox reports a violation
        ans = queries.answer(
            TRAFFIC,
            "交通违法查询",
            ID_NO,
            date(2026, 1 + n % 12, 1 + n % 28),
            {},
            "Traffic violation query",
        )
        if ans.rows:
            break
    printable = queries.printable(ans, SESSION["case_no"], ID_NO, "张三丰", SESSION["time"])
    extra = (
        dict(title_en=ans.title_en, columns_en=tuple(ans.columns_en), terms_en=ans.terms_en)
        if english
        else {}
    )
    return QueryAnswer(
        title=ans.title,
        rows=tuple(map(tuple, ans.rows)),
        columns=tuple(ans.columns),
        case_no=SESSION["case_no"],
        printable_lines=tuple(printable),
        values=ans.values,
        **extra,
    )


def test_centrals_terms_fill_what_the_terminal_does_not_know() -> None:
    old = "\n".join(printed(TRAFFIC, "en", {"id_number": ID_NO}, answer=traffic_answer(False)))
    new = "\n".join(printed(TRAFFIC, "en", {"id_number": ID_NO}, answer=traffic_answer(True)))
    offences = [w for w in queries.TERMS_EN if w in old]
    assert offences, old  # an older central: the offence stays as central worded it
    assert not any(w in new for w in offences), new
    assert any(queries.TERMS_EN[w] in new for w in offences)
    assert CITIZEN["holder_name"] not in new

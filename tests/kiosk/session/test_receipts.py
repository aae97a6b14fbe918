"""Receipts built from the catalogue layout: every receipt carries a QR for progress look-up."""

from __future__ import annotations

from kiosk.catalogue.schema import build_catalogue
from kiosk.session.ports import QueryAnswer
from kiosk.session.receipts import build_receipt
from tests.kiosk.session.fixtures import catalogue, catalogue_dict

SESSION = {
    "case_no": "610900-20261125-000042",
    "time": "2026-11-25 16:40",
    "terminal_id": "DEMO-0001",
}


def test_layout_qr_missing_from_the_answer_falls_back_to_the_case_number() -> None:
    data = catalogue_dict()
    data["items"][1]["receipt"] = dict(data["items"][1]["receipt"], qr="result.period")
    item = build_catalogue(data).item("P-0001")
    answer = QueryAnswer(
        title="证明", rows=(("年度", "2025"),), values={}
    )  # an older central: no values
    doc = build_receipt(item, "zh_CN", fields={}, session=SESSION, answer=answer)
    assert doc.qr == "610900-20261125-000042"
    with_value = QueryAnswer(title="证明", rows=(), values={"period": "2025-11~2026-10"})
    assert (
        build_receipt(item, "zh_CN", fields={}, session=SESSION, answer=with_value).qr
        == "2025-11~2026-10"
    )


def test_no_case_number_no_qr() -> None:
    item = catalogue().item("P-0001")
    doc = build_receipt(item, "zh_CN", fields={}, session={}, answer=None)
    assert doc.qr is None


# ---- the default catalogue's receipts, with central's own answers, as printed --------------

import json  # noqa: E402
import re  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from central import queries  # noqa: E402
from drivers.printer.receipt import Layout, Receipt, render  # noqa: E402
from kiosk.session.receipts import texts  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]
DEFAULT = build_catalogue(
    json.loads((ROOT / "config" / "catalogue" / "bundle.json").read_text("utf-8"))["catalogue"]
)
ID_NO = "11010519491231002X"
MASKED = "1101**********002X"
CITIZEN = dict(SESSION, holder_name="张三丰", holder_id_number=ID_NO, status="received")
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def central_answer(code: str, rows: bool = True, params: dict | None = None) -> QueryAnswer:
    """What the adapter makes of the reference central's answer for this item (real code)."""
    ans = queries.answer(code, DEFAULT.item(code).name_zh, ID_NO, date(2026, 11, 25), params)
    if not rows:
        ans = queries.Answer(ans.title, ans.columns, [])
    printable = queries.printable(ans, SESSION["case_no"], ID_NO, "张三丰", SESSION["time"])
    return QueryAnswer(
        title=ans.title,
        rows=tuple(map(tuple, ans.rows)),
        columns=tuple(ans.columns),
        case_no=SESSION["case_no"],
        printable_lines=tuple(printable),
        values=ans.values,
    )


def printed(
    code: str, lang: str, fields: dict, *, answer: QueryAnswer | None = None, paper: int = 80
) -> tuple[str, ...]:
    doc = build_receipt(DEFAULT.item(code), lang, fields=fields, session=CITIZEN, answer=answer)
    return render(Receipt(doc.title, doc.lines, doc.qr, doc.footer), Layout(paper)).text_lines


def test_english_query_receipt_is_english_but_for_central_data() -> None:
    lines = printed(
        "RS-0102",
        "en",
        {"id_number": ID_NO, "insurance": "Pension", "year": 2025},
        answer=central_answer("RS-0102"),
    )
    assert lines[:10] == (
        "Social insurance payment",
        "details",
        "-" * 48,
        f"ID number: {MASKED}",
        "Name: 张**",
        "Insurance: Pension",
        "Year: 2025",
        "Period: 2025-11~2026-10",
        "Status: In arrears",  # central's values, its term translated
        "Month   Base     Pension Pens.emp Medical Status",
    )
    assert lines[-5:] == (
        "Service number: 610900-20261125-000042",
        "Printed: 2026-11-25 16:40",
        "-" * 48,
        'Scan this QR code at any terminal under "Case',
        'progress" to follow it.',
    )
    # the only Chinese left is central's data: the masked name
    assert [ln for ln in lines if CJK.search(ln)] == ["Name: 张**"]


def test_official_certificate_stays_chinese_in_an_english_session() -> None:
    lines = printed(
        "RS-0101",
        "en",
        {"id_number": ID_NO, "insurance": "Pension", "period": "Last 12 months"},
        answer=central_answer("RS-0101"),
    )
    assert lines[0] == "社会保险参保缴费证明"
    assert f"身份证号：{MASKED}" in lines and "险种：养老保险" in lines
    assert "月份    缴费基数 养老个人 养老单位 医疗个人 状态" in lines
    english = [ln for ln in lines if re.search(r"[A-Za-z]{3}", ln)]
    assert english == ["This is an official document and is issued in", "Chinese only."]


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@pytest.mark.parametrize("code", [i.code for i in DEFAULT.items if i.kind in ("query", "print")])
def test_the_masked_id_number_is_printed_exactly_once(code: str, lang: str) -> None:
    lines = printed(code, lang, {"id_number": ID_NO}, answer=central_answer(code), paper=58)
    assert sum(ln.count(MASKED) for ln in lines) == 1, lines
    assert ID_NO not in "".join(lines)
    assert all(
        not re.fullmatch(r"\S+[：:]\s*", ln)
        or ln.startswith("服务编号")
        or ln.startswith("Service")
        for ln in lines
    ), lines  # no label printed with nothing after it


def test_no_records_in_the_session_language_and_no_empty_table_header() -> None:
    lines = printed(
        "JJ-0901", "en", {"id_number": ID_NO}, answer=central_answer("JJ-0901", rows=False)
    )
    assert "(no records)" in lines
    assert not any("Violation" in ln or "违法行为" in ln for ln in lines)


def test_apply_receipt_status_word_and_empty_values() -> None:
    lines = printed("GA-0702", "zh_CN", {"id_number": ID_NO, "purpose": "employment", "phone": ""})
    assert "办理状态：已接收" in lines
    assert not any(ln.startswith("联系电话") for ln in lines)  # nothing to print: no bare label
    assert "证明用途：就业、从业" in lines
    # the layout's own QR (the case number): no fallback note under it
    assert texts("zh_CN")["receipt.qr_case_no"] not in "".join(lines)


def test_answer_without_central_text_prints_its_table() -> None:
    item = catalogue().item("P-0001")
    answer = QueryAnswer(title="证明", rows=(("2025", "已缴"),), columns=("年度", "状态"))
    doc = build_receipt(item, "zh_CN", fields={}, session=SESSION, answer=answer)
    text = render(Receipt(doc.title, doc.lines, doc.qr, doc.footer), Layout(58)).text_lines
    assert ("年度 状态", "2025 已缴") == text[text.index("年度 状态") : text.index("年度 状态") + 2]


def test_a_tab_in_centrals_plain_text_does_not_make_a_table() -> None:
    answer = QueryAnswer(title="t", rows=(), printable_lines=("t", "备注\t见窗口", "服务编号：S-1"))
    doc = build_receipt(
        catalogue().item("P-0001"), "zh_CN", fields={}, session=SESSION, answer=answer
    )
    assert ("", "备注 见窗口") in doc.lines and ("服务编号", "S-1") in doc.lines
    assert not any("\t" in v for _, v in doc.lines)


# ---- central's named values (QueryResult.values) on paper --------------------------------


def test_contribution_certificate_shows_the_period_central_covered() -> None:
    """The period of the query (central's title suffix 近12个月 gives way to the layout's title)."""
    answer = central_answer("RS-0101")
    lines = printed(
        "RS-0101",
        "zh_CN",
        {"id_number": ID_NO, "insurance": "养老保险", "period": "最近12个月"},
        answer=answer,
    )
    assert lines[:7] == (
        "社会保险参保缴费证明",
        "-" * 48,
        f"身份证号：{MASKED}",
        "姓名：张**",
        "险种：养老保险",
        "参保状态：存在欠缴",
        "缴费期间：2025-11~2026-10",
    )
    assert (answer.rows[0][0], answer.rows[-1][0]) == (
        "2025-11",
        "2026-10",
    )  # what the table covers


@pytest.mark.parametrize("code", [i.code for i in DEFAULT.items if i.kind in ("query", "print")])
def test_every_result_line_of_the_default_layouts_prints(code: str) -> None:
    """No line of the shipped layouts is silently dropped: central sends what each one names."""
    item = DEFAULT.item(code)
    lines = printed(code, "zh_CN", {"id_number": ID_NO}, answer=central_answer(code))
    for line in item.receipt.lines:
        if line.ref.startswith("result."):
            assert any(
                ln.startswith(f"{line.label_zh}：") and len(ln) > len(line.label_zh) + 1
                for ln in lines
            ), (code, line.label_zh, lines)


def test_an_older_central_without_values_prints_no_blank_lines() -> None:
    ans = central_answer("GJJ-0301")
    old = QueryAnswer(
        title=ans.title,
        rows=ans.rows,
        columns=ans.columns,
        case_no=ans.case_no,
        printable_lines=ans.printable_lines,
    )
    lines = printed("GJJ-0301", "zh_CN", {"id_number": ID_NO}, answer=old)
    assert not any(ln.startswith(("账户状态", "查询期间")) for ln in lines)
    assert "账户状态：正常" in printed("GJJ-0301", "zh_CN", {"id_number": ID_NO}, answer=ans)


@pytest.mark.parametrize(
    ("lang", "expected"), [("zh_CN", "办理状态：办理中"), ("en", "Status: In progress")]
)
def test_progress_status_is_named_in_the_receipt_language(lang: str, expected: str) -> None:
    answer = QueryAnswer(
        title="610900-20261125-000042",
        rows=(("2026-11-25 10:00", "in_progress"),),
        columns=("time", "status"),
        printable=False,
        values={"status": "in_progress"},
    )
    lines = printed("ZW-1001", lang, {"case_no": "610900-20261125-000042"}, answer=answer)
    assert expected in lines


def test_the_period_printed_is_the_one_asked_and_answered() -> None:
    """A payment-details query for 2025 says so, in the table and in its period line."""
    fields = {"id_number": ID_NO, "insurance": "养老保险", "year": 2025}
    lines = printed(
        "RS-0102", "zh_CN", fields, answer=central_answer("RS-0102", params={"year": "2025"})
    )
    assert "年度：2025" in lines and "缴费期间：2025-01~2025-12" in lines
    months = [ln[:7] for ln in lines if re.match(r"\d{4}-\d{2} ", ln)]
    assert months == [f"2025-{m:02d}" for m in range(1, 13)]

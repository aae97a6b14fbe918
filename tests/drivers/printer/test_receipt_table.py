"""Tables and long values on 58/80 mm receipts: what is printed, line by line and byte by byte."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as hs

from drivers.printer.encoding import fold, text_width, wrap
from drivers.printer.receipt import Layout, Receipt, body_lines, field_lines, render
from drivers.printer.table import CELL_SEP, is_table_row, table_lines, table_row

HEADER = ("月份", "缴费基数", "养老个人", "养老单位", "医疗个人", "状态")
ROWS = (
    ("2025-11", "12000.00", "960.00", "1920.00", "240.00", "已缴"),
    ("2025-12", "4462.00", "356.96", "713.92", "89.24", "欠缴"),
)


def table_receipt(header=HEADER, rows=ROWS) -> Receipt:  # noqa: ANN001
    return Receipt(
        "社会保险缴费明细",
        (
            ("身份证号", "1101**********002X"),
            table_row(header),
            *(table_row(r) for r in rows),
            ("打印时间", "2026-11-25 16:40"),
        ),
    )


def test_six_column_contribution_table_is_aligned_on_80mm() -> None:
    out = render(table_receipt(), Layout(80))
    assert out.text_lines[2:6] == (
        "身份证号：1101**********002X",
        "月份    缴费基数 养老个人 养老单位 医疗个人 状态",
        "2025-11 12000.00   960.00  1920.00   240.00 已缴",
        "2025-12  4462.00   356.96   713.92    89.24 欠缴",
    )
    assert max(text_width(t) for t in out.text_lines) == 48
    # on the wire: GB18030, numbers right-aligned with ASCII spaces, one LF per row
    assert (
        b"2025-12  4462.00   356.96   713.92    89.24 " + "欠缴".encode("gb2312") + b"\n"
    ) in out.data


def test_six_column_table_is_stacked_per_row_on_58mm() -> None:
    out = render(table_receipt(), Layout(58))
    assert out.text_lines[2:13] == (
        "身份证号：1101**********002X",
        "2025-11",
        "  缴费基数：12000.00",
        "  养老个人：960.00",
        "  养老单位：1920.00",
        "  医疗个人：240.00  状态：已缴",  # items share a line when both fit
        "2025-12",
        "  缴费基数：4462.00",
        "  养老个人：356.96",
        "  养老单位：713.92",
        "  医疗个人：89.24  状态：欠缴",
    )
    assert all(text_width(t) <= 32 for t in out.text_lines)


def test_english_headers_use_an_ascii_colon() -> None:
    assert table_lines(("Month", "Base", "Status"), [("2025-11", "12000.00", "Paid")], 16) == [
        "2025-11",
        "  Base: 12000.00",
        "  Status: Paid",
    ]
    assert field_lines("Name", "张**", 32) == ["Name: 张**"]


def test_table_rows_are_plain_pairs_that_read_as_text() -> None:
    assert table_row(["a\tb", "c\nd", 3]) == ("", f"a b{CELL_SEP}c d{CELL_SEP}3")
    assert table_row(["only"]) == ("", f"only{CELL_SEP}")
    assert is_table_row(*table_row(["x", "y"])) and not is_table_row("标签", "a\tb")


def test_long_case_number_goes_under_its_label_whole() -> None:
    assert field_lines("服务编号", "Q-610900-20261125-000042", 32) == [
        "服务编号：",
        "  Q-610900-20261125-000042",
    ]
    assert field_lines("服务编号", "Q-610900-20261125-000042", 48) == [
        "服务编号：Q-610900-20261125-000042"
    ]


def test_wrap_breaks_at_a_space_that_follows_a_full_line_and_after_hyphens() -> None:
    assert wrap("Social insurance payment details", 16) == ["Social insurance", "payment details"]
    assert wrap("No-criminal-record application", 16) == ["No-criminal-", "record", "application"]


def test_square_metre_prints_as_chinese_words() -> None:
    assert fold("145.22㎡") == "145.22平方米"
    out = render(Receipt("x", (("面积", "145.22㎡"),)), Layout(58))
    assert out.replaced == 0
    assert "面积：145.22平方米".encode("gb18030") + b"\n" in out.data


CELL = hs.text(
    alphabet=hs.sampled_from("0123456789.-abcXYZ 缴费基数养老状态已（）："), min_size=0, max_size=6
)


@settings(max_examples=120, deadline=None)
@given(
    header=hs.lists(CELL, min_size=1, max_size=8),
    rows=hs.lists(hs.lists(CELL, min_size=1, max_size=8), min_size=1, max_size=5),
    paper=hs.sampled_from([58, 80]),
)
def test_every_table_line_fits_and_no_cell_is_split(
    header: list[str], rows: list[list[str]], paper: int
) -> None:
    out = render(Receipt("T", (table_row(header), *(table_row(r) for r in rows))), Layout(paper))
    cols = Layout(paper).columns
    assert all(text_width(t) <= cols for t in out.text_lines)
    printed = body_lines((table_row(header), *(table_row(r) for r in rows)), cols)
    for row in rows:
        for cell in table_row(row)[1].split(CELL_SEP):
            assert cell == "" or any(cell in line for line in printed), (cell, printed)

"""Rating exports for staff (CSV, XLSX) with cells neutralised against formula injection."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from central.console.figures import CN_TZ

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = (
    ("case_no", "办件编号"),
    ("item_code", "事项编码"),
    ("level", "评价等级"),
    ("tags", "原因"),
    ("comment", "评价内容"),
    ("terminal_id", "终端"),
    ("region_code", "区划"),
    ("channel", "渠道"),
    ("received_at", "收到时间"),
)


def neutralise(value: Any) -> Any:
    """A cell a spreadsheet shows as text: a leading = + - @ TAB CR gets a quote in front."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def rows(ratings: Iterable[dict[str, Any]]) -> list[list[Any]]:
    """Export rows (header first) from Storage.ratings() records."""
    out: list[list[Any]] = [[label for _, label in COLUMNS]]
    for r in ratings:
        line: list[Any] = []
        for key, _ in COLUMNS:
            v = r.get(key)
            if key == "tags":
                v = ";".join(v or [])
            elif key == "received_at" and v is not None:
                v = datetime.fromtimestamp(v, CN_TZ).strftime("%Y-%m-%d %H:%M:%S")
            line.append(neutralise("" if v is None else v))
        out.append(line)
    return out


def to_csv(table: Sequence[Sequence[Any]]) -> bytes:
    """UTF-8 CSV with a BOM (so Excel on a Chinese Windows reads it as UTF-8)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(table)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(table: Sequence[Sequence[Any]], title: str = "评价") -> bytes:
    """An .xlsx workbook; every cell is written as a string or number, never as a formula."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = title
    for line in table:
        ws.append(list(line))
    for cell in (c for row in ws.iter_rows() for c in row):
        if isinstance(cell.value, str):
            cell.data_type = "s"  # openpyxl would store a leading "=" as a formula otherwise
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

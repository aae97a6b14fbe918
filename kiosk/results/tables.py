"""Result tables as a citizen reads them: money columns with their unit, a totals row, rows
that need attention (欠缴, 异常 …) marked, and as many rows per page as the screen holds."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

MONEY_RE = re.compile(r"-?\d{1,3}(?:,?\d{3})*\.\d{2}")
"""Central sends amounts in yuan with two decimals (e.g. 4462.00, 1,200.00)."""
NO_SUM_WORDS = ("基数", "余额", "单价", "base", "balance", "rate")
"""Money columns that are levels, not amounts paid: never added up (a sum of balances is nonsense)."""
ALERT_WORDS = (
    "欠缴",
    "未缴",
    "异常",
    "逾期",
    "冻结",
    "失败",
    "owed",
    "overdue",
    "abnormal",
    "unpaid",
)
"""A row holding one of these needs the citizen's attention (shown highlighted)."""


def money_columns(rows: Sequence[Sequence[str]], ncols: int) -> list[int]:
    """Indexes of the columns whose every non-empty cell is an amount."""
    out = []
    for i in range(ncols):
        cells = [str(r[i]).strip() for r in rows if i < len(r) and str(r[i]).strip()]
        if cells and all(MONEY_RE.fullmatch(c) for c in cells):
            out.append(i)
    return out


def with_units(columns: Sequence[str], money: Sequence[int], unit: str) -> list[str]:
    """Column headers with the unit after each money column: 缴费基数（元）."""
    return [f"{c}\n{unit}" if i in money else c for i, c in enumerate(columns)]


def summable(columns: Sequence[str], money: Sequence[int]) -> list[int]:
    """The money columns that are amounts (paid, owed, deposited), which a total may add up."""
    return [i for i in money if not any(w in str(columns[i]).lower() for w in NO_SUM_WORDS)]


def totals(
    rows: Sequence[Sequence[str]], money: Sequence[int], ncols: int, label: str
) -> list[str] | None:
    """The totals row (sums of the given money columns), or None when there is nothing to add."""
    if not money or len(rows) < 2:
        return None
    out = [""] * ncols
    for i in money:
        total = Decimal(0)
        for r in rows:
            try:
                total += (
                    Decimal(str(r[i]).replace(",", "")) if i < len(r) and str(r[i]).strip() else 0
                )
            except InvalidOperation:
                return None
        out[i] = f"{total:.2f}"
    first_free = next((i for i in range(ncols) if not out[i] and i not in money), None)
    if first_free is None:
        return None
    out[first_free] = label
    return out


def needs_attention(row: Sequence[str]) -> bool:
    """Whether a row holds a status the citizen must notice."""
    return any(w in str(c) for c in row for w in ALERT_WORDS)


def rows_that_fit(height: float, row_height: float, reserved: float, least: int = 3) -> int:
    """Rows per page for a table area `height` tall (minus header, totals, pager: `reserved`)."""
    if row_height <= 0:
        return least
    return max(least, int((height - reserved) // row_height))

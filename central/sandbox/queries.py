"""Deterministic synthetic answers for query/print items: same item + same ID → same answer."""

from __future__ import annotations

import hashlib
import logging
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from drivers.privacy import mask_id_number, mask_name

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answer:
    """A synthetic answer before it gets a case number."""

    title: str
    columns: list[str]
    rows: list[list[str]]
    values: dict[str, str] = field(default_factory=dict)
    """Named values for receipt layouts (names: kiosk.central_api.QUERY_VALUE_NAMES)."""
    title_en: str = ""
    columns_en: list[str] = field(default_factory=list)
    terms_en: dict[str, str] = field(default_factory=dict)
    """English of this answer's cells that are not fixed status terms (QUERY_STATUS_TERMS)."""


def _rng(item_code: str, id_number: str, *extra: str) -> random.Random:
    seed = hashlib.sha256("\x1f".join((item_code, id_number, *extra)).encode()).digest()
    return random.Random(int.from_bytes(seed[:8], "big"))


def _months(today: date, n: int) -> list[str]:
    y, m = today.year, today.month
    out = []
    for _ in range(n):
        m -= 1
        if m == 0:
            y, m = y - 1, 12
        out.append(f"{y:04d}-{m:02d}")
    return list(reversed(out))


MAX_MONTHS = 60
"""The longest window an answer covers (the last 60 complete months)."""
PERIOD_MONTHS = {"m6": 6, "m12": 12, "m24": 24, "all": 36}
"""Months of a `period` choice (all: the sandbox's whole synthetic insured period)."""


def _param_int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _param_month(value: Any) -> str | None:
    """YYYY-MM of an ISO date parameter, None when absent or not a date."""
    try:
        return date.fromisoformat(str(value).strip()).strftime("%Y-%m")
    except ValueError:
        return None


def window(today: date, params: Mapping[str, Any] | None = None) -> tuple[list[str], bool]:
    """(months YYYY-MM oldest first, relative?) an answer covers: a `year`, `start`/`end` dates
    or a `period` choice (m6/m12/m24/all); by default the last 12 complete months."""
    params = params or {}
    recent = _months(today, MAX_MONTHS)
    year = _param_int(params.get("year")) if params.get("year") is not None else None
    if year is not None and 1 <= year <= 9999:
        return [m for m in (f"{year:04d}-{i:02d}" for i in range(1, 13)) if m <= recent[-1]], False
    start, end = _param_month(params.get("start")), _param_month(params.get("end"))
    if start or end:
        return [m for m in recent if (start or "") <= m <= (end or "9999")], False
    return _months(today, PERIOD_MONTHS.get(str(params.get("period")), 12)), True


def _title(name: str, months: list[str], relative: bool) -> str:
    if not months:
        return name
    return f"{name}（近{len(months)}个月）" if relative else f"{name}（{_period(months)}）"


def _period(months: list[str]) -> str:
    return f"{months[0]}~{months[-1]}"  # no words: read alike in any receipt language


def _period_values(months: list[str], **values: str) -> dict[str, str]:
    """period and the given values, or none at all for an empty window (nothing to state)."""
    return {"period": _period(months), **values} if months else {}


def social_insurance(
    rng: random.Random, today: date, name: str, params: Mapping[str, Any]
) -> Answer:
    """Monthly pension/medical/unemployment contributions over the asked window."""
    base = rng.choice((4462, 5000, 6000, 7500, 9000, 12000))
    rows = []
    months, relative = window(today, params)
    for month in months:
        paid = rng.random() > 0.04
        rows.append(
            [
                month,
                f"{base:.2f}",
                f"{base * 0.08:.2f}",
                f"{base * 0.16:.2f}",
                f"{base * 0.02:.2f}",
                "已缴" if paid else "欠缴",
            ]
        )
    owed = any(r[-1] == "欠缴" for r in rows)
    return Answer(
        _title(name, months, relative),
        ["月份", "缴费基数", "养老个人", "养老单位", "医疗个人", "状态"],
        rows,
        _period_values(months, status="存在欠缴" if owed else "正常缴费"),
    )


def housing_fund(rng: random.Random, today: date, name: str, params: Mapping[str, Any]) -> Answer:
    """Monthly housing-fund deposits and the running balance over the asked window."""
    monthly = rng.choice((600, 840, 1200, 1800, 2400))
    balance = rng.randrange(10_000, 120_000)
    rows = []
    months, relative = window(today, params)
    for month in months:
        balance += monthly
        rows.append([month, f"{monthly:.2f}", f"{balance:.2f}", "正常"])
    return Answer(
        _title(name, months, relative),
        ["月份", "缴存额", "余额", "状态"],
        rows,
        _period_values(months, status="正常"),
    )


def tax_records(rng: random.Random, today: date, name: str, params: Mapping[str, Any]) -> Answer:
    """Individual income tax paid per month over the asked window."""
    rows = []
    months, _ = window(today, params)
    for month in months:
        income = rng.choice((6000, 8000, 12000, 18000))
        tax = max(0.0, (income - 5000) * 0.03)
        rows.append([month, f"{income:.2f}", f"{tax:.2f}"])
    return Answer(name, ["所属期", "收入额", "已缴税额"], rows, _period_values(months))


def property_records(
    rng: random.Random, today: date, name: str, params: Mapping[str, Any]
) -> Answer:
    """Real estate registered to the person (0–2 units)."""
    rows = []
    for _ in range(rng.choice((0, 1, 1, 2))):
        rows.append(
            [
                f"不动产权第{rng.randrange(1000000, 9999999)}号",
                f"{rng.randrange(45, 160)}.{rng.randrange(10, 99)}㎡",
                rng.choice(("住宅", "商业")),
                "正常",
            ]
        )
    status = "名下有不动产登记" if rows else "名下无不动产登记"
    return Answer(name, ["证书号", "面积", "用途", "状态"], rows, {"status": status})


def traffic_violations(
    rng: random.Random, today: date, name: str, params: Mapping[str, Any]
) -> Answer:
    """Unprocessed traffic violations (usually none)."""
    rows = []
    for _ in range(rng.choice((0, 0, 0, 1, 2))):
        rows.append(
            [
                f"{today.year}-{rng.randrange(1, today.month + 1):02d}-{rng.randrange(1, 28):02d}",
                rng.choice(("违反禁令标志", "超速行驶不足20%", "违法停车")),
                str(rng.choice((0, 1, 3))),
                f"{rng.choice((100, 150, 200))}",
            ]
        )
    status = "有未处理交通违法" if rows else "无未处理交通违法"
    return Answer(name, ["日期", "违法行为", "记分", "罚款（元）"], rows, {"status": status})


def progress(rng: random.Random, today: date, name: str, params: Mapping[str, Any]) -> Answer:
    """Progress of an application kept by another department."""
    steps = ["受理", "审核", "制证", "寄递"][: rng.randrange(1, 5)]
    return Answer(
        name,
        ["环节", "状态"],
        [[s, "已完成"] for s in steps[:-1]] + [[steps[-1], "办理中"]],
        {"status": "办理中"},
    )


def generic(rng: random.Random, today: date, name: str, params: Mapping[str, Any]) -> Answer:
    """A one-row record for any other query/print item."""
    return Answer(
        name,
        ["项目", "内容"],
        [
            ["查询日期", today.isoformat()],
            ["记录编号", f"R{rng.randrange(10**7, 10**8)}"],
            ["状态", "正常"],
        ],
    )


Generator = Callable[[random.Random, date, str, Mapping[str, Any]], Answer]

# Name keywords → generator (the catalogue's item names decide; codes are the catalogue's own).
KEYWORDS: tuple[tuple[str, Generator], ...] = (
    ("公积金", housing_fund),
    ("社保", social_insurance),
    ("养老", social_insurance),
    ("医保", social_insurance),
    ("纳税", tax_records),
    ("个人所得税", tax_records),
    ("不动产", property_records),
    ("违法", traffic_violations),
    ("进度", progress),
)

# Items answered while no catalogue is published: code → (name, kind).
BUILTIN_ITEMS: dict[str, tuple[str, str]] = {
    "SB-QUERY-001": ("社保缴费明细查询", "query"),
    "SB-PRINT-001": ("社保参保缴费证明打印", "print"),
    "GJJ-QUERY-001": ("公积金缴存明细查询", "query"),
    "BDC-QUERY-001": ("不动产权属查询", "query"),
    "SW-PRINT-001": ("个人所得税纳税记录打印", "print"),
    "JG-QUERY-001": ("交通违法查询", "query"),
    "SB-APPLY-001": ("养老待遇资格认证", "apply"),
    "ZW-PROGRESS-001": ("办件进度查询", "progress"),
}


def generator_for(name: str) -> Generator:
    """The synthetic generator an item name calls for."""
    for word, gen in KEYWORDS:
        if word in name:
            return gen
    return generic


def answer(
    item_code: str,
    item_name: str,
    id_number: str,
    today: date,
    params: Mapping[str, Any] | None = None,
    item_name_en: str = "",
) -> Answer:
    """Deterministic answer for (item, person, month, the query's parameters), with English."""
    rng = _rng(item_code, id_number, today.strftime("%Y-%m"))
    return english(
        generator_for(item_name)(rng, today, item_name, params or {}), item_name, item_name_en
    )


# English of the sandbox's column names and non-status cell words (the department's wording).
COLUMNS_EN = {
    "月份": "Month",
    "缴费基数": "Contribution base",
    "养老个人": "Pension (own)",
    "养老单位": "Pension (employer)",
    "医疗个人": "Medical (own)",
    "状态": "Status",
    "缴存额": "Deposit",
    "余额": "Balance",
    "所属期": "Tax period",
    "收入额": "Income",
    "已缴税额": "Tax paid",
    "证书号": "Certificate no.",
    "面积": "Area",
    "用途": "Use",
    "日期": "Date",
    "违法行为": "Violation",
    "记分": "Points",
    "罚款（元）": "Fine (CNY)",
    "环节": "Step",
    "项目": "Entry",
    "内容": "Content",
}
TERMS_EN = {
    "住宅": "Residential",
    "商业": "Commercial",
    "违反禁令标志": "Ignoring a prohibition sign",
    "超速行驶不足20%": "Speeding (under 20%)",
    "违法停车": "Illegal parking",
    "受理": "Accepted",
    "审核": "Review",
    "制证": "Issuing",
    "寄递": "Delivery",
    "查询日期": "Query date",
    "记录编号": "Record no.",
    "状态": "Status",
}
_TITLE_TAIL = re.compile(r"（近(\d+)个月）$|（([^（）]*)）$")


def english(ans: Answer, name_zh: str, name_en: str) -> Answer:
    """`ans` with its English title, column labels and the cell terms it uses."""
    from kiosk.central_api import QUERY_STATUS_TERMS

    title_en = name_en
    tail = _TITLE_TAIL.search(ans.title[len(name_zh) :]) if ans.title.startswith(name_zh) else None
    if name_en and tail:
        title_en += f" (last {tail[1]} months)" if tail[1] else f" ({tail[2]})"
    cells = {c for r in ans.rows for c in r}
    terms = {c: TERMS_EN[c] for c in sorted(cells) if c in TERMS_EN and c not in QUERY_STATUS_TERMS}
    return replace(
        ans,
        title_en=title_en,
        columns_en=[COLUMNS_EN.get(c, "") for c in ans.columns],
        terms_en=terms,
    )


def printable(ans: Answer, case_no: str, id_number: str, name: str, printed_at: str) -> list[str]:
    """Receipt lines: masked identity, the table as text, the service number."""
    lines = [ans.title, f"身份证号：{mask_id_number(id_number)}"]
    if name:
        lines.append(f"姓名：{mask_name(name)}")
    lines.append(" | ".join(ans.columns))
    lines.extend(" | ".join(r) for r in ans.rows)
    if not ans.rows:
        lines.append("（无记录）")
    lines += [f"服务编号：{case_no}", f"打印时间：{printed_at}"]
    return lines

"""Synthetic query answers (deterministic, masked receipts) and storage failure messages."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from central import queries
from central.errors import StorageError
from central.storage import Storage
from kiosk.cli import main
from tests.central.test_contract import id_numbers

NAMES = [
    "社保缴费明细查询",
    "公积金缴存明细查询",
    "个人所得税纳税记录打印",
    "不动产权属查询",
    "交通违法查询",
    "出入境证件办理进度查询",
    "户籍信息查询",
]


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(NAMES),
    id_number=id_numbers(),
    day=st.dates(date(2020, 1, 1), date(2035, 12, 31)),
)
def test_answers_are_deterministic_and_receipts_masked(
    name: str, id_number: str, day: date
) -> None:
    a = queries.answer("ITEM-1", name, id_number, day)
    assert a == queries.answer("ITEM-1", name, id_number, day)
    assert all(len(r) == len(a.columns) and all(isinstance(c, str) for c in r) for r in a.rows)
    lines = queries.printable(
        a, "610900-20261125-000001", id_number, "欧阳娜娜", "2026-11-25 10:00"
    )
    text = "\n".join(lines)
    assert id_number not in text and "欧阳娜娜" not in text
    assert id_number[:4] + "*" * 10 + id_number[-4:] in text and "欧***" in text


def test_twelve_months_of_contributions_end_last_month() -> None:
    a = queries.answer("RS-0102", "社保缴费明细查询", "11010519491231002X", date(2026, 1, 15))
    assert [r[0] for r in a.rows] == [f"2025-{m:02d}" for m in range(1, 13)]
    assert queries.generator_for("公积金缴存明细查询") is queries.housing_fund
    assert queries.generator_for("营业执照自助打印") is queries.generic


def test_a_file_that_is_not_a_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "c.sqlite3"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError, match="cannot open the service database"):
        Storage(bad)
    assert main(["central", "token", "add", "--db", str(bad), "--name", "x"]) == 1
    err = capsys.readouterr().err
    assert "cannot open the service database" in err and "Traceback" not in err


def test_trusted_key_must_be_32_bytes(tmp_path: Path) -> None:
    store = Storage(tmp_path / "c.sqlite3")
    with pytest.raises(StorageError):
        store.add_trusted_key("k", b"short", 0)
    store.close()


# --- the window an answer covers, and the period it states (QueryResult.values) -------------

PERIOD_NAMES = ["社保缴费明细查询", "公积金缴存明细查询", "个人所得税纳税记录打印"]
PARAMS = st.fixed_dictionaries(
    {},
    optional={
        "year": st.one_of(st.integers(-5, 2100).map(str), st.integers(1990, 2040), st.just("x")),
        "period": st.sampled_from(["m6", "m12", "m24", "all", "??"]),
        "start": st.one_of(
            st.dates(date(2015, 1, 1), date(2030, 1, 1)).map(date.isoformat), st.just("nope")
        ),
        "end": st.dates(date(2015, 1, 1), date(2030, 1, 1)).map(date.isoformat),
    },
)


def _next(month: str) -> str:
    y, m = map(int, month.split("-"))
    return f"{y + m // 12:04d}-{m % 12 + 1:02d}"


@settings(max_examples=80, deadline=None)
@given(
    name=st.sampled_from(PERIOD_NAMES),
    params=PARAMS,
    day=st.dates(date(2020, 1, 1), date(2030, 12, 31)),
)
def test_the_period_stated_is_the_window_answered(name: str, params: dict, day: date) -> None:
    a = queries.answer("ITEM-1", name, "11010519491231002X", day, params)
    months = [r[0] for r in a.rows]
    assert all(_next(x) == y for x, y in zip(months, months[1:]))  # consecutive, oldest first
    assert not months or months[-1] < day.strftime("%Y-%m")  # complete months only
    assert len(months) <= queries.MAX_MONTHS
    if months:
        assert a.values["period"] == f"{months[0]}~{months[-1]}"
    else:
        assert a.values == {}  # nothing answered: no period and no status claimed


def test_year_start_end_and_period_choice_narrow_the_answer() -> None:
    day, who = date(2026, 11, 25), "11010519491231002X"
    year = queries.answer(
        "RS-0102", "社保缴费明细查询", who, day, {"year": "2025", "insurance": "pension"}
    )
    assert [r[0] for r in year.rows] == [f"2025-{m:02d}" for m in range(1, 13)]
    assert (
        year.values["period"] == "2025-01~2025-12"
        and year.title == "社保缴费明细查询（2025-01~2025-12）"
    )
    this_year = queries.answer("RS-0102", "社保缴费明细查询", who, day, {"year": 2026})
    assert this_year.values["period"] == "2026-01~2026-10"  # November is not complete yet
    span = queries.answer(
        "GJJ-0301", "公积金缴存明细查询", who, day, {"start": "2026-03-15", "end": "2026-06-01"}
    )
    assert span.values == {"period": "2026-03~2026-06", "status": "正常"}
    m24 = queries.answer("RS-0101", "社保参保缴费证明打印", who, day, {"period": "m24"})
    assert (m24.values["period"], m24.title) == (
        "2024-11~2026-10",
        "社保参保缴费证明打印（近24个月）",
    )
    future = queries.answer("RS-0102", "社保缴费明细查询", who, day, {"year": 2030})
    assert future.rows == [] and future.values == {}

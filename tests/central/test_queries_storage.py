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

NAMES = ["社保缴费明细查询", "公积金缴存明细查询", "个人所得税纳税记录打印", "不动产权属查询",
         "交通违法查询", "出入境证件办理进度查询", "户籍信息查询"]


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(NAMES), id_number=id_numbers(),
       day=st.dates(date(2020, 1, 1), date(2035, 12, 31)))
def test_answers_are_deterministic_and_receipts_masked(name: str, id_number: str, day: date) -> None:
    a = queries.answer("ITEM-1", name, id_number, day)
    assert a == queries.answer("ITEM-1", name, id_number, day)
    assert all(len(r) == len(a.columns) and all(isinstance(c, str) for c in r) for r in a.rows)
    lines = queries.printable(a, "330100-20261125-000001", id_number, "欧阳娜娜", "2026-11-25 10:00")
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

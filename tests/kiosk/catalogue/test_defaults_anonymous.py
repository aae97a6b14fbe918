"""Catalogue design for fewer taps (`default`) and 匿名 requests (`anonymous`): schema and model."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from kiosk.catalogue.model import Field
from kiosk.catalogue.schema import build_catalogue, validate_catalogue
from kiosk.session.defaults import effective_fields, resolve_default

from .conftest import source_dict


def _item(source: dict, code: str) -> tuple[int, dict]:
    return next((i, it) for i, it in enumerate(source["items"]) if it["code"] == code)


def test_shipped_12345_allows_anonymous_with_content_required() -> None:
    cat = build_catalogue(source_dict())
    item = cat.item("RX-1101")
    assert item.anonymous_required == ("request_type", "topic", "content")
    fields = {f.name: f.required for f in effective_fields(item, anonymous=True)}
    assert fields["content"] and not fields["phone"]
    assert {f.name: f.required for f in effective_fields(item, False)}["phone"]


def test_anonymous_design_mistakes_are_reported() -> None:
    source = source_dict()
    i, rx = _item(source, "RX-1101")
    rx["anonymous"] = {"required": ["content"], "extra": 1}
    problems = validate_catalogue(source)
    assert (
        len(problems) == 1
        and problems[0].startswith(f"items[{i}].anonymous")
        and "extra" in problems[0]
    )
    rx["anonymous"] = {"required": ["nope"]}
    assert validate_catalogue(source) == [f"items[{i}].anonymous.required[0]: unknown field 'nope'"]
    j, query = _item(source, "RS-0102")
    query["anonymous"] = {"required": []}
    rx["anonymous"] = {"required": ["content"]}
    assert validate_catalogue(source) == [
        f"items[{j}].anonymous: only apply items can be submitted anonymously"
    ]


def test_default_must_be_an_option_or_a_date_rule() -> None:
    source = source_dict()
    i, rs = _item(source, "RS-0101")
    rs["fields"][1]["default"] = "nope"
    assert validate_catalogue(source) == [
        f"items[{i}].fields[1].default: 'nope' is not one of the option values"
    ]
    rs["fields"][1]["default"] = "all"
    j, gjj = _item(source, "GJJ-0301")
    gjj["fields"][1]["default"] = "yesterday"
    assert validate_catalogue(source) == [
        f'items[{j}].fields[1].default: must be an ISO date, "today" or "today-Nm", got \'yesterday\''
    ]


@given(st.dates(dt.date(2000, 1, 1), dt.date(2100, 12, 31)), st.integers(0, 120))
def test_date_defaults_are_real_dates_n_months_back(today: dt.date, back: int) -> None:
    f = Field(name="start", type="date", label_zh="起", label_en="From", default=f"today-{back}m")
    got = dt.date.fromisoformat(resolve_default(f, today) or "")
    assert (today.year * 12 + today.month) - (got.year * 12 + got.month) == back
    assert got.day == today.day or got.day < today.day  # clipped to the month's last day
    assert (
        resolve_default(
            Field(name="e", type="date", label_zh="止", label_en="To", default="today"), today
        )
        == today.isoformat()
    )

"""English query results: the contract's additive fields, the sandbox filling them, old and new
services and terminals getting along."""

from __future__ import annotations

import re
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from central import queries
from kiosk import central_api as api
from tests.central.conftest import ID_NUMBER, Service

CJK = re.compile(r"[\u4e00-\u9fff]")
NAMES = {  # item names as the shipped catalogue has them → their English
    "社保缴费明细查询": "Social insurance payment details",
    "公积金缴存明细查询": "Housing fund deposit details",
    "个人所得税纳税记录打印": "Print individual income tax record",
    "不动产权属（有房无房）证明打印": "Print real estate ownership certificate (home / no home)",
    "交通违法查询": "Traffic violation query",
    "出入境证件办理进度查询": "Exit-entry document progress",
    "户籍信息查询": "Household registration query",
}
OFFICIAL_NUMBER = re.compile(r"不动产权第\d+号")  # a certificate number stays as issued


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(sorted(NAMES)),
    st.integers(0, 10**6),
    st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    st.sampled_from([{}, {"year": "2025"}, {"period": "m6"}, {"period": "all"}]),
)
def test_every_sandbox_answer_is_complete_in_english(
    name: str, seed: int, today: date, params: dict[str, str]
) -> None:
    ans = queries.answer("X-1", name, f"{seed:018d}", today, params, NAMES[name])
    assert ans.title_en.startswith(NAMES[name]) and not CJK.search(ans.title_en)
    assert len(ans.columns_en) == len(ans.columns) and all(ans.columns_en)
    terms = {**api.QUERY_STATUS_TERMS, **ans.terms_en}
    for row in ans.rows:
        for cell in row:
            if CJK.search(cell) and not OFFICIAL_NUMBER.fullmatch(cell):
                assert cell in terms, (name, cell)
    if "status" in ans.values:
        assert ans.values["status"] in api.QUERY_STATUS_TERMS  # a fixed term, by contract


def test_titles_carry_the_period_in_english() -> None:
    a = queries.answer(
        "X-1",
        "社保缴费明细查询",
        ID_NUMBER,
        date(2026, 11, 25),
        {"year": "2025"},
        "Social insurance payment details",
    )
    assert a.title_en == "Social insurance payment details (2025-01~2025-12)"
    b = queries.answer(
        "X-1",
        "社保缴费明细查询",
        ID_NUMBER,
        date(2026, 11, 25),
        {},
        "Social insurance payment details",
    )
    assert b.title == "社保缴费明细查询（近12个月）"
    assert b.title_en == "Social insurance payment details (last 12 months)"
    assert queries.answer("X-1", "社保缴费明细查询", ID_NUMBER, date(2026, 11, 25)).title_en == ""


def test_the_service_sends_column_labels_and_terms(service: Service) -> None:
    body = {"region_code": "610900", "identity": {"id_number": ID_NUMBER, "name": "张三"}}
    got = api.QueryResult.model_validate_json(
        service.terminal.call("POST", "/v1/queries/SB-QUERY-001", body).content
    )
    assert [c.label for c in got.column_labels] == got.columns
    title_en, labels, terms = api.query_english(got)
    assert labels[:2] == ["Month", "Contribution base"] and terms["欠缴"] == "Owed"
    assert title_en == ""  # the built-in items have no English name: the terminal uses its own


QUERY = {
    "case_no": "610900-20261125-000001",
    "item_code": "RS-0102",
    "title": "社保缴费明细查询",
    "columns": ["月份", "状态"],
    "rows": [["2025-01", "已缴"]],
    "printable": [],
}


def test_an_older_service_without_english_still_works() -> None:
    old = api.QueryResult.model_validate(QUERY)
    title_en, labels, terms = api.query_english(old)
    assert (title_en, labels) == ("", []) and terms == api.QUERY_STATUS_TERMS


def test_a_column_list_of_the_wrong_length_is_ignored_and_new_fields_pass() -> None:
    res = api.QueryResult.model_validate(
        {
            **QUERY,
            "title_en": "Details",
            "column_labels": [{"label": "月份", "label_en": "Month"}],
            "terms_en": {"已缴": "Settled"},
            "units": ["", ""],
        }
    )  # a newer service's field: ignored
    title_en, labels, terms = api.query_english(res)
    assert title_en == "Details" and labels == [] and terms["已缴"] == "Settled"

"""A receipt layout may print result.NAME only for a value central actually sends for its kind."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from central import queries
from kiosk.catalogue.model import KINDS, RESULT_NAMES
from kiosk.catalogue.schema import REF_RE, build_catalogue, validate_catalogue
from kiosk.catalogue.signing import parse_bundle
from kiosk.central_api import QUERY_VALUE_NAMES

from .conftest import BUNDLE, source_dict

SOURCE = source_dict()
#: (item index, line index) of every receipt line of the shipped catalogue
LINES = [
    (i, j)
    for i, it in enumerate(SOURCE["items"])
    if it.get("receipt")
    for j in range(len(it["receipt"]["lines"]))
]
NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,31}", fullmatch=True)
SAMPLE_NAMES = st.one_of(
    NAMES, st.sampled_from(("period", "status", "verify_code", "verify_url", "name"))
)


def test_the_allowed_names_are_the_contract_s() -> None:
    assert set(RESULT_NAMES) == set(KINDS)
    assert (
        RESULT_NAMES["query"] == RESULT_NAMES["print"] == QUERY_VALUE_NAMES == ("period", "status")
    )
    assert RESULT_NAMES["progress"] == ("status",)  # the case state of GET /v1/cases
    assert RESULT_NAMES["apply"] == RESULT_NAMES["appointment"] == ()


def test_shipped_catalogue_names_only_known_values() -> None:
    signed = parse_bundle(BUNDLE.read_bytes())["catalogue"]
    assert validate_catalogue(signed) == [] and validate_catalogue(SOURCE) == []
    for it in signed["items"]:
        r = it.get("receipt") or {}
        for ref in [ln["ref"] for ln in r.get("lines", [])] + ([r["qr"]] if "qr" in r else []):
            scope, name = REF_RE.fullmatch(ref).groups()
            assert scope != "result" or name in RESULT_NAMES[it["kind"]], (it["code"], ref)


@pytest.mark.parametrize(
    "code", [it["code"] for it in SOURCE["items"] if it["kind"] in ("query", "print")]
)
def test_the_sandbox_sends_every_value_the_shipped_layouts_name(code: str) -> None:
    """No line of the demo hall's receipts stays blank: the reference central fills what they name."""
    item = next(it for it in SOURCE["items"] if it["code"] == code)
    named = (
        {
            REF_RE.fullmatch(ln["ref"]).group(2)
            for ln in item["receipt"]["lines"]
            if ln["ref"].startswith("result.")
        }
        if item.get("receipt")
        else set()
    )
    for day in (date(2026, 1, 5), date(2026, 11, 25)):
        ans = queries.answer(code, item["name_zh"], "11010519491231002X", day)
        assert named <= set(ans.values), (code, named - set(ans.values))
        assert set(ans.values) <= set(QUERY_VALUE_NAMES)


def test_error_names_the_item_the_line_and_the_allowed_values() -> None:
    data = source_dict()
    data["items"][0]["receipt"]["lines"][3]["ref"] = "result.verify_code"
    data["items"][2]["receipt"]["lines"][1]["ref"] = "result.result"
    data["items"][8]["receipt"]["qr"] = "result.step"
    assert validate_catalogue(data) == [
        "items[0].receipt.lines[3].ref: item RS-0101, line 4 '参保状态': result.verify_code is not a "
        "value central sends for items of kind print, so it would never print "
        "(allowed: result.period, result.status)",
        "items[2].receipt.lines[1].ref: item RS-0103, line 2 '认证人': result.result is not a value "
        "central sends for items of kind apply, so it would never print (a submission's receipt "
        "has no result values: use session.case_no or session.status)",
        "items[8].receipt.qr: item BDC-0402, qr: result.step is not a value central sends for items "
        "of kind progress, so it would never print (allowed: result.status)",
    ]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(LINES), SAMPLE_NAMES, st.booleans())
def test_a_result_ref_is_valid_exactly_when_central_sends_it(
    where: tuple[int, int], name: str, as_qr: bool
) -> None:
    data = source_dict()
    i, j = where
    item = data["items"][i]
    if as_qr:
        item["receipt"]["qr"] = f"result.{name}"
    else:
        item["receipt"]["lines"][j]["ref"] = f"result.{name}"
    problems = validate_catalogue(data)
    allowed = RESULT_NAMES[item["kind"]]
    if name in allowed:
        assert problems == []
        return
    assert len(problems) == 1, problems
    problem = problems[0]
    path = f"items[{i}].receipt." + ("qr" if as_qr else f"lines[{j}].ref")
    assert problem.startswith(f"{path}: item {item['code']}, ")
    where_text = "qr:" if as_qr else f"line {j + 1} {item['receipt']['lines'][j]['label_zh']!r}:"
    assert where_text in problem and f"result.{name} is not a value central sends" in problem
    assert all(f"result.{n}" in problem for n in allowed)
    assert allowed or "use session.case_no or session.status" in problem


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(KINDS), NAMES)
def test_kind_decides_what_a_layout_may_name(kind: str, name: str) -> None:
    """The same line is right or wrong by the item's kind (a submission has no result values)."""
    data = source_dict()
    it = data["items"][1]  # RS-0102, a query item with a receipt and no kind-specific fields
    it["kind"] = kind
    it["receipt"]["lines"][0]["ref"] = f"result.{name}"
    ok = not any(p.startswith("items[1].receipt") for p in validate_catalogue(data))
    assert ok == (name in RESULT_NAMES[kind])


def test_a_valid_layout_builds() -> None:
    data = source_dict()
    data["items"][1]["receipt"]["qr"] = "result.period"
    assert build_catalogue(data).item("RS-0102").receipt.qr == "result.period"

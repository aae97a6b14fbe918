"""Validation of a whole catalogue: every problem reported once with its precise path."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.catalogue.errors import Invalid
from kiosk.catalogue.schema import build_catalogue, validate_catalogue

from .conftest import source_dict


def problems_after(source: dict, change: Callable[[dict], None]) -> list[str]:
    change(source)
    return validate_catalogue(source)


def test_shipped_source_is_valid(source: dict) -> None:
    assert validate_catalogue(source) == []


def _set(path: str, value: object) -> Callable[[dict], None]:
    """Change d[...] following a dotted path with [n] indexes."""

    def change(d: dict) -> None:
        parts = path.replace("[", ".").replace("]", "").split(".")
        node = d
        for p in parts[:-1]:
            node = node[int(p)] if p.isdigit() else node[p]
        last = parts[-1]
        if value is _DEL:
            del node[int(last) if last.isdigit() else last]
        elif last.isdigit():
            node[int(last)] = value
        else:
            node[last] = value

    return change


_DEL = object()

CASES = [
    (
        "items[3].fields[1].type",
        "phon",
        "items[3].fields[1].type: unknown type 'phon' (one of text, "
        "number, phone, date, choice, id_number, uscc, case_no)",
    ),
    (
        "items[0].kind",
        "download",
        "items[0].kind: unknown kind 'download' (one of query, print, apply, "
        "appointment, progress, pay)",
    ),
    (
        "items[0].auth",
        "face",
        "items[0].auth: unknown auth 'face' (a list of id_card, sscard, app_code, face)",
    ),
    ("items[0].auth", ["face"], "items[0].auth: face is checked after a card or code, never alone"),
    ("items[0].auth", ["id_card", "id_card"], "items[0].auth[1]: 'id_card' listed twice"),
    (
        "items[0].auth",
        ["id_card", "palm"],
        "items[0].auth[1]: unknown identification 'palm' (one of id_card, sscard, app_code, face)",
    ),
    (
        "items[2].code",
        "rs 0103",
        "items[2].code: must match [0-9A-Z][0-9A-Z-]{2,39} (事项编码), got 'rs 0103'",
    ),
    ("items[1].code", "RS-0101", "items[1].code: duplicate code 'RS-0101' (also items[0])"),
    ("items[1].order", 10, "items[1].order: duplicate order 10 (also items[0])"),
    ("items[0].order", "10", "items[0].order: must be a whole number, got text"),
    ("items[0].enabled", "yes", "items[0].enabled: must be true or false, got text"),
    (
        "items[0].devices",
        ["idcard", "printer"],
        "items[0].devices: a print item needs the a4printer (its document is A4)",
    ),
    (
        "items[0].devices",
        ["idcard", "a4printer", "fax"],
        "items[0].devices[2]: unknown device 'fax' (one of printer, idcard, scanner, a4printer, camera, sscard)",
    ),
    ("items[5].devices", [], "items[5].devices: an item with auth id_card needs the idcard reader"),
    ("items[0].document", _DEL, "items[0].document: a print item needs a document layout"),
    (
        "items[2].document",
        {"title": "x", "seal": "demo", "valid_days": 1, "lines": []},
        "items[2].document: only print items print an A4 document",
    ),
    (
        "items[0].document.seal",
        "http://x/seal.png",
        'items[0].document.seal: must be "demo" or '
        "\"file:NAME.png\" (assets/seals), got 'http://x/seal.png'",
    ),
    (
        "items[0].document.valid_days",
        0,
        "items[0].document.valid_days: must be between 1 and 3660, got 0",
    ),
    ("items[0].document.lines", [], "items[0].document.lines: a document needs at least one line"),
    (
        "items[0].document.lines[1].mask",
        "stars",
        "items[0].document.lines[1].mask: unknown mask 'stars' "
        "(one of id_number_issuer, id_number, name, phone)",
    ),
    (
        "items[0].document.lines[3].ref",
        "result.balance",
        "items[0].document.lines[3].ref: result.balance is "
        "not a value central sends, so it would never print (allowed: period, status)",
    ),
    (
        "items[0].document.lines[0].ref",
        "session.secret",
        "items[0].document.lines[0].ref: unknown session key "
        "'secret' (one of case_no, time, terminal_id, hall_name, item_name, status, holder_name, holder_id_number, "
        "order_no, amount, payee, paid_at, channel, einvoice_no, einvoice_url)",
    ),
    (
        "items[0].document.table",
        {"title": 5},
        "items[0].document.table.title: must be text, got a number",
    ),
    (
        "items[0].receipt.lines[0].ref",
        "field.nope",
        "items[0].receipt.lines[0].ref: refers to unknown field 'nope'",
    ),
    (
        "items[0].receipt.lines[0].ref",
        "session.secret",
        "items[0].receipt.lines[0].ref: unknown session key "
        "'secret' (one of case_no, time, terminal_id, hall_name, item_name, status, holder_name, holder_id_number, "
        "order_no, amount, payee, paid_at, channel, einvoice_no, einvoice_url)",
    ),
    (
        "items[0].receipt.lines[0].ref",
        "name",
        "items[0].receipt.lines[0].ref: must be field.NAME, result.KEY or session.KEY, got 'name'",
    ),
    (
        "items[0].receipt.lines[1].mask",
        "stars",
        "items[0].receipt.lines[1].mask: unknown mask 'stars' (one of id_number, phone, name)",
    ),
    ("items[0].receipt.lines", [], "items[0].receipt.lines: a receipt needs at least one line"),
    (
        "items[0].fields[1].options",
        [],
        "items[0].fields[1].options: a choice field needs at least one option",
    ),
    (
        "items[0].fields[1].options",
        _DEL,
        "items[0].fields[1].options: a choice field needs options",
    ),
    (
        "items[0].fields[1].options[1].value",
        "all",
        "items[0].fields[1].options[1].value: duplicate option value 'all'",
    ),
    (
        "items[0].fields[2].name",
        "insurance",
        "items[0].fields[2].name: duplicate field name 'insurance'",
    ),
    (
        "items[2].fields[2].name",
        "Phone",
        "items[2].fields[2].name: must match [a-z][a-z0-9_]{0,31}, got 'Phone'",
    ),
    (
        "items[0].fields[0].prefill",
        "id_card.photo",
        "items[0].fields[0].prefill: unknown prefill 'id_card.photo' "
        "(one of id_card.id_number, id_card.name)",
    ),
    (
        "items[13].fields",
        [
            {
                "name": "doc_type",
                "type": "choice",
                "label_zh": "证件类型",
                "label_en": "Document",
                "options": [{"value": "passport", "zh": "护照", "en": "Passport"}],
            },
            {
                "name": "case_no",
                "type": "text",
                "label_zh": "受理编号",
                "label_en": "Number",
                "max_length": 30,
                "required": False,
            },
        ],
        "items[13].fields: a progress item needs a case_no field",
    ),
    ("items[0].category", "health", "items[0].category: unknown category 'health'"),
    (
        "items[0].hours",
        ["22:00-06:00"],
        "items[0].hours[0]: '22:00-06:00' is not a window \"HH:MM-HH:MM\" with start < end",
    ),
    ("items[0].offline", True, "items[0].offline: only apply items can be accepted offline"),
    ("items[0].colour", "red", "items[0].colour: unknown key (typo?)"),
    ("items[0].name_zh", "  ", "items[0].name_zh: must not be empty"),
    ("items[0].name_en", 5, "items[0].name_en: must be text, got a number"),
    ("items[0].department_zh", _DEL, "items[0].department_zh: required"),
    ("items[1].fields[2].min", 2100, "items[1].fields[2].min: 2100 is greater than max 2099"),
    ("items[1].fields[2].max", "2099", "items[1].fields[2].max: must be a number, got text"),
    (
        "items[5].fields[1].min",
        "1999-13-01",
        "items[5].fields[1].min: must be an ISO date (YYYY-MM-DD) or \"today\", got '1999-13-01'",
    ),
    ("items[0].fields[1].max_length", 10, "items[0].fields[1].max_length: unknown key (typo?)"),
    ("rating_tags", [], "rating_tags: needs at least 1 entry"),
    ("rating_tags[1].code", "hard_to_use", "rating_tags[1].code: duplicate code 'hard_to_use'"),
    ("items", [], "items: a catalogue needs at least one item"),
    ("version", 0, "version: must be between 1 and 9007199254740992, got 0"),
    ("version", True, "version: must be a whole number, got true/false"),
    ("format", 2, "format: format 2 is not supported by this software (1)"),
    (
        "issued_at",
        "2026-11-25T00:00:00",
        "issued_at: needs a UTC offset (e.g. +08:00): '2026-11-25T00:00:00'",
    ),
    ("expires_at", "2026-01-01T00:00:00+08:00", "expires_at: must be after issued_at"),
    ("expires_at", _DEL, "expires_at: required"),
    ("extra", 1, "extra: unknown key (typo?)"),
]


@pytest.mark.parametrize(
    "path, value, expected", CASES, ids=[c[0] + "=" + repr(c[1])[:20] for c in CASES]
)
def test_each_mistake_is_reported_with_its_path(
    source: dict, path: str, value: object, expected: str
) -> None:
    assert problems_after(source, _set(path, value)) == [expected]


def test_required_free_text_is_refused(source: dict) -> None:
    content = source["items"][16]["fields"][4]
    assert content["name"] == "content"
    content["required"] = True
    assert validate_catalogue(source) == [
        "items[16].fields[4].required: a required text field makes citizens type Chinese on a touch "
        "screen; use choice/number/date/id_number, a prefill, or required: false"
    ]


def test_text_needs_max_length_and_valid_pattern(source: dict) -> None:
    content = source["items"][16]["fields"][4]
    del content["max_length"]
    content["pattern"] = "(["
    assert validate_catalogue(source) == [
        "items[16].fields[4].pattern: not a valid regular expression: '(['",
        "items[16].fields[4].max_length: required for a text field",
    ]


def test_prefill_needs_identification(source: dict) -> None:
    source["items"][8]["fields"][0]["prefill"] = "id_card.name"
    assert validate_catalogue(source) == [
        "items[8].fields[0].prefill: needs an item that identifies the citizen (auth not empty)"
    ]


def test_many_problems_are_all_listed(source: dict) -> None:
    source["items"][3]["fields"][1]["type"] = "phon"
    source["items"][4]["kind"] = "refund"
    source["items"][5]["code"] = source["items"][6]["code"]
    problems = validate_catalogue(source)
    assert len(problems) == 3
    with pytest.raises(Invalid) as ei:
        build_catalogue(source)
    assert ei.value.problems == problems
    assert "3 problem(s)" in str(ei.value)


@pytest.mark.parametrize("bad", [None, [], "catalogue", 5])
def test_non_object_catalogue(bad: object) -> None:
    assert len(validate_catalogue(bad)) == 1
    assert validate_catalogue(bad)[0].startswith("(catalogue): must be an object, got ")


def test_cascading_reference_errors_are_reported_too(source: dict) -> None:
    source["items"][0]["fields"][0]["name"] = "ID"
    assert validate_catalogue(source) == [
        "items[0].fields[0].name: must match [a-z][a-z0-9_]{0,31}, got 'ID'",
        "items[0].receipt.lines[1].ref: refers to unknown field 'id_number'",
    ]


def test_wrong_shapes_do_not_crash(source: dict) -> None:
    source["items"][0]["fields"] = {"a": 1}
    source["items"][1]["fields"][0] = "id_number"
    source["items"][2]["materials"] = [["x"]]
    source["items"][3]["receipt"] = "none"
    source["items"][4]["hours"] = [9]
    source["items"][5]["devices"] = [{"x": 1}, {"x": 1}]
    source["categories"] = "all"
    problems = validate_catalogue(source)
    assert "items[0].fields: must be a list, got an object" in problems
    assert "items[1].fields[0]: must be an object, got text" in problems
    assert "items[2].materials[0]: must be an object, got a list" in problems
    assert "items[3].receipt: must be an object, got text" in problems
    assert 'items[4].hours[0]: 9 is not a window "HH:MM-HH:MM" with start < end' in problems
    assert "items[5].devices: lists a device twice" in problems
    assert "categories: must be a list, got text" in problems


def test_model_is_immutable_and_indexed(source: dict) -> None:
    cat = build_catalogue(source)
    assert len(cat.items) == 17
    item = cat.item("SC-0501")
    assert item.field("uscc").type == "uscc"
    assert item.name("en") == "Print business licence"
    with pytest.raises(KeyError):
        cat.item("NOPE")
    assert cat.get("NOPE") is None
    with pytest.raises(AttributeError):
        item.code = "X"  # type: ignore[misc]
    assert [i.order for i in cat.enabled_items()] == sorted(i.order for i in cat.items)
    assert cat.rating_tag("too_slow").zh == "等待/打印太慢"


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 2**60)
    | st.floats(allow_nan=False)
    | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(node: object, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, prefix + (i,))
    return out


_ALL_PATHS = _paths(source_dict())


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(_ALL_PATHS), json_values)
def test_any_node_replaced_by_any_json_never_crashes(path: tuple, value: object) -> None:
    """Whatever a signed-but-wrong catalogue holds, validation reports problems, never raises."""
    data = source_dict()
    node = data
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value
    problems = validate_catalogue(data)
    assert all(isinstance(p, str) and ": " in p for p in problems)
    if not problems:
        assert build_catalogue(data).version == data["version"]

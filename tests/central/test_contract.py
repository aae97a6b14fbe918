"""kiosk.central_api: signing scheme, rating levels and their edge codes, body validators."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from drivers.privacy import ID_NUMBER_RE, scrub_text
from kiosk import central_api as api

SECRET = bytes.fromhex("bdb17357200db98bef9114131c71a982ed175d7d1c864f48e301fc1bcc4981dd")


def test_string_to_sign_exact_bytes() -> None:
    body = b'{"a":1}'
    assert api.string_to_sign("post", "/v1/queries/X?y=1", 1764000000, body) == (
        b"POST\n/v1/queries/X?y=1\n1764000000\n"
        b"015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862"
    )
    assert (
        api.body_digest(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )


def test_sign_is_hmac_sha256_hex_of_the_string() -> None:
    expected = hmac.new(
        SECRET,
        b"GET\n/v1/catalogue\n1764000000\n" + hashlib.sha256(b"").hexdigest().encode(),
        hashlib.sha256,
    ).hexdigest()
    assert api.sign(SECRET, "GET", "/v1/catalogue", 1764000000, b"") == expected
    h = api.signed_headers("DEMO-0001", SECRET, "GET", "/v1/catalogue", b"", now=1764000000.9)
    assert h == {"X-Terminal-Id": "DEMO-0001", "X-Timestamp": "1764000000", "X-Signature": expected}


@settings(max_examples=60, deadline=None)
@given(
    method=st.sampled_from(["GET", "POST", "PUT"]),
    path=st.from_regex(r"/v1/[a-z/?=&0-9-]{0,40}", fullmatch=True),
    ts=st.integers(0, 2**40),
    body=st.binary(max_size=200),
    flip=st.integers(0, 3),
)
def test_any_change_breaks_the_signature(
    method: str, path: str, ts: int, body: bytes, flip: int
) -> None:
    sig = api.sign(SECRET, method, path, ts, body)
    assert api.verify(SECRET, method, path, ts, body, sig)
    assert api.verify(SECRET, method, path, ts, body, sig.upper())
    changed = [
        (method + "X", path, ts, body),
        (method, path + "x", ts, body),
        (method, path, ts + 1, body),
        (method, path, ts, body + b"\0"),
    ][flip]
    assert not api.verify(SECRET, *changed, sig)
    assert not api.verify(SECRET[:-1] + b"\1", method, path, ts, body, sig)


def test_verify_refuses_non_hex_garbage() -> None:
    assert not api.verify(SECRET, "GET", "/", 1, b"", "zz" * 32)
    assert not api.verify(SECRET, "GET", "/", 1, b"", "签名")


def test_parse_secret() -> None:
    assert api.parse_secret(SECRET.hex() + "\n") == SECRET
    with pytest.raises(ValueError, match="hexadecimal"):
        api.parse_secret("nothex")
    with pytest.raises(ValueError, match="16 bytes"):
        api.parse_secret("abcd")


# --- rating levels -------------------------------------------------------------------------


def test_level_codes_both_directions() -> None:
    table = [
        (lv.value, lv.gbt39046_code, lv.provincial_code, lv.is_negative) for lv in api.RatingLevel
    ]
    assert table == [
        ("非常满意", 1, 5, False),
        ("满意", 2, 4, False),
        ("基本满意", 3, 3, False),
        ("不满意", 4, 2, True),
        ("非常不满意", 5, 1, True),
    ]


@given(st.sampled_from(list(api.RatingLevel)))
def test_level_codes_round_trip(level: api.RatingLevel) -> None:
    assert api.RatingLevel.from_gbt39046_code(level.gbt39046_code) is level
    assert api.RatingLevel.from_provincial_code(level.provincial_code) is level
    assert level.gbt39046_code + level.provincial_code == 6


@given(st.integers().filter(lambda n: not 1 <= n <= 5))
def test_level_codes_out_of_range(code: int) -> None:
    with pytest.raises(ValueError):
        api.RatingLevel.from_gbt39046_code(code)
    with pytest.raises(ValueError):
        api.RatingLevel.from_provincial_code(code)


CASE = "610900-20261125-000123"


@settings(max_examples=50)
@given(
    level=st.sampled_from(list(api.RatingLevel)),
    tags=st.lists(
        st.sampled_from([t.code for t in api.DEFAULT_RATING_TAGS]), unique=True, max_size=4
    ),
    comment=st.text(max_size=520),
)
def test_rating_validator(level: api.RatingLevel, tags: list[str], comment: str) -> None:
    ok = not (level.is_negative and not tags) and len(comment.strip()) <= 500
    try:
        r = api.Rating(
            case_no=CASE, item_code="SB-APPLY-001", level=level.value, tags=tags, comment=comment
        )
    except ValidationError as exc:
        assert not ok, exc
        if level.is_negative and not tags:
            assert any(e["type"] == "tag_required" for e in exc.errors())
    else:
        assert ok and r.level is level


def test_rating_refuses_repeated_tags_and_unknown_levels() -> None:
    with pytest.raises(ValidationError):
        api.Rating(case_no=CASE, item_code="X1", level="满意", tags=["too_slow", "too_slow"])
    with pytest.raises(ValidationError):
        api.Rating(case_no=CASE, item_code="X1", level="5")
    with pytest.raises(ValidationError):
        api.Rating(case_no="610900202611250001", item_code="X1", level="满意")


# --- identities and case numbers -----------------------------------------------------------

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    body = draw(st.from_regex(r"[1-9][0-9]{16}", fullmatch=True))
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS)) % 11]


def test_id_vectors() -> None:
    assert api.id_number_valid("11010519491231002X")
    assert api.id_number_valid("360426199101010071")
    assert not api.id_number_valid("360426199101010072")
    assert not api.id_number_valid("36042619910101007")
    assert not api.id_number_valid("３６0426199101010071")


@settings(max_examples=80)
@given(id_numbers(), st.integers(0, 16), st.integers(1, 9))
def test_id_check_digit_catches_single_digit_changes(value: str, pos: int, delta: int) -> None:
    assert api.id_number_valid(value) and api.id_number_valid(value.lower())
    changed = value[:pos] + str((int(value[pos]) + delta) % 10) + value[pos + 1 :]
    assert not api.id_number_valid(changed)
    ident = api.Identity(id_number=value.lower())
    assert ident.id_number == value
    with pytest.raises(ValidationError):
        api.Identity(id_number=changed)


@given(st.from_regex(r"[0-9]{6}-[0-9]{8}-[0-9]{6}", fullmatch=True))
def test_case_numbers_survive_the_log_scrubber(case_no: str) -> None:
    assert api.CASE_NO_RE.fullmatch(case_no)
    assert not ID_NUMBER_RE.search(case_no)
    assert scrub_text(f"case {case_no} ok") == f"case {case_no} ok"


def test_non_ascii_digits_refused() -> None:
    assert not api.CASE_NO_RE.fullmatch("610900-20261125-00012٣")
    with pytest.raises(ValidationError):
        api.Rating(case_no="610900-20261125-00012٣", item_code="X1", level="满意")
    with pytest.raises(ValidationError):
        api.QueryRequest(region_code="33010٠", identity={"id_number": "11010519491231002X"})


def test_submission_and_heartbeat_bounds() -> None:
    base = {
        "item_code": "SB-APPLY-001",
        "region_code": "610900",
        "applicant": {"id_number": "11010519491231002X"},
    }
    api.Submission.model_validate({**base, "fields": {f"f{i}": i for i in range(api.MAX_FIELDS)}})
    for bad in (
        {"fields": {f"f{i}": i for i in range(api.MAX_FIELDS + 1)}},
        {"fields": {"bad name": 1}},
        {"fields": {"a": "x" * 2001}},
        {"region_code": "33010"},
        {"item_code": "../etc"},
        {"unknown": 1},
        {"fields": {"a": {"nested": 1}}},
    ):
        with pytest.raises(ValidationError):
            api.Submission.model_validate({**base, **bad})
    hb = {"catalogue_version": 0, "outbox_depth": 0, "app_version": "1", "uptime_s": 0}
    api.Heartbeat.model_validate(hb)
    for bad in (
        {"catalogue_version": -1},
        {"app_version": ""},
        {"uptime_s": -1},
        {"devices": {"Printer!": {"status": "ok"}}},
        {"devices": {"printer": {"status": "ok", "detail": "x" * 201}}},
    ):
        with pytest.raises(ValidationError):
            api.Heartbeat.model_validate({**hb, **bad})


def test_replies_tolerate_new_fields_requests_do_not() -> None:
    reply = api.HeartbeatReply.model_validate(
        {
            "server_time": "2026-11-25T00:00:00Z",
            "commands": ["refresh_catalogue", "future_cmd"],
            "added_later": 1,
        }
    )
    assert reply.commands == ["refresh_catalogue", "future_cmd"]
    assert api.Command.REFRESH_CATALOGUE in reply.commands
    with pytest.raises(ValidationError):
        api.Heartbeat.model_validate(
            {
                "catalogue_version": 0,
                "outbox_depth": 0,
                "app_version": "1",
                "uptime_s": 0,
                "added_later": 1,
            }
        )


def test_default_tags_are_the_default_catalogues(project_root) -> None:
    import json

    bundle = json.loads((project_root / "config" / "catalogue" / "bundle.json").read_text("utf-8"))
    assert [t.model_dump() for t in api.DEFAULT_RATING_TAGS] == bundle["catalogue"]["rating_tags"]


# --- QueryResult.values: optional, a closed set of names -----------------------------------

QUERY_BASE = {
    "case_no": "610900-20261125-000001",
    "item_code": "RS-0101",
    "title": "证明",
    "columns": [],
    "rows": [],
    "printable": [],
}


def test_query_values_are_optional_for_an_older_service() -> None:
    assert api.QueryResult.model_validate(QUERY_BASE).values == {}
    got = api.QueryResult.model_validate(dict(QUERY_BASE, values={"period": "2025-11~2026-10"}))
    assert got.values == {"period": "2025-11~2026-10"}
    assert api.QueryResult.model_validate_json(got.model_dump_json()) == got


@settings(max_examples=80, deadline=None)
@given(
    st.dictionaries(st.sampled_from(api.QUERY_VALUE_NAMES), st.text(max_size=api.MAX_VALUE_LEN)),
    st.dictionaries(
        st.text(max_size=12).filter(lambda k: k not in api.QUERY_VALUE_NAMES),
        st.one_of(st.text(), st.integers(), st.none(), st.lists(st.booleans())),
        max_size=4,
    ),
)
def test_query_values_keep_known_names_and_drop_a_newer_service_s(
    known: dict[str, str], newer: dict[str, object]
) -> None:
    """A name this terminal does not know, whatever its value, is dropped: the answer still parses."""
    got = api.QueryResult.model_validate(dict(QUERY_BASE, values={**newer, **known})).values
    assert got == known


def test_query_values_are_bounded_text() -> None:
    for bad in (
        {"period": "x" * (api.MAX_VALUE_LEN + 1)},
        {"status": 3},
        {"status": None},
        ["period"],
    ):
        with pytest.raises(ValidationError):
            api.QueryResult.model_validate(dict(QUERY_BASE, values=bad))

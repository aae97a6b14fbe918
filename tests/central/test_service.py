"""The reference service over real HTTP on 127.0.0.1: every endpoint and status code."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import uuid
from datetime import UTC

import requests

from drivers.privacy import scrub_text
from kiosk import central_api as api
from tests.central.conftest import (
    ID_NUMBER,
    OTHER_ID,
    TERMINAL_ID,
    Service,
    bundle_bytes,
    submission,
)


def _error(resp: requests.Response, status: int, code: str) -> dict:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert set(body) == {"error", "message"}
    assert body["error"] == code, body
    assert "Traceback" not in resp.text
    return body


# --- submissions and idempotency -----------------------------------------------------------


def test_submission_201_with_case_number_the_scrubber_leaves_alone(service: Service) -> None:
    r = service.terminal.submit()
    assert r.status_code == 201, r.text
    body = api.SubmissionAccepted.model_validate_json(r.content)
    assert re.fullmatch(r"610900-\d{8}-000001-\d{4}", body.case_no)  # v1.1: a check group
    assert body.status == api.CaseState.RECEIVED
    assert scrub_text(body.case_no) == body.case_no
    assert service.terminal.submit().json()["case_no"][:-5].endswith("-000002")


def test_same_key_same_body_returns_first_answer(service: Service) -> None:
    key = str(uuid.uuid4())
    first = service.terminal.submit(key=key)
    again = service.terminal.submit(key=key)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers.get("Idempotent-Replayed") == "true"
    # no duplicate case: the next new submission gets sequence 2
    assert service.terminal.submit().json()["case_no"][:-5].endswith("-000002")


def test_same_key_other_body_is_409(service: Service) -> None:
    key = str(uuid.uuid4())
    assert service.terminal.submit(key=key).status_code == 201
    r = service.terminal.call(
        "POST", "/v1/submissions", submission(fields={"reason": "其他"}), key=key
    )
    _error(r, 409, "idempotency_conflict")


def test_same_key_on_another_endpoint_is_409(service: Service) -> None:
    key = str(uuid.uuid4())
    case_no = service.terminal.submit(key=key).json()["case_no"]
    _error(service.terminal.rate(case_no, key=key), 409, "idempotency_conflict")


def test_missing_or_malformed_idempotency_key_is_400(service: Service) -> None:
    r = service.terminal.call("POST", "/v1/submissions", submission())
    _error(r, 400, "idempotency_key_required")
    r = service.terminal.call("POST", "/v1/submissions", submission(), key="not-a-uuid")
    _error(r, 400, "bad_idempotency_key")


def test_idempotent_replay_after_server_restart(service: Service) -> None:
    key = str(uuid.uuid4())
    first = service.terminal.submit(key=key)
    service.restart()
    again = service.terminal.submit(key=key)
    assert again.status_code == 201 and again.content == first.content
    _error(
        service.terminal.call("POST", "/v1/submissions", submission(fields={}), key=key),
        409,
        "idempotency_conflict",
    )


def test_old_idempotency_records_are_purged_at_start(service: Service) -> None:
    key = str(uuid.uuid4())
    first = service.terminal.submit(key=key).json()["case_no"]
    service.clock.offset = 91 * 86400  # past the 90-day retention
    service.restart()
    service.clock.offset = 0  # (sign with the real time again)
    again = service.terminal.submit(key=key)
    assert again.status_code == 201 and again.json()["case_no"] != first


def test_submission_unknown_item_404_wrong_kind_422_invalid_422(service: Service) -> None:
    _error(service.terminal.submit("NO-SUCH-ITEM"), 404, "unknown_item")
    _error(service.terminal.submit("SB-QUERY-001"), 422, "wrong_item_kind")
    bad = submission()
    bad["applicant"]["id_number"] = "110105194912310021"  # wrong check digit
    body = _error(
        service.terminal.call("POST", "/v1/submissions", bad, key=str(uuid.uuid4())),
        422,
        "validation_failed",
    )
    assert "110105194912310021" not in body["message"]  # input never echoed
    _error(
        service.terminal.call("POST", "/v1/submissions", raw=b"{not json", key=str(uuid.uuid4())),
        400,
        "invalid_json",
    )


# --- cases ---------------------------------------------------------------------------------


def test_case_history_advances_with_the_clock(service: Service) -> None:
    case_no = service.terminal.submit().json()["case_no"]
    r = service.terminal.call("GET", f"/v1/cases/{case_no}")
    assert r.status_code == 200
    case = api.CaseStatus.model_validate_json(r.content)
    assert [e.status for e in case.history] == [api.CaseState.RECEIVED]
    service.clock.offset = 3601
    case = api.CaseStatus.model_validate_json(
        service.terminal.call("GET", f"/v1/cases/{case_no}").content
    )
    assert [e.status.value for e in case.history] == ["received", "accepted", "in_progress"]
    assert case.status == api.CaseState.IN_PROGRESS


def test_provisional_number_typed_back_finds_the_delivered_case(service: Service) -> None:
    case_no = service.terminal.submit(local_ref="demo-0001-20261201-0002").json()["case_no"]
    for typed in ("demo-0001-20261201-0002", "DEMO-0001-20261201-0002"):  # keypads type upper case
        r = service.terminal.call("GET", f"/v1/cases/{typed}")
        assert r.status_code == 200, r.text
        assert api.CaseStatus.model_validate_json(r.content).case_no == case_no
    _error(service.terminal.call("GET", "/v1/cases/DEMO-0001-20261201-0003"), 404, "unknown_case")


def test_unknown_case_404(service: Service) -> None:
    _error(service.terminal.call("GET", "/v1/cases/610900-20260101-999999"), 404, "unknown_case")
    _error(service.terminal.call("GET", "/v1/cases/garbage"), 404, "unknown_case")


# --- auth ----------------------------------------------------------------------------------


def test_missing_headers_401(service: Service) -> None:
    r = requests.post(
        service.url + "/v1/heartbeat",
        data=b"{}",
        timeout=10,
        headers={"Content-Type": "application/json"},
    )
    _error(r, 401, "auth_missing")


def test_unknown_terminal_401(service: Service) -> None:
    service.terminal.terminal_id = "T-9999"
    _error(service.terminal.heartbeat(), 401, "unknown_terminal")


def test_bad_signature_401(service: Service) -> None:
    service.terminal.secret = bytes(32)
    _error(service.terminal.heartbeat(), 401, "bad_signature")


def test_signature_binds_path_and_query(service: Service) -> None:
    r = service.terminal.call("GET", "/v1/catalogue?x=1", sign_path="/v1/catalogue")
    _error(r, 401, "bad_signature")


def test_replayed_signature_with_other_body_401(service: Service) -> None:
    body = json.dumps(
        {
            "devices": {},
            "catalogue_version": 0,
            "outbox_depth": 0,
            "app_version": "1",
            "uptime_s": 1,
        }
    ).encode()
    hdrs = api.signed_headers(TERMINAL_ID, service.secret, "POST", "/v1/heartbeat", body)
    assert (
        requests.post(
            service.url + "/v1/heartbeat",
            data=body,
            headers={**hdrs, "Content-Type": "application/json"},
            timeout=10,
        ).status_code
        == 200
    )
    tampered = body.replace(b'"outbox_depth": 0', b'"outbox_depth": 9')
    assert tampered != body
    _error(
        requests.post(
            service.url + "/v1/heartbeat",
            data=tampered,
            headers={**hdrs, "Content-Type": "application/json"},
            timeout=10,
        ),
        401,
        "bad_signature",
    )


def test_clock_skew_limit_is_300_s(service: Service) -> None:
    now = service.clock()
    assert (
        service.terminal.call("POST", "/v1/heartbeat", raw=_hb(), now=now - 290).status_code == 200
    )
    assert (
        service.terminal.call("POST", "/v1/heartbeat", raw=_hb(), now=now + 290).status_code == 200
    )
    _error(
        service.terminal.call("POST", "/v1/heartbeat", raw=_hb(), now=now - 310), 401, "clock_skew"
    )
    _error(
        service.terminal.call("POST", "/v1/heartbeat", raw=_hb(), now=now + 310), 401, "clock_skew"
    )


def test_bad_timestamp_401(service: Service) -> None:
    hdrs = api.signed_headers(TERMINAL_ID, service.secret, "POST", "/v1/heartbeat", _hb())
    hdrs[api.HEADER_TIMESTAMP] = "12abc"
    _error(
        requests.post(
            service.url + "/v1/heartbeat",
            data=_hb(),
            headers={**hdrs, "Content-Type": "application/json"},
            timeout=10,
        ),
        401,
        "bad_timestamp",
    )


def _hb() -> bytes:
    return json.dumps(
        {
            "devices": {},
            "catalogue_version": 0,
            "outbox_depth": 0,
            "app_version": "1",
            "uptime_s": 1,
        }
    ).encode()


# --- queries -------------------------------------------------------------------------------


def _query(service: Service, item: str = "SB-QUERY-001", **extra: object) -> requests.Response:
    body = {"region_code": "610900", "identity": {"id_number": ID_NUMBER, "name": "张三"}, **extra}
    return service.terminal.call("POST", f"/v1/queries/{item}", body)


def test_query_is_deterministic_with_12_months_and_masked_receipt(service: Service) -> None:
    a = api.QueryResult.model_validate_json(_query(service).content)
    b = api.QueryResult.model_validate_json(_query(service).content)
    assert len(a.rows) == 12 and a.rows == b.rows and a.columns == b.columns
    assert a.case_no != b.case_no  # each query is its own service record (一次一评)
    text = "\n".join(a.printable)
    assert ID_NUMBER not in text and "1101**********002X" in text and "张三" not in text
    other = service.terminal.call(
        "POST",
        "/v1/queries/SB-QUERY-001",
        {"region_code": "610900", "identity": {"id_number": OTHER_ID}},
    )
    assert other.json()["rows"] != a.rows or other.json()["title"] != a.title


def test_query_states_the_period_it_answered_for_the_year_asked(service: Service) -> None:
    got = api.QueryResult.model_validate_json(_query(service, params={"year": "2025"}).content)
    assert [r[0] for r in got.rows] == [f"2025-{m:02d}" for m in range(1, 13)]
    assert got.values["period"] == "2025-01~2025-12" and got.values["status"] in (
        "正常缴费",
        "存在欠缴",
    )
    plain = _query(service).json()  # no parameters: the last 12 complete months
    assert plain["values"]["period"] == f"{plain['rows'][0][0]}~{plain['rows'][-1][0]}"


def test_query_unknown_item_404_and_identity_mismatch_403(service: Service) -> None:
    _error(_query(service, "NO-SUCH-ITEM"), 404, "unknown_item")
    _error(_query(service, subject_id_number=OTHER_ID), 403, "identity_mismatch")
    _error(_query(service, params={"id_number": OTHER_ID}), 403, "identity_mismatch")
    assert _query(service, params={"id_number": ID_NUMBER}).status_code == 200
    _error(_query(service, "SB-APPLY-001"), 422, "wrong_item_kind")
    assert _query(service, subject_id_number=ID_NUMBER.lower()).status_code == 200


# --- ratings -------------------------------------------------------------------------------


def test_rating_201_then_second_rating_409(service: Service) -> None:
    case_no = service.terminal.submit().json()["case_no"]
    r = service.terminal.rate(case_no, "非常满意", comment="很方便")
    assert r.status_code == 201, r.text
    body = api.RatingAccepted.model_validate_json(r.content)
    assert body.level == api.RatingLevel.VERY_SATISFIED and body.channel == "self_service_terminal"
    _error(service.terminal.rate(case_no, "满意"), 409, "already_rated")


def test_negative_rating_needs_a_tag(service: Service) -> None:
    case_no = service.terminal.submit().json()["case_no"]
    for level in ("不满意", "非常不满意"):
        _error(service.terminal.rate(case_no, level), 422, "tag_required")
    _error(service.terminal.rate(case_no, "不满意", ["no_such_tag"]), 422, "unknown_tag")
    assert service.terminal.rate(case_no, "不满意", ["too_slow"]).status_code == 201


def test_rating_unknown_case_404_bad_level_and_long_comment_422(service: Service) -> None:
    _error(service.terminal.rate("610900-20260101-999999"), 404, "unknown_case")
    case_no = service.terminal.submit().json()["case_no"]
    _error(service.terminal.rate(case_no, "好"), 422, "validation_failed")
    _error(service.terminal.rate(case_no, comment="长" * 501), 422, "validation_failed")
    _error(service.terminal.rate(case_no, item_code="SB-QUERY-001"), 422, "item_mismatch")
    assert service.terminal.rate(case_no, comment="长" * 500).status_code == 201


def test_rating_replay_with_same_key_is_the_first_201(service: Service) -> None:
    case_no = service.terminal.submit().json()["case_no"]
    key = str(uuid.uuid4())
    first = service.terminal.rate(case_no, key=key)
    again = service.terminal.rate(case_no, key=key)
    assert first.status_code == again.status_code == 201 and first.content == again.content


def test_query_service_record_can_be_rated(service: Service) -> None:
    case_no = _query(service).json()["case_no"]
    assert service.terminal.rate(case_no, item_code="SB-QUERY-001").status_code == 201


# --- heartbeat and staff views -------------------------------------------------------------


def test_heartbeat_stored_and_shown_to_staff_online_then_offline(service: Service) -> None:
    r = service.terminal.heartbeat(
        outbox_depth=7,
        devices={"printer": {"status": "fault", "detail": "paper_out"}, "idcard": {"status": "ok"}},
    )
    assert r.status_code == 200
    reply = api.HeartbeatReply.model_validate_json(r.content)
    assert reply.commands == []
    terms = api.TerminalList.model_validate_json(service.admin("/v1/admin/terminals").content)
    (t,) = terms.terminals
    assert t.terminal_id == TERMINAL_ID and t.online and t.faults == ["printer"]
    assert t.outbox_depth == 7 and t.catalogue_version == 0 and t.app_version == "0.1.0"
    service.clock.offset = 200  # > offline_after_s (180), still inside the 300 s signing skew
    (t,) = api.TerminalList.model_validate_json(
        service.admin("/v1/admin/terminals").content
    ).terminals
    assert not t.online


def test_heartbeat_invalid_422(service: Service) -> None:
    _error(service.terminal.heartbeat(outbox_depth=-1), 422, "validation_failed")
    _error(
        service.terminal.heartbeat(devices={"printer": {"status": "on_fire"}}),
        422,
        "validation_failed",
    )


def test_staff_endpoints_need_a_valid_token(service: Service) -> None:
    _error(requests.get(service.url + "/v1/admin/terminals", timeout=10), 401, "auth_missing")
    _error(service.admin("/v1/admin/terminals", token="wrong"), 401, "bad_token")
    _error(service.admin("/v1/admin/ratings", token="wrong"), 401, "bad_token")
    _error(service.publish(b"{}", token="wrong"), 401, "bad_token")
    # a terminal signature is not a staff token
    _error(service.terminal.call("GET", "/v1/admin/terminals"), 401, "auth_missing")


def test_admin_ratings_filter_and_csv(service: Service) -> None:
    a = service.terminal.submit().json()["case_no"]
    b = service.terminal.submit("SB-APPLY-001").json()["case_no"]
    q = _query(service).json()["case_no"]
    service.terminal.rate(a, "非常满意")
    service.terminal.rate(b, "非常不满意", ["too_slow", "hard_to_use"], comment="排队久，又慢")
    service.terminal.rate(q, "基本满意", item_code="SB-QUERY-001")
    all_ = api.RatingList.model_validate_json(service.admin("/v1/admin/ratings").content)
    assert all_.count == 3
    only = service.admin("/v1/admin/ratings?item_code=SB-QUERY-001").json()
    assert [r["case_no"] for r in only["ratings"]] == [q]
    assert service.admin("/v1/admin/ratings?from=2000-01-01&to=2000-12-31").json()["count"] == 0
    body = _error(service.admin("/v1/admin/ratings?from=yesterday"), 422, "validation_failed")
    assert body["message"].startswith("query.from:")  # FastAPI's own 422, as JSON ErrorBody
    _error(service.admin("/v1/admin/ratings?format=xml"), 422, "validation_failed")
    r = service.admin("/v1/admin/ratings?format=csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [(x["level"], x["gbt39046_code"], x["provincial_code"]) for x in rows] == [
        ("非常满意", "1", "5"),
        ("非常不满意", "5", "1"),
        ("基本满意", "3", "3"),
    ]
    assert rows[1]["tags"] == "too_slow;hard_to_use" and rows[1]["comment"] == "排队久，又慢"
    assert {x["gbt39046_channel"] for x in rows} == {"政务大厅其他终端"}
    assert {x["channel"] for x in rows} == {"self_service_terminal"}


# --- framework errors, limits, log ---------------------------------------------------------


def test_framework_errors_are_json(service: Service) -> None:
    _error(requests.get(service.url + "/v1/nothing", timeout=10), 404, "not_found")
    r = requests.delete(service.url + "/v1/heartbeat", timeout=10)
    _error(r, 405, "method_not_allowed")
    assert "POST" in r.headers.get("allow", "")


def test_body_size_limit_413(service: Service) -> None:
    big = b'{"x":"' + b"a" * 70_000 + b'"}'
    _error(service.terminal.call("POST", "/v1/heartbeat", raw=big), 413, "body_too_large")

    def chunks():  # no Content-Length: the streamed count must catch it
        for _ in range(20):
            yield b"a" * 8192

    hdrs = api.signed_headers(TERMINAL_ID, service.secret, "POST", "/v1/heartbeat", b"")
    r = requests.post(
        service.url + "/v1/heartbeat",
        data=chunks(),
        headers={**hdrs, "Content-Type": "application/json"},
        timeout=10,
    )
    _error(r, 413, "body_too_large")


def test_internal_error_is_json_500_without_traceback(service: Service, caplog) -> None:
    store = service.handle.app.state.service.store

    def broken() -> None:  # forced fault: a storage bug cannot be provoked from outside
        raise RuntimeError(f"disk on fire near {ID_NUMBER}")

    store.published_version = broken
    with caplog.at_level(logging.ERROR):
        r = service.terminal.heartbeat()
    body = _error(r, 500, "internal_error")
    assert "fire" not in body["message"]
    assert (
        ID_NUMBER not in caplog.text
        and "RuntimeError" in caplog.text
        and "in broken" in caplog.text
    )


def test_access_log_is_structured_and_has_no_personal_data(service: Service, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="central.access"):
        case_no = service.terminal.submit().json()["case_no"]
        _query(service)
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "central.access"]
    assert {"method", "path", "status", "ms", "terminal"} <= set(lines[0])
    assert lines[0]["status"] == 201 and lines[0]["terminal"] == TERMINAL_ID
    assert ID_NUMBER not in caplog.text and "张三" not in caplog.text
    assert case_no  # (case numbers are not personal data and may be logged)


def test_openapi_served_with_every_endpoint_and_body_schema(service: Service) -> None:
    spec = requests.get(service.url + "/openapi.json", timeout=10).json()
    paths = spec["paths"]
    for path, method in [
        ("/v1/submissions", "post"),
        ("/v1/cases/{case_no}", "get"),
        ("/v1/queries/{item_code}", "post"),
        ("/v1/ratings", "post"),
        ("/v1/heartbeat", "post"),
        ("/v1/catalogue", "get"),
        ("/v1/admin/catalogue", "put"),
        ("/v1/admin/terminals", "get"),
        ("/v1/admin/ratings", "get"),
    ]:
        assert method in paths[path], path
    schemas = spec["components"]["schemas"]
    for name in ("Submission", "Rating", "Heartbeat", "QueryRequest", "ErrorBody", "Identity"):
        assert name in schemas
    ref = paths["/v1/ratings"]["post"]["requestBody"]["content"]["application/json"]["schema"][
        "$ref"
    ]
    assert ref == "#/components/schemas/Rating"
    assert set(schemas["RatingLevel"]["enum"]) == {lv.value for lv in api.RatingLevel}


# --- catalogue -----------------------------------------------------------------------------


def test_catalogue_404_before_publish(service: Service) -> None:
    _error(service.terminal.call("GET", "/v1/catalogue"), 404, "no_catalogue")


def test_publish_then_heartbeat_carries_refresh_catalogue(service: Service) -> None:
    assert service.terminal.heartbeat(catalogue_version=0).json()["commands"] == []
    r = service.publish(bundle_bytes(service.key, 5))
    assert r.status_code == 200, r.text
    done = api.CatalogueAccepted.model_validate_json(r.content)
    assert done.version == 5 and done.items == 3
    assert service.terminal.heartbeat(catalogue_version=4).json()["commands"] == [
        "refresh_catalogue"
    ]
    assert service.terminal.heartbeat(catalogue_version=5).json()["commands"] == []


def test_catalogue_etag_and_304(service: Service) -> None:
    body = bundle_bytes(service.key, 3)
    assert service.publish(body).status_code == 200
    r = service.terminal.call("GET", "/v1/catalogue")
    assert r.status_code == 200 and r.content == body
    etag = r.headers["ETag"]
    r2 = service.terminal.call("GET", "/v1/catalogue", headers={"If-None-Match": etag})
    assert r2.status_code == 304 and r2.content == b"" and r2.headers["ETag"] == etag
    r3 = service.terminal.call("GET", "/v1/catalogue", headers={"If-None-Match": '"other"'})
    assert r3.status_code == 200


def test_publish_version_must_increase_409(service: Service) -> None:
    assert service.publish(bundle_bytes(service.key, 3)).status_code == 200
    _error(service.publish(bundle_bytes(service.key, 3)), 409, "version_not_newer")
    _error(service.publish(bundle_bytes(service.key, 2)), 409, "version_not_newer")
    assert service.publish(bundle_bytes(service.key, 4)).status_code == 200


def test_publish_rejects_untrusted_tampered_expired_and_garbage(service: Service) -> None:
    from datetime import datetime, timedelta

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    body = _error(
        service.publish(bundle_bytes(Ed25519PrivateKey.generate(), 3, key_id="rogue")),
        422,
        "bundle_rejected",
    )
    assert "unknown_key" in body["message"]
    _error(service.publish(bundle_bytes(Ed25519PrivateKey.generate(), 3)), 422, "bundle_rejected")
    tampered = bundle_bytes(service.key, 3).replace(
        "社保缴费明细查询".encode(), "社保缴费明细查詢".encode()
    )
    _error(service.publish(tampered), 422, "bundle_rejected")
    past = datetime.now(UTC) - timedelta(minutes=1)
    _error(service.publish(bundle_bytes(service.key, 3, expires=past)), 422, "bundle_rejected")
    _error(service.publish(b"{oops"), 400, "invalid_json")
    _error(service.terminal.call("GET", "/v1/catalogue"), 404, "no_catalogue")


def test_published_catalogue_drives_items_and_tags(service: Service) -> None:
    assert service.publish(bundle_bytes(service.key, 3, tags=("queue", "rude"))).status_code == 200
    assert _query(service, "GJJ-QUERY-009").status_code == 200  # only in the published catalogue
    _error(_query(service, "JG-QUERY-001"), 404, "unknown_item")  # built-in, not published
    case_no = service.terminal.submit().json()["case_no"]
    _error(service.terminal.rate(case_no, "不满意", ["too_slow"]), 422, "unknown_tag")
    assert service.terminal.rate(case_no, "不满意", ["queue"]).status_code == 201


# --- anonymous submissions (匿名, v1 additive) ------------------------------------------------


def test_anonymous_submission_follows_the_item_design(service: Service) -> None:
    from kiosk.catalogue.signing import sign_catalogue
    from tests.central.conftest import KEY_ID, catalogue_dict

    cat = catalogue_dict(7)
    cat["items"].append(
        {
            "code": "RX-1101",
            "name_zh": "12345诉求提交",
            "name_en": "12345",
            "kind": "apply",
            "order": 9,
            "department_zh": "热线",
            "department_en": "Hotline",
            "category": "social",
            "auth": "id_card_or_qr",
            "anonymous": {"required": ["content"]},
            "fields": [
                {
                    "name": "content",
                    "type": "text",
                    "label_zh": "诉求内容",
                    "label_en": "Details",
                    "required": False,
                    "max_length": 300,
                },
                {
                    "name": "phone",
                    "type": "phone",
                    "label_zh": "电话",
                    "label_en": "Phone",
                    "required": False,
                },
            ],
        }
    )
    bundle = json.dumps(sign_catalogue(cat, service.key, KEY_ID), ensure_ascii=False).encode()
    assert service.publish(bundle).status_code in (200, 201)
    anon = {
        "item_code": "RX-1101",
        "region_code": "610900",
        "anonymous": True,
        "fields": {"content": "路灯不亮"},
    }
    r = service.terminal.call("POST", "/v1/submissions", anon, key=str(uuid.uuid4()))
    assert r.status_code == 201, r.text
    r = service.terminal.call(
        "POST",
        "/v1/submissions",
        dict(anon, fields={"phone": "13800138000"}),
        key=str(uuid.uuid4()),
    )
    _error(r, 422, "anonymous_fields_missing")
    r = service.terminal.call(
        "POST", "/v1/submissions", dict(anon, item_code="SB-APPLY-001"), key=str(uuid.uuid4())
    )
    _error(r, 422, "anonymous_not_allowed")
    # neither an applicant nor anonymous, or both: refused by the contract
    neither = {k: v for k, v in anon.items() if k != "anonymous"}
    assert (
        service.terminal.call("POST", "/v1/submissions", neither, key=str(uuid.uuid4())).status_code
        == 422
    )
    both = dict(anon, applicant={"id_number": ID_NUMBER, "name": "张三"})
    assert (
        service.terminal.call("POST", "/v1/submissions", both, key=str(uuid.uuid4())).status_code
        == 422
    )

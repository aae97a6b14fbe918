"""一件事一次办 on POST /v1/submissions (issue 23): one request, one case per accepted item plus
a bundle number; a rejected item is explained while the others stand; replays answer the same."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kiosk.catalogue.signing import sign_catalogue
from tests.central.conftest import ID_NUMBER, KEY_ID, Service

NEWBORN = ("GA-0703", "YB-0203", "RS-0104")


def shipped(version: int) -> dict[str, Any]:
    """The shipped catalogue source (with bundles) as a publishable catalogue dict."""
    from kiosk.commands.catalogue import load_source
    from kiosk.config import PROJECT_ROOT

    data = load_source(PROJECT_ROOT / "config" / "catalogue" / "catalogue.yaml")
    now = datetime.now(UTC)
    data.update(
        version=version,
        issued_at=(now - timedelta(days=1)).isoformat(),
        expires_at=(now + timedelta(days=30)).isoformat(),
    )
    return data


@pytest.fixture
def central(service: Service) -> Service:
    body = json.dumps(sign_catalogue(shipped(2), service.key, KEY_ID), ensure_ascii=False).encode()
    assert service.publish(body).status_code == 200
    return service


def baby(**over: Any) -> dict[str, Any]:
    f = {
        "id_number": ID_NUMBER,
        "baby_name": "王小宝",
        "baby_sex": "male",
        "baby_birth": "2026-11-20",
        "birth_cert_no": "P612345678",
        "phone": "13800138000",
    }
    f.update(over)
    return f


def request(
    fields: dict[str, Any], codes: tuple[str, ...] = NEWBORN, **extra: Any
) -> dict[str, Any]:
    return {
        "bundle_code": "YJS-XSE",
        "region_code": "610900",
        "applicant": {"id_number": ID_NUMBER, "name": "王大明"},
        "items": [{"item_code": c, "fields": fields} for c in codes],
        **extra,
    }


def test_a_bundle_gets_one_case_per_item_and_a_bundle_number(central: Service) -> None:
    r = central.terminal.call("POST", "/v1/submissions", request(baby()), key=str(uuid.uuid4()))
    assert r.status_code == 201, r.text
    body = r.json()
    cases = [i["case_no"] for i in body["items"]]
    assert [i["item_code"] for i in body["items"]] == list(NEWBORN)
    assert all(i["accepted"] for i in body["items"]) and len(set(cases + [body["bundle_no"]])) == 4
    assert body["case_no"] == cases[0] and body["status"] == "received"
    for code, case in zip(NEWBORN, cases, strict=True):  # each is a real case of its own item
        c = central.terminal.call("GET", f"/v1/cases/{case}")
        assert c.status_code == 200 and c.json()["item_code"] == code
        rated = central.terminal.rate(case, "满意", item_code=code)
        assert rated.status_code == 201, rated.text
    bundle = central.terminal.call("GET", f"/v1/cases/{body['bundle_no']}").json()
    assert bundle["item_code"] == "YJS-XSE"


def test_one_item_refused_the_others_stand(central: Service) -> None:
    # a certificate issued outside the province: 户籍 cannot verify it online
    r = central.terminal.call(
        "POST", "/v1/submissions", request(baby(birth_cert_no="A612345678")), key=str(uuid.uuid4())
    )
    assert r.status_code == 201, r.text
    items = {i["item_code"]: i for i in r.json()["items"]}
    refused = items["GA-0703"]
    assert not refused["accepted"] and refused["case_no"] is None
    assert refused["error"] == "birth_certificate_unverified"
    assert "出生医学证明" in refused["message"] and "户政窗口" in refused["next_step"]
    assert items["YB-0203"]["accepted"] and items["RS-0104"]["accepted"]
    assert r.json()["case_no"] == items["YB-0203"]["case_no"]


def test_every_item_refused_still_answers_with_the_bundle_number(central: Service) -> None:
    fields = baby(birth_cert_no="A612345678", baby_name="")
    r = central.terminal.call(
        "POST", "/v1/submissions", request(fields, ("GA-0703", "RS-0104")), key=str(uuid.uuid4())
    )
    body = r.json()
    assert r.status_code == 201 and body["status"] == "rejected"
    assert body["case_no"] == body["bundle_no"] and not any(i["accepted"] for i in body["items"])


def test_replay_answers_the_same_and_another_body_conflicts(central: Service) -> None:
    key = str(uuid.uuid4())
    first = central.terminal.call("POST", "/v1/submissions", request(baby()), key=key)
    again = central.terminal.call("POST", "/v1/submissions", request(baby()), key=key)
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    other = central.terminal.call(
        "POST", "/v1/submissions", request(baby(phone="13900139000")), key=key
    )
    assert other.status_code == 409


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"bundle_code": "YJS-NONE"}, 404, "unknown_bundle"),
        ({"items": [{"item_code": "GA-0702", "fields": {}}]}, 422, "not_in_bundle"),
        ({"applicant": None}, 422, "validation_failed"),
        ({"items": []}, 422, "validation_failed"),
        ({"items": [{"item_code": "GA-0703", "fields": {}}] * 2}, 422, "validation_failed"),
    ],
)
def test_bad_bundle_requests_are_refused_clearly(
    central: Service, change: dict, status: int, code: str
) -> None:
    body = {**request(baby()), **change}
    r = central.terminal.call("POST", "/v1/submissions", body, key=str(uuid.uuid4()))
    assert r.status_code == status and r.json()["error"] == code, r.text
    assert "王大明" not in r.text  # never an echo of the input


def test_a_plain_submission_is_unchanged(central: Service) -> None:
    r = central.terminal.submit(
        "GA-0702",
        fields={
            "id_number": "11010519491231002X",
            "purpose": "employment",
            "delivery": "electronic",
            "phone": "13800138000",
        },
    )
    assert r.status_code == 201 and "bundle_no" not in r.json()


def test_a_bundle_before_any_catalogue_is_published(service: Service) -> None:
    r = service.terminal.call("POST", "/v1/submissions", request(baby()), key=str(uuid.uuid4()))
    assert r.status_code == 404 and r.json()["error"] == "unknown_bundle"

"""Payments v1 on the real service: pricing by central, binding, idempotency, the state machine
over HTTP, expiry, pay-code, the sandbox platform's faults, the public e-invoice check."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
import requests

from central.storage import Storage
from kiosk import central_api as api
from kiosk.catalogue.signing import sign_catalogue
from tests.central.conftest import ID_NUMBER, OTHER_ID, Service, Terminal, catalogue_dict

PAY = {
    "code": "YB-0202",
    "name_zh": "城乡居民医保缴费",
    "name_en": "Medical insurance",
    "kind": "pay",
    "channels": ["qr", "payment_code"],
    "order": 9,
    "department_zh": "医保局",
    "department_en": "HSB",
    "category": "social",
    "auth": "id_card",
    "devices": ["idcard"],
}


@pytest.fixture
def pay_service(service: Service) -> Service:
    cat = catalogue_dict(2)
    cat["items"].append(PAY)
    bundle = json.dumps(sign_catalogue(cat, service.key, "test-2026"), ensure_ascii=False).encode()
    assert service.publish(bundle).status_code == 200
    return service


def order_body(**fields: Any) -> dict[str, Any]:
    return {
        "item_code": "YB-0202",
        "region_code": "610900",
        "applicant": {"id_number": ID_NUMBER, "name": "张三"},
        "fields": {
            "insured_id": OTHER_ID,
            "year": time.localtime().tm_year,
            "group": "adult",
            **fields,
        },
    }


def create(
    t: Terminal, body: dict[str, Any] | None = None, key: str | None = None
) -> requests.Response:
    return t.call("POST", "/v1/payments", body or order_body(), key=key or str(uuid.uuid4()))


def test_central_prices_the_order_and_replays_it(pay_service: Service) -> None:
    t = pay_service.terminal
    key = str(uuid.uuid4())
    r = create(t, key=key)
    assert r.status_code == 201
    order = api.PaymentOrder.model_validate_json(r.content)
    assert order.amount_fen == 40000 and sum(i.amount_fen for i in order.items) == 40000
    assert order.status is api.PaymentState.UNPAID
    again = create(t, key=key)
    assert again.status_code == 201 and again.json()["order_no"] == order.order_no
    assert again.headers["Idempotent-Replayed"] == "true"
    other = create(t, order_body(group="student"), key=key)
    assert other.status_code == 409 and other.json()["error"] == "idempotency_conflict"
    # the terminal cannot name its own price
    cheap = create(t, {**order_body(), "amount_fen": 1})
    assert cheap.status_code == 422


def test_unpriceable_requests_are_refused_plainly(pay_service: Service) -> None:
    t = pay_service.terminal
    r = create(t, order_body(year=1999))
    assert r.status_code == 422 and r.json()["error"] == "year_not_open"
    r = create(t, order_body(insured_id="110105194912310021"))
    assert r.status_code == 422 and r.json()["error"] == "insured_not_found"
    r = create(t, {**order_body(), "item_code": "SB-APPLY-001"})
    assert r.status_code == 422 and r.json()["error"] == "wrong_item_kind"


def test_orders_are_bound_to_the_creating_terminal(pay_service: Service) -> None:
    no = create(pay_service.terminal).json()["order_no"]
    store = Storage(pay_service.db)
    secret = store.add_terminal("T-0002", None, time.time())
    store.close()
    other = Terminal(pay_service.url, "T-0002", secret, pay_service.clock)
    for method, path in (("GET", f"/v1/payments/{no}"), ("POST", f"/v1/payments/{no}/cancel")):
        r = other.call(method, path)
        assert r.status_code == 404 and r.json()["error"] == "unknown_order"
    assert pay_service.terminal.call("GET", f"/v1/payments/{no}").json()["status"] == "unpaid"


def test_pay_code_declined_then_paid_then_cancel_refused(pay_service: Service) -> None:
    t = pay_service.terminal
    no = create(t).json()["order_no"]
    bad = t.call("POST", f"/v1/payments/{no}/pay-code", {"code": "not-a-code-1234567"})
    assert bad.status_code == 422 and "not-a-code" not in bad.text  # never echoed
    poor = t.call("POST", f"/v1/payments/{no}/pay-code", {"code": "284567890123450000"}).json()
    assert poor["status"] == "unpaid" and poor["failure"]["code"] == "insufficient_funds"
    ok = t.call("POST", f"/v1/payments/{no}/pay-code", {"code": "624567890123456789"}).json()
    assert (
        ok["status"] == "paid" and ok["channel"] == "payment_code" and ok["payer_app"] == "unionpay"
    )
    assert ok["failure"] is None and ok["einvoice_no"]
    again = t.call("POST", f"/v1/payments/{no}/pay-code", {"code": "624567890123456789"})
    assert again.status_code == 409 and again.json()["error"] == "not_payable"
    c = t.call("POST", f"/v1/payments/{no}/cancel")
    assert c.status_code == 409 and c.json()["error"] == "already_paid"
    case = t.call("GET", f"/v1/cases/{no}").json()
    assert case["kind"] == "pay" and case["status"] == "completed"


def test_expiry_closes_and_a_late_payment_is_refunded(pay_service: Service) -> None:
    t = pay_service.terminal
    no = create(t).json()["order_no"]
    pay_service.clock.offset = 301  # the service's clock: default TTL 5 min
    s = t.call("GET", f"/v1/payments/{no}").json()
    assert s["status"] == "closed" and s["closed_reason"] == "expired"
    late = requests.post(f"{pay_service.url}/sandbox/payments/{no}/pay", timeout=5).json()
    assert late["status"] == "refunded" and late["refunded"]
    s = t.call("GET", f"/v1/payments/{no}").json()
    assert s["status"] == "refunded" and s["einvoice_no"] is None and s["refunded_at"]


def test_slow_confirmation_arrives_later(pay_service: Service) -> None:
    t = pay_service.terminal
    no = create(t).json()["order_no"]
    r = requests.post(
        f"{pay_service.url}/sandbox/payments/{no}/pay",
        params={"fault": "slow", "delay_s": 0.5},
        timeout=5,
    ).json()
    assert r["platform"] == "pending" and r["status"] == "unpaid"
    assert t.call("GET", f"/v1/payments/{no}").json()["status"] == "unpaid"
    time.sleep(0.8)
    assert t.call("GET", f"/v1/payments/{no}").json()["status"] == "paid"


def test_einvoice_check_is_public_and_needs_the_check_code(pay_service: Service) -> None:
    t = pay_service.terminal
    no = create(t).json()["order_no"]
    requests.post(f"{pay_service.url}/sandbox/payments/{no}/pay", timeout=5)
    s = t.call("GET", f"/v1/payments/{no}").json()
    url = s["einvoice_url"]
    r = requests.get(url, timeout=5)
    assert r.status_code == 200 and r.json()["payee_zh"] and r.json()["amount_fen"] == 40000
    page = requests.get(url, headers={"Accept": "text/html"}, timeout=5)
    assert "电子票据查验" in page.text and "¥400.00" in page.text and ID_NUMBER not in page.text
    wrong = requests.get(url.split("?")[0] + "?check=0000000000", timeout=5)
    assert wrong.status_code == 404 and wrong.json()["error"] == "unknown_einvoice"


def test_payments_are_in_the_openapi(pay_service: Service) -> None:
    spec = requests.get(pay_service.url + "/openapi.json", timeout=5).json()
    for path in (
        "/v1/payments",
        "/v1/payments/{order_no}",
        "/v1/payments/{order_no}/pay-code",
        "/v1/payments/{order_no}/cancel",
        "/v1/einvoices/{einvoice_no}",
        "/sandbox/payments/{order_no}/pay",
    ):
        assert path in spec["paths"], path
    assert {"PaymentRequest", "PaymentOrder", "PaymentStatus", "PayCode"} <= set(
        spec["components"]["schemas"]
    )


def test_unsigned_payment_calls_are_refused(pay_service: Service) -> None:
    r = requests.post(pay_service.url + "/v1/payments", json=order_body(), timeout=5)
    assert r.status_code == 401

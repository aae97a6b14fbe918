"""Document issue and public verification against the real service on 127.0.0.1."""

from __future__ import annotations

import hashlib
import uuid

import requests
from hypothesis import given
from hypothesis import strategies as st

from central.storage import Storage
from kiosk import central_api as api
from tests.central.conftest import ID_NUMBER, Service, Terminal


def query_print(svc: Service, item: str = "SB-PRINT-001") -> requests.Response:
    return svc.terminal.call(
        "POST",
        f"/v1/queries/{item}",
        {
            "region_code": "610900",
            "identity": {"id_number": ID_NUMBER, "name": "张三丰"},
            "params": {"period": "m12"},
        },
    )


def issued(svc: Service) -> dict:
    r = query_print(svc)
    assert r.status_code == 200, r.text
    return r.json()


def register(
    svc: Service,
    code: str,
    pdf: bytes = b"%PDF-1.4 demo",
    pages: int = 2,
    terminal: Terminal | None = None,
) -> requests.Response:
    return (terminal or svc.terminal).call(
        "PUT",
        f"/v1/documents/{code}/digest",
        {"sha256": hashlib.sha256(pdf).hexdigest(), "pages": pages},
    )


def test_a_print_answer_carries_an_unguessable_code_and_its_page(service: Service) -> None:
    body = issued(service)
    doc = body["document"]
    assert api.VERIFY_CODE_RE.fullmatch(doc["code"])
    assert doc["verify_url"] == f"{service.url}/verify/{doc['code']}"
    assert doc["title"] == "社保参保缴费证明打印"
    other = issued(service)["document"]["code"]
    assert other != doc["code"]  # a fresh code per issue
    # a query item gets no document
    r = service.terminal.call(
        "POST",
        "/v1/queries/SB-QUERY-001",
        {"region_code": "610900", "identity": {"id_number": ID_NUMBER}, "params": {}},
    )
    assert r.status_code == 200 and "document" not in r.json()


def test_a_code_verifies_only_once_its_pdf_is_registered(service: Service) -> None:
    code = issued(service)["document"]["code"]
    r = requests.get(f"{service.url}/v1/verify/{code}", timeout=10)
    assert r.status_code == 404 and r.json()["status"] == "unknown"  # issued, never printed
    pdf = b"%PDF-1.4 the certificate"
    assert register(service, code, pdf).status_code == 200
    r = requests.get(f"{service.url}/v1/verify/{code}", timeout=10)
    body = r.json()
    assert r.status_code == 200 and body["status"] == "valid", body
    assert body["sha256"] == hashlib.sha256(pdf).hexdigest() and body["pages"] == 2
    assert body["item_code"] == "SB-PRINT-001"
    assert "持证人：张**" in body["summary"] and "身份证号：110105********002X" in body["summary"]
    assert ID_NUMBER not in r.text and "张三丰" not in r.text  # personal data masked
    # typed loosely (lower case, spaces, O for 0) it is the same code
    loose = code.lower().replace("-", " ").replace("0", "o")
    assert requests.get(f"{service.url}/v1/verify/{loose}", timeout=10).json()["code"] == code


def test_the_html_page_a_phone_opens(service: Service) -> None:
    code = issued(service)["document"]["code"]
    register(service, code)
    r = requests.get(f"{service.url}/verify/{code}", timeout=10)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "核验通过" in r.text and "社保参保缴费证明打印" in r.text and code in r.text
    assert "no-store" in r.headers["cache-control"]
    r = requests.get(f"{service.url}/verify/AAAAA-BBBBB-CCCCC-DDDDD", timeout=10)
    assert r.status_code == 404 and "未找到该文书" in r.text
    r = requests.get(f"{service.url}/verify/<script>alert(1)</script>", timeout=10)
    assert "<script>" not in r.text  # never echoed unescaped
    r = requests.get(f"{service.url}/verify", params={"code": code}, timeout=10)
    assert r.status_code == 200 and "核验通过" in r.text
    assert "<form" in requests.get(f"{service.url}/verify", timeout=10).text


def test_an_expired_code_says_so(service: Service) -> None:
    code = issued(service)["document"]["code"]
    register(service, code)
    service.clock.offset = 91 * 86400  # builtin items: 90 days
    body = requests.get(f"{service.url}/v1/verify/{code}", timeout=10).json()
    assert body["status"] == "expired" and "届满" in body["message"] and body["summary"] == []
    page = requests.get(f"{service.url}/verify/{code}", timeout=10).text
    assert "核验期已过" in page


def test_the_digest_is_set_once_and_only_by_the_issuing_terminal(service: Service) -> None:
    code = issued(service)["document"]["code"]
    assert register(service, code, b"A").status_code == 200
    assert register(service, code, b"A").status_code == 200  # a retry is fine
    r = register(service, code, b"B")
    assert r.status_code == 409 and r.json()["error"] == "digest_conflict"
    store = Storage(service.db)
    other_secret = store.add_terminal("T-0002", None, 0)
    store.close()
    other = Terminal(service.url, "T-0002", other_secret, service.clock)
    code2 = issued(service)["document"]["code"]
    assert register(service, code2, terminal=other).status_code == 404
    r = requests.put(
        f"{service.url}/v1/documents/{code2}/digest",
        json={"sha256": "0" * 64, "pages": 1},
        timeout=10,
    )
    assert r.status_code == 401  # unsigned
    assert register(service, "NOT-A-CODE").status_code == 404
    bad = service.terminal.call(
        "PUT", f"/v1/documents/{code2}/digest", {"sha256": "xyz", "pages": 1}
    )
    assert bad.status_code == 422 and set(bad.json()) == {"error", "message"}


def test_verification_is_rate_limited(service: Service) -> None:
    codes = {
        requests.get(f"{service.url}/v1/verify/{uuid.uuid4().hex[:20]}", timeout=10).status_code
        for _ in range(api_limit() + 5)
    }
    assert 429 in codes
    r = requests.get(f"{service.url}/v1/verify/AAAAA-BBBBB-CCCCC-DDDDD", timeout=10)
    assert r.status_code == 429 and r.json()["error"] == "rate_limited" and r.headers["retry-after"]


def api_limit() -> int:
    from central.routers.verify import RATE_PER_MIN

    return RATE_PER_MIN


@given(st.text(max_size=80))
def test_normalize_never_accepts_what_is_not_a_code(text: str) -> None:
    out = api.normalize_verify_code(text)
    assert out is None or api.VERIFY_CODE_RE.fullmatch(out)


@given(st.integers(0, 2**100 - 1))
def test_every_100_bit_value_is_a_code_that_round_trips(n: int) -> None:
    raw = "".join(api.VERIFY_ALPHABET[(n >> (5 * i)) & 31] for i in range(20))
    code = "-".join(raw[i : i + 5] for i in range(0, 20, 5))
    assert api.VERIFY_CODE_RE.fullmatch(code) and api.normalize_verify_code(code) == code

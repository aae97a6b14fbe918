"""schemathesis against the OpenAPI the service serves (issue 18, deliver 6): every operation,
a bounded number of generated requests (fixed seed, derandomised), signed per the contract by a
requests.Session that signs the exact bytes it sends. Nothing may be a server error or break
the documented status codes, content types, headers or response schemas."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from central.openapi import ID_NUMBER_FORMAT
from central.server import run_in_thread
from kiosk import central_api as api
from tests.central.conftest import TERMINAL_ID, Clock, seed

EXAMPLES = 25
"""Generated requests per operation (≈ 25 operations)."""
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    positive_data_acceptance,
]
NOT_GENERATABLE = {
    ("PUT", "/v1/admin/catalogue"),
    ("POST", api.FACE_PATH),
    # a dictionary must also be complete and newer than the published one
    ("PUT", "/v1/admin/rating-dictionary"),
    # cross-field rules of issue 19 the schema does not state (a 实名 rating
    # carries its rater, an anonymous one none; closing a 差评 names how it was
    # settled): schema-valid bodies may get a 422 that names the rule
    ("POST", "/v1/ratings"),
    ("POST", "/v1/admin/followups/{followup_id}/steps"),
    ("GET", "/v1/admin/stats"),  # `to` not before `from`
    ("POST", "/v1/admin/province/reconcile"),  # a real day (no 02-30)
    # its schema still admits strings the strict parser refuses (NUL …)
    ("POST", "/v1/identity/code"),
}
"""Valid requests no schema can generate: a bundle needs an Ed25519 signature by a trusted key,
a face check a JPEG that decodes to a face. All other checks still run on them."""
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _id_number(first17: str) -> str:
    return (
        first17
        + "10X98765432"[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]
    )


schemathesis.openapi.format(ID_NUMBER_FORMAT, st.from_regex(r"\A[0-9]{17}\Z").map(_id_number))


class SigningSession(requests.Session):
    """Signs every request as a terminal would (v1.1), over the bytes actually sent; staff
    paths get the bearer token instead."""

    def __init__(self, secret: bytes, token: str) -> None:
        super().__init__()
        self.secret = secret
        self.token = token
        self.trust_env = False

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        path = request.path_url
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        if path.startswith("/v1/admin/"):
            request.headers["Authorization"] = f"Bearer {self.token}"
        else:
            key = request.headers.get(api.HEADER_IDEMPOTENCY_KEY)
            if (
                path.startswith(("/v1/submissions", "/v1/ratings", "/v1/payments"))
                and not key
                and request.method == "POST"
                and path.count("/") == 2
            ):
                key = str(uuid.uuid4())
                request.headers[api.HEADER_IDEMPOTENCY_KEY] = key
            request.headers.update(
                api.signed_headers(
                    TERMINAL_ID,
                    self.secret,
                    request.method or "GET",
                    path,
                    body,
                    now=time.time(),
                    idempotency_key=key,
                )
            )
        return super().send(request, **kwargs)


def _operation_test(operation: Any, url: str, session: SigningSession, checks: list[Any]) -> Any:
    """The hypothesis test of one operation (bounded, derandomised, no example database)."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        response = case.call(base_url=url, session=session, timeout=10)
        case.validate_response(response, checks=checks)

    return run


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, SigningSession]]:
    db = tmp_path_factory.mktemp("schemathesis") / "central.sqlite3"
    secret, token, _key = seed(db)
    with run_in_thread(db, clock=Clock()) as handle:
        yield handle.url, SigningSession(secret, token)


def test_schemathesis_finds_nothing(served: tuple[str, SigningSession]) -> None:
    url, session = served
    schema = schemathesis.openapi.from_url(url + "/openapi.json")
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        case_checks = (
            CHECKS
            if (operation.method.upper(), operation.path) not in NOT_GENERATABLE
            else CHECKS[:-1]
        )

        run = _operation_test(operation, url, session, case_checks)
        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collect them all
            failures.append(
                f"{operation.method.upper()} {operation.path}: "
                f"{type(exc).__name__}: {str(exc)[:1500]}"
            )
    assert operations >= 20
    assert not failures, "\n\n".join(failures)


def test_openapi_declares_auth_and_headers(served: tuple[str, SigningSession]) -> None:
    """Findings: no securitySchemes, staff endpoints without Authorization, the optional
    Idempotency-Key of queries undeclared."""
    url, _ = served
    doc = requests.get(url + "/openapi.json", timeout=10).json()
    schemes = doc["components"]["securitySchemes"]
    assert {(s.get("in"), s.get("name")) for s in schemes.values()} >= {
        ("header", "X-Terminal-Id"),
        ("header", "X-Timestamp"),
        ("header", "X-Signature"),
    }
    assert schemes["staffBearer"] == {**schemes["staffBearer"], "type": "http", "scheme": "bearer"}
    terminal = {"terminalId": [], "terminalTimestamp": [], "terminalSignature": []}
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if path.startswith("/v1/admin/"):
                assert op["security"] == [{"staffBearer": []}], (method, path)
            elif path.startswith(
                (
                    "/v1/submissions",
                    "/v1/cases",
                    "/v1/queries",
                    "/v1/ratings",
                    "/v1/heartbeat",
                    "/v1/catalogue",
                    "/v1/payments",
                    "/v1/identity",
                    "/v1/documents",
                )
            ):
                assert op["security"] == [terminal], (method, path)
    key = {p["name"]: p for p in doc["paths"]["/v1/queries/{item_code}"]["post"]["parameters"]}
    assert key["Idempotency-Key"]["required"] is False
    sub = {p["name"]: p for p in doc["paths"]["/v1/submissions"]["post"]["parameters"]}
    assert sub["Idempotency-Key"]["required"] is True
    hb = doc["components"]["schemas"]["Heartbeat"]["properties"]
    assert hb["catalogue_version"]["maximum"] == 2**31 - 1

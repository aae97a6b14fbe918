"""Contract v1.1 over real HTTP: the Idempotency-Key is signed, queries are idempotent, cases and
ratings are bound to the creating terminal, case numbers carry a keyed check group."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from central import backends
from central.server import run_in_thread
from central.service import MASKED_NOTE
from kiosk import central_api as api
from kiosk.catalogue.validators import validate_case_no
from tests.central.conftest import (
    ID_NUMBER,
    TERMINAL_ID,
    Clock,
    Service,
    Terminal,
    seed,
    submission,
)

QUERY = {"region_code": "610900", "identity": {"id_number": ID_NUMBER, "name": "张三"}}


def _error(r: requests.Response, status: int, code: str) -> None:
    assert (r.status_code, r.json()["error"]) == (status, code), r.text


def _cases(service: Service) -> int:
    return service.handle.app.state.service.store._one("SELECT COUNT(*) FROM cases")[0]


def _second_terminal(service: Service, terminal_id: str = "T-0002") -> Terminal:
    secret = service.handle.app.state.service.store.add_terminal(terminal_id, None, time.time())
    return Terminal(service.url, terminal_id, secret, service.clock)


@pytest.fixture
def production(tmp_path: Path) -> Iterator[Service]:
    """central as `--no-sandbox` serves it, with the sandbox's query answers plugged in as if
    they were a department's (so the v1.1 rules of queries can be seen)."""
    db = tmp_path / "production.sqlite3"
    secret, token, key = seed(db)
    clock = Clock()
    handle = run_in_thread(
        db,
        clock=clock,
        sandbox=False,
        backends=backends.Backends(queries=backends.sandbox().queries),
    )
    svc = Service(
        handle, db, clock, Terminal(handle.url, TERMINAL_ID, secret, clock), secret, token, key
    )
    yield svc
    handle.stop()


# --- the signed Idempotency-Key ------------------------------------------------------------


def test_replay_with_a_fresh_key_is_refused_and_creates_no_case(service: Service) -> None:
    """Finding: a captured signed submission replayed with a new key made a second case."""
    body = json.dumps(submission()).encode()
    key = str(uuid.uuid4())
    hdrs = {
        **api.signed_headers(
            TERMINAL_ID, service.secret, "POST", "/v1/submissions", body, idempotency_key=key
        ),
        "Content-Type": "application/json",
    }
    first = requests.post(service.url + "/v1/submissions", data=body, headers=hdrs, timeout=10)
    assert first.status_code == 201
    replay = requests.post(
        service.url + "/v1/submissions",
        data=body,
        timeout=10,
        headers={**hdrs, api.HEADER_IDEMPOTENCY_KEY: str(uuid.uuid4())},
    )
    _error(replay, 401, "bad_signature")
    same = requests.post(service.url + "/v1/submissions", data=body, headers=hdrs, timeout=10)
    assert same.content == first.content and same.headers["Idempotent-Replayed"] == "true"
    assert _cases(service) == 1


def test_v1_signatures_pass_in_the_sandbox_and_not_in_production(
    service: Service, production: Service
) -> None:
    assert service.terminal.submit(key=str(uuid.uuid4())).status_code == 201
    old = service.terminal.call(
        "POST", "/v1/submissions", submission(), key=str(uuid.uuid4()), v1=True
    )
    assert old.status_code == 201  # the transition: a v1.0 terminal still works
    refused = production.terminal.call(
        "POST", "/v1/submissions", submission(), key=str(uuid.uuid4()), v1=True
    )
    _error(refused, 401, "v1_signature_refused")
    assert "update the terminal" in refused.json()["message"]
    assert (
        production.terminal.call(
            "POST", "/v1/submissions", submission(), key=str(uuid.uuid4())
        ).status_code
        == 201
    )
    assert _cases(production) == 1


def test_accept_v1_signatures_is_a_setting(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite3"
    secret, _token, _key = seed(db)
    with run_in_thread(db, sandbox=False, accept_v1_signatures=True) as handle:
        t = Terminal(handle.url, TERMINAL_ID, secret, Clock())
        assert (
            t.call(
                "POST", "/v1/submissions", submission(), key=str(uuid.uuid4()), v1=True
            ).status_code
            == 201
        )
    with run_in_thread(db, sandbox=True, accept_v1_signatures=False) as handle:
        t = Terminal(handle.url, TERMINAL_ID, secret, Clock())
        _error(
            t.call("POST", "/v1/submissions", submission(), key=str(uuid.uuid4()), v1=True),
            401,
            "v1_signature_refused",
        )


# --- queries -------------------------------------------------------------------------------


def test_a_repeated_query_returns_the_first_answer_without_a_new_case(service: Service) -> None:
    """Finding: a replayed signed query created a new case each time."""
    key = str(uuid.uuid4())
    first = service.terminal.call("POST", "/v1/queries/SB-QUERY-001", QUERY, key=key)
    again = service.terminal.call("POST", "/v1/queries/SB-QUERY-001", QUERY, key=key)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content and again.headers["Idempotent-Replayed"] == "true"
    assert _cases(service) == 1
    _error(
        service.terminal.call(
            "POST",
            "/v1/queries/SB-QUERY-001",
            QUERY,
            key=key,
            sign_path="/v1/queries/SB-QUERY-001",
            headers={api.HEADER_IDEMPOTENCY_KEY: str(uuid.uuid4())},
        ),
        401,
        "bad_signature",
    )
    _error(
        service.terminal.call("POST", "/v1/queries/GJJ-QUERY-001", QUERY, key=key),
        409,
        "idempotency_conflict",
    )


def test_production_queries_need_a_key_and_work_with_one(production: Service) -> None:
    _error(
        production.terminal.call("POST", "/v1/queries/SB-QUERY-001", QUERY),
        400,
        "idempotency_key_required",
    )
    assert _cases(production) == 0
    key = str(uuid.uuid4())
    r = production.terminal.call("POST", "/v1/queries/SB-QUERY-001", QUERY, key=key)
    assert r.status_code == 200, r.text
    assert (
        production.terminal.call("POST", "/v1/queries/SB-QUERY-001", QUERY, key=key).content
        == r.content
    )
    assert _cases(production) == 1


# --- binding to the creating terminal -------------------------------------------------------


def test_another_terminal_sees_only_the_masked_status(service: Service) -> None:
    case_no = service.terminal.submit().json()["case_no"]
    service.clock.offset = 4000  # the sandbox's progress: accepted, then in progress
    own = api.CaseStatus.model_validate_json(
        service.terminal.call("GET", f"/v1/cases/{case_no}").content
    )
    assert not own.masked and [e.note for e in own.history] == ["已接收", "已受理", "审核中"]
    other = _second_terminal(service)
    r = other.call("GET", f"/v1/cases/{case_no}")
    assert r.status_code == 200
    seen = api.CaseStatus.model_validate_json(r.content)
    assert seen.masked and seen.status == own.status == api.CaseState.IN_PROGRESS
    assert [(e.status, e.at, e.note) for e in seen.history] == [
        (api.CaseState.IN_PROGRESS, own.history[-1].at, MASKED_NOTE)
    ]
    assert "已接收" not in r.text and "已受理" not in r.text


def test_only_the_creating_terminal_rates_and_its_rating_still_succeeds(service: Service) -> None:
    """Finding: terminal B rated A's case (201) and A's real rating then got 409."""
    case_no = service.terminal.submit().json()["case_no"]
    other = _second_terminal(service)
    _error(other.rate(case_no), 403, "not_case_terminal")
    _error(other.rate(case_no, "非常不满意", ["too_slow"]), 403, "not_case_terminal")
    r = service.terminal.rate(case_no, "非常满意")
    assert r.status_code == 201, r.text
    ratings = service.admin("/v1/admin/ratings").json()["ratings"]
    assert [(x["terminal_id"], x["level"]) for x in ratings] == [(TERMINAL_ID, "非常满意")]


# --- case numbers ---------------------------------------------------------------------------


def test_case_numbers_carry_a_keyed_check_group(service: Service, tmp_path: Path) -> None:
    numbers = [service.terminal.submit().json()["case_no"] for _ in range(3)]
    for n in numbers:
        assert api.CHECKED_CASE_NO_RE.fullmatch(n)
    base, _, check = numbers[0].rpartition("-")
    assert base.endswith("-000001")
    # every wrong check group is simply unknown (10,000 guesses per number)
    for wrong in {f"{(int(check) + d) % 10000:04d}" for d in (1, 37, 5000)}:
        _error(service.terminal.call("GET", f"/v1/cases/{base}-{wrong}"), 404, "unknown_case")
    _error(service.terminal.call("GET", f"/v1/cases/{base}"), 404, "unknown_case")
    assert service.terminal.call("GET", f"/v1/cases/{numbers[0]}").status_code == 200
    # keyed per database: the same sequence number elsewhere has another check group
    db = tmp_path / "other.sqlite3"
    secret, _t, _k = seed(db)
    with run_in_thread(db) as handle:
        elsewhere = Terminal(handle.url, TERMINAL_ID, secret, Clock()).submit().json()["case_no"]
    assert elsewhere.rpartition("-")[0][-6:] == "000001"
    checks = {numbers[0][-4:], elsewhere[-4:]}
    assert len(checks) == 2 or elsewhere.rpartition("-")[0] != base  # (1 in 10,000 collides)


def test_the_terminal_takes_both_number_shapes() -> None:
    new, old = "610900-20261125-000123-4071", "610900-20261125-000123"
    for n in (new, old):
        assert api.is_case_ref(n) and len(n) <= api.CASE_REF_MAX_LEN
        assert (
            api.SubmissionAccepted.model_validate(
                {"case_no": n, "status": "received", "received_at": "2026-11-25T01:00:00Z"}
            ).case_no
            == n
        )
        assert set(n) <= set(api.case_ref_alphabet())
    from kiosk.catalogue.model import Field

    field: Any = Field(name="case_no", type="case_no", label_zh="办件编号", label_en="Case number")
    assert validate_case_no(field, new) == new
    assert not api.is_case_ref(new + "1") and not api.is_case_ref("610900-20261125-000123-407")

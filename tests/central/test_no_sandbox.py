"""Production mode (`create_app(sandbox=False)`, `kiosk central serve --no-sandbox`): no
simulated answer anywhere, the sandbox routes are gone, missing back ends say so (503)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from central.server import run_in_thread
from kiosk import central_api as api
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
ORDER = {
    "item_code": "JF-0701",
    "region_code": "610900",
    "applicant": {"id_number": ID_NUMBER, "name": "张三"},
    "fields": {},
}


def _error(r: requests.Response, status: int, code: str) -> None:
    assert (r.status_code, r.json().get("error")) == (status, code), r.text


@pytest.fixture
def production(tmp_path: Path) -> Iterator[Service]:
    db = tmp_path / "central.sqlite3"
    secret, token, key = seed(db)
    clock = Clock()
    with run_in_thread(db, clock=clock, sandbox=False) as handle:
        yield Service(
            handle, db, clock, Terminal(handle.url, TERMINAL_ID, secret, clock), secret, token, key
        )


def test_production_answers_nothing_simulated(production: Service) -> None:
    t = production.terminal
    _error(
        t.call("POST", "/v1/queries/SB-QUERY-001", QUERY, key=str(uuid.uuid4())),
        503,
        "query_backend_unavailable",
    )
    face = {
        "id_number": ID_NUMBER,
        "image_jpeg_b64": "/9j/" + "A" * 200,
        "liveness": {"challenge": "blink", "passed": True, "frames": 10},
    }
    _error(t.call("POST", api.FACE_PATH, face), 503, "face_backend_unavailable")
    _error(
        t.call("POST", "/v1/payments", ORDER, key=str(uuid.uuid4())),
        503,
        "payment_backend_unavailable",
    )
    assert production.handle.app.state.service.store._one("SELECT COUNT(*) FROM cases")[0] == 0
    # the real central logic still works: a submission gets its case, which does not move by
    # itself (no simulated progress)
    case_no = t.submit().json()["case_no"]
    production.clock.offset = 90000
    case = api.CaseStatus.model_validate_json(t.call("GET", f"/v1/cases/{case_no}").content)
    assert [e.status for e in case.history] == [api.CaseState.RECEIVED]
    paths = production.handle.app.openapi()["paths"]
    assert not any(p.startswith("/sandbox") for p in paths)
    assert (
        requests.get(f"{production.url}/sandbox/payments/{case_no}", timeout=5).status_code == 404
    )


def test_the_sandbox_still_simulates(service: Service) -> None:
    r = service.terminal.call("POST", "/v1/queries/SB-QUERY-001", QUERY)
    assert r.status_code == 200 and r.json()["rows"]
    case_no = service.terminal.submit().json()["case_no"]
    service.clock.offset = 90000
    case = api.CaseStatus.model_validate_json(
        service.terminal.call("GET", f"/v1/cases/{case_no}").content
    )
    assert case.status == api.CaseState.COMPLETED


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_kiosk_central_serve_no_sandbox(tmp_path: Path) -> None:
    db = tmp_path / "central.sqlite3"
    secret, _token, _key = seed(db)
    port = _free_port()
    kiosk = [sys.executable, "-m", "kiosk"]
    proc = subprocess.Popen(
        [*kiosk, "central", "serve", "--no-sandbox", "--db", str(db), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                requests.get(url + "/healthz", timeout=1)
                break
            except requests.ConnectionError:
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
        t = Terminal(url, TERMINAL_ID, secret, Clock())
        _error(
            t.call("POST", "/v1/queries/SB-QUERY-001", QUERY, key=str(uuid.uuid4())),
            503,
            "query_backend_unavailable",
        )
        _error(
            t.call("POST", "/v1/submissions", submission(), key=str(uuid.uuid4()), v1=True),
            401,
            "v1_signature_refused",
        )
        assert requests.post(f"{url}/sandbox/payments/x/pay", timeout=5).status_code == 404
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=15)
    assert b"production, no sandbox" in err

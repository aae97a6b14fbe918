"""Concurrency and fuzzing over real HTTP: duplicates collapse, garbage never yields a 500."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from central.server import run_in_thread
from kiosk import central_api as api
from tests.central.conftest import (
    ENGINES,
    TERMINAL_ID,
    Clock,
    Service,
    Terminal,
    new_db,
    seed,
    submission,
)


@pytest.fixture(scope="module", params=ENGINES)
def shared(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    """One service per engine for the property tests of this module (state does not matter)."""
    with pytest.MonkeyPatch.context() as mp:
        db = new_db(request.param, tmp_path_factory.mktemp("central"), request, mp)
        secret, token, key = seed(db)
        clock = Clock()
        handle = run_in_thread(db, clock=clock)
        yield Service(
            handle, db, clock, Terminal(handle.url, TERMINAL_ID, secret, clock), secret, token, key
        )
        handle.stop()


def test_concurrent_duplicates_create_one_case(service: Service) -> None:
    key = str(uuid.uuid4())
    body = json.dumps(submission()).encode()
    answers: list[requests.Response] = []
    lock = threading.Lock()
    go = threading.Event()

    def send() -> None:
        hdrs = {
            **api.signed_headers(TERMINAL_ID, service.secret, "POST", "/v1/submissions", body),
            api.HEADER_IDEMPOTENCY_KEY: key,
        }
        go.wait()
        r = requests.post(
            service.url + "/v1/submissions",
            data=body,
            headers={**hdrs, "Content-Type": "application/json"},
            timeout=10,
        )
        with lock:
            answers.append(r)

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    go.set()
    for t in threads:
        t.join()
    assert [r.status_code for r in answers] == [201] * 8
    assert len({r.content for r in answers}) == 1
    store = service.handle.app.state.service.store
    assert store._one("SELECT COUNT(*) FROM cases")[0] == 1


printable = st.text(st.characters(min_codepoint=32, max_codepoint=0x2FFF), max_size=40)


@settings(max_examples=30, deadline=None)
@given(tid=printable, ts=printable, sig=printable)
def test_garbage_auth_headers_are_401_json(shared: Service, tid: str, ts: str, sig: str) -> None:
    hdrs = {api.HEADER_TERMINAL_ID: tid, api.HEADER_TIMESTAMP: ts, api.HEADER_SIGNATURE: sig}
    # HTTP cannot carry leading/trailing blanks in a header value (requests refuses to send them).
    hdrs = {k: v.strip().encode("utf-8").decode("latin-1") for k, v in hdrs.items()}
    r = requests.post(
        shared.url + "/v1/heartbeat",
        data=b"{}",
        headers={**hdrs, "Content-Type": "application/json"},
        timeout=10,
    )
    assert r.status_code == 401, r.text
    assert set(r.json()) == {"error", "message"}


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | printable,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(printable, inner, max_size=4),
    max_leaves=12,
)


@st.composite
def submission_like(draw: st.DrawFn) -> dict:
    """A valid submission with some keys replaced or added by arbitrary JSON."""
    body = submission()
    for key in draw(
        st.lists(
            st.sampled_from(
                [
                    "item_code",
                    "region_code",
                    "applicant",
                    "fields",
                    "local_ref",
                    "created_at",
                    "extra",
                ]
            ),
            max_size=3,
        )
    ):
        body[key] = draw(json_values)
    return body


@settings(max_examples=40, deadline=None)
@given(body=submission_like())
def test_fuzzed_submissions_never_500(shared: Service, body: dict) -> None:
    r = shared.terminal.call("POST", "/v1/submissions", body, key=str(uuid.uuid4()))
    assert r.status_code in (201, 400, 404, 422), r.text
    if r.status_code != 201:
        err = r.json()
        assert set(err) == {"error", "message"}
        assert "11010519491231002X" not in err["message"]


@settings(max_examples=30, deadline=None)
@given(
    level=printable | st.sampled_from([lv.value for lv in api.RatingLevel]),
    tags=st.lists(printable, max_size=3),
    comment=st.text(max_size=600),
)
def test_fuzzed_ratings_never_500(
    shared: Service, level: str, tags: list[str], comment: str
) -> None:
    r = shared.terminal.rate("610900-20260101-000001", level, tags, comment=comment)
    assert r.status_code in (400, 404, 422), r.text  # 400: strict JSON (a NUL character)
    assert r.status_code != 400 or r.json()["error"] == "invalid_json"
    assert set(r.json()) == {"error", "message"}


def test_server_stop_is_prompt(tmp_path: Path) -> None:
    handle = run_in_thread(tmp_path / "c.sqlite3")
    t0 = time.monotonic()
    handle.stop()
    assert time.monotonic() - t0 < 5
    with pytest.raises(requests.ConnectionError):
        requests.get(handle.url + "/healthz", timeout=2)

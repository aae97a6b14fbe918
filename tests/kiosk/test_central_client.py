"""CentralClient against the real reference sandbox on 127.0.0.1 (and raw TCP servers for the
faults a correct service cannot produce: hangs, resets, 503 with Retry-After, bad answers)."""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import hmac
import ipaddress
import socket
import ssl
import time
import uuid
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk import central_api as api
from kiosk.central_client import CentralClient, _retry_after, encode_body
from kiosk.central_errors import (
    AuthError,
    CentralClientError,
    CentralTimeout,
    NetworkError,
    ProtocolError,
    Rejected,
    ServerError,
)
from tests._postgres import ENGINES, new_db
from tests.kiosk._central import (
    SECRET,
    TERMINAL_ID,
    CannedServer,
    Sandbox,
    http_response,
    id_number,
    rating,
    submission,
)


@pytest.fixture(scope="module", params=ENGINES)
def sandbox(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    with pytest.MonkeyPatch.context() as mp:  # the client against central on each engine
        sb = Sandbox(new_db(request.param, tmp_path_factory.mktemp("central"), request, mp))
        yield sb
        sb.stop()


@pytest.fixture
def client(sandbox: Sandbox) -> CentralClient:
    c = CentralClient(sandbox.url, TERMINAL_ID, SECRET, connect_timeout_s=1, read_timeout_s=5)
    yield c
    c.close()


def key() -> str:
    return str(uuid.uuid4())


def test_encode_body_is_canonical_bytes() -> None:
    assert encode_body({"b": 1, "a": "张"}) == b'{"a":"\xe5\xbc\xa0","b":1}'
    assert encode_body(
        api.Heartbeat(catalogue_version=1, outbox_depth=2, app_version="x", uptime_s=3)
    ) == (b'{"app_version":"x","catalogue_version":1,"devices":{},"outbox_depth":2,"uptime_s":3.0}')


def test_submit_is_idempotent_per_key(client: CentralClient, sandbox: Sandbox) -> None:
    k = key()
    first = client.submit(submission(1), k)
    assert first.status is api.CaseState.RECEIVED
    again = client.submit(submission(1), k)
    assert again == first
    assert sum(1 for c, _ in sandbox.cases() if c == first.case_no) == 1
    with pytest.raises(Rejected) as ei:
        client.submit(submission(2), k)
    assert (ei.value.status, ei.value.code) == (409, "idempotency_conflict")


def test_rate_case_and_one_rating_per_case(client: CentralClient) -> None:
    case_no = client.submit(submission(3), key()).case_no
    assert client.case(case_no).case_no == case_no
    accepted = client.rate(rating(case_no), key())
    assert accepted.case_no == case_no and accepted.level is api.RatingLevel.SATISFIED
    with pytest.raises(Rejected) as ei:
        client.rate(rating(case_no), key())
    assert (ei.value.status, ei.value.code) == (409, "already_rated")


def test_validation_and_unknown_are_rejected_with_code(client: CentralClient) -> None:
    bad = submission(4)
    bad["applicant"]["id_number"] = "110105194912310021"  # wrong check digit
    with pytest.raises(Rejected) as ei:
        client.submit(bad, key())
    assert ei.value.status == 422
    with pytest.raises(Rejected) as ei:
        client.case("610900-20000101-999999")
    assert (ei.value.status, ei.value.code) == (404, "unknown_case")
    with pytest.raises(Rejected) as ei:
        client.rate(dict(rating("610900-20261125-000001", "不满意"), tags=[]), key())
    assert ei.value.status == 422


def test_query_and_heartbeat(client: CentralClient) -> None:
    result = client.query(
        "SB-QUERY-001",
        {"region_code": "610900", "identity": {"id_number": id_number(5), "name": "张三丰"}},
    )
    assert result.item_code == "SB-QUERY-001" and result.rows
    reply = client.heartbeat(
        {"catalogue_version": 0, "outbox_depth": 3, "app_version": "t", "uptime_s": 1.5}
    )
    assert reply.commands == []


def test_catalogue_200_then_304(client: CentralClient, sandbox: Sandbox) -> None:
    with pytest.raises(Rejected) as ei:
        client.catalogue()
    assert ei.value.status == 404
    # Published straight into storage: the bundle signature is the catalogue module's business.
    bundle = b'{"catalogue":{"version":7,"items":[]},"signatures":[]}'
    sandbox.store.publish(7, bundle, 0, "test", time.time())
    got = client.catalogue()
    assert got.changed and got.body == bundle and got.etag
    again = client.catalogue(got.etag)
    assert not again.changed and again.status == 304


def test_wrong_secret_and_clock_skew_are_auth_errors(sandbox: Sandbox) -> None:
    wrong = CentralClient(sandbox.url, TERMINAL_ID, b"\x01" * 32)
    with pytest.raises(AuthError) as ei:
        wrong.heartbeat(
            {"catalogue_version": 0, "outbox_depth": 0, "app_version": "t", "uptime_s": 0}
        )
    assert ei.value.status == 401
    skewed = CentralClient(sandbox.url, TERMINAL_ID, SECRET, clock=lambda: time.time() - 400)
    with pytest.raises(AuthError):
        skewed.heartbeat(
            {"catalogue_version": 0, "outbox_depth": 0, "app_version": "t", "uptime_s": 0}
        )


def test_signed_headers_exact_and_prefix_signed() -> None:
    srv = CannedServer(
        http_response(
            201,
            b'{"case_no":"610900-20261125-000001","status":"received",'
            b'"received_at":"2026-11-25T01:00:00Z"}',
        )
    )
    try:
        c = CentralClient(srv.url + "/api/", TERMINAL_ID, SECRET, clock=lambda: 1795600000.0)
        k = key()
        c.submit({"a": 1}, k)
        head, _, body = srv.requests[0].partition(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        assert lines[0] == "POST /api/v1/submissions HTTP/1.1"
        headers = {n.lower(): v.strip() for n, _, v in (ln.partition(":") for ln in lines[1:])}
        assert body == b'{"a":1}'
        assert headers["x-terminal-id"] == TERMINAL_ID
        assert headers["x-timestamp"] == "1795600000"
        # contract v1.1: the Idempotency-Key is the last line of the signed string
        assert (
            headers["x-signature"]
            == hmac.new(
                SECRET,
                b"POST\n/api/v1/submissions\n1795600000\n"
                + hashlib.sha256(b'{"a":1}').hexdigest().encode()
                + b"\n"
                + k.encode(),
                hashlib.sha256,
            ).hexdigest()
        )
        assert headers["x-signature"] == api.sign(
            SECRET, "POST", "/api/v1/submissions", 1795600000, b'{"a":1}', k
        )
        assert headers["x-signature"] != api.sign(
            SECRET, "POST", "/api/v1/submissions", 1795600000, b'{"a":1}'
        )  # not v1.0
        assert headers["idempotency-key"] == k
    finally:
        srv.close()


def test_refused_connection_is_network_error_without_retry() -> None:
    srv = CannedServer(b"")  # reads the request, then resets the connection
    try:
        c = CentralClient(srv.url, TERMINAL_ID, SECRET)
        with pytest.raises(NetworkError) as ei:
            c.submit({"a": 1}, key())
        assert str(ei.value) == "POST /v1/submissions: ConnectionError: Connection reset by peer"
        assert len(srv.requests) == 1 and srv.connections == 1  # no retry inside the client
    finally:
        srv.close()
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # bound, never listened: nothing listens on this port now
    c = CentralClient(f"http://127.0.0.1:{port}", TERMINAL_ID, SECRET)
    with pytest.raises(NetworkError) as ei:
        c.heartbeat({})
    assert str(ei.value) == "POST /v1/heartbeat: ConnectionError: Connection refused"


def test_read_timeout_is_central_timeout() -> None:
    srv = CannedServer(None)  # never answers
    try:
        c = CentralClient(srv.url, TERMINAL_ID, SECRET, read_timeout_s=0.2)
        t0 = time.monotonic()
        with pytest.raises(CentralTimeout):
            c.rate({"a": 1}, key())
        assert time.monotonic() - t0 < 2
        assert len(srv.requests) == 1
    finally:
        srv.close()


@pytest.mark.parametrize(
    "response, error, check",
    [
        (
            http_response(503, b'{"error":"unavailable","message":"later"}', "Retry-After: 7\r\n"),
            ServerError,
            lambda e: (e.status, e.code, e.retry_after) == (503, "unavailable", 7.0),
        ),
        (
            b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\n<html",
            ServerError,
            lambda e: (e.status, e.code) == (502, "http_error"),
        ),
        (
            http_response(429, b'{"error":"rate_limited","message":"x"}', "Retry-After: 3\r\n"),
            Rejected,
            lambda e: (e.status, e.retry_after) == (429, 3.0),
        ),
        (http_response(201, b'{"case_no":"nope"}'), ProtocolError, lambda e: True),
        (http_response(200, b"not json"), ProtocolError, lambda e: True),
        (
            b"HTTP/1.1 302 Found\r\nLocation: http://evil/\r\nContent-Length: 0\r\n\r\n",
            ProtocolError,
            lambda e: True,
        ),
    ],
)
def test_error_mapping_from_raw_answers(response: bytes, error: type, check) -> None:
    srv = CannedServer(response)
    try:
        c = CentralClient(srv.url, TERMINAL_ID, SECRET)
        with pytest.raises(error) as ei:
            c.submit({"a": 1}, key())
        assert check(ei.value)
        assert len(srv.requests) == 1
    finally:
        srv.close()


def test_bad_base_url_and_embedded_config(tmp_path: Path) -> None:
    from kiosk import config

    with pytest.raises(CentralClientError):
        CentralClient("ftp://x", TERMINAL_ID, SECRET)
    cfg = config.load()  # the demo config: central.url = "embedded"
    with pytest.raises(CentralClientError, match="embedded"):
        CentralClient.from_config(cfg)
    with pytest.raises(CentralClientError, match="cannot read"):
        CentralClient.from_config(
            cfg.model_copy(
                update={
                    "central": cfg.central.model_copy(
                        update={"secret_file": str(tmp_path / "missing")}
                    )
                }
            ),
            base_url="http://127.0.0.1:1",
        )


# -- TLS with a private CA bundle ---------------------------------------------------------------


def _make_ca_and_cert(tmp: Path) -> tuple[Path, Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(2)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    (tmp / "ca.pem").write_bytes(ca.public_bytes(pem))
    (tmp / "cert.pem").write_bytes(cert.public_bytes(pem))
    (tmp / "key.pem").write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return tmp / "ca.pem", tmp / "cert.pem", tmp / "key.pem"


def test_tls_verified_with_ca_bundle_and_refused_without(tmp_path: Path) -> None:
    ca, cert, key_file = _make_ca_and_cert(tmp_path)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key_file)
    srv = CannedServer(http_response(200, b'{"server_time":"2026-11-25T01:00:00Z","commands":[]}'))
    raw_serve = srv._serve

    def tls_serve(conn) -> None:
        try:
            raw_serve(ctx.wrap_socket(conn, server_side=True))
        except (ssl.SSLError, OSError):
            conn.close()

    srv._serve = tls_serve  # type: ignore[method-assign]
    url = f"https://127.0.0.1:{srv.port}"
    try:
        ok = CentralClient(url, TERMINAL_ID, SECRET, ca_bundle=ca)
        assert ok.heartbeat({}).commands == []
        untrusted = CentralClient(url, TERMINAL_ID, SECRET)  # system store: our CA is unknown
        with pytest.raises(NetworkError, match="TLS"):
            untrusted.heartbeat({})
    finally:
        srv.close()


@settings(max_examples=150, deadline=None)
@given(
    value=st.one_of(
        st.none(),
        st.text(max_size=40),
        st.integers(0, 10**6).map(str),
        st.datetimes(
            min_value=dt.datetime(1990, 1, 1),
            max_value=dt.datetime(2100, 1, 1),
            timezones=st.just(dt.UTC),
        ).map(lambda d: email.utils.format_datetime(d, usegmt=True)),
    )
)
def test_retry_after_parser_never_raises(value) -> None:
    now = 1795600000.0
    got = _retry_after(value, now)
    assert got is None or got >= 0
    if value and value.strip().isascii() and value.strip().isdigit():
        assert got == float(value.strip())


def test_retry_after_http_date() -> None:
    now = 1795600000.0
    stamp = email.utils.formatdate(now + 90, usegmt=True)
    assert _retry_after(stamp, now) == pytest.approx(90, abs=1)
    assert _retry_after(email.utils.formatdate(now - 90, usegmt=True), now) == 0
    assert _retry_after("soon", now) is None
    assert _retry_after("²", now) is None  # str.isdigit() is true for it, float() is not
    assert _retry_after(" 12 ", now) == 12.0


# --- QueryResult.values through the client and the session's port --------------------------


def test_query_values_reach_the_session_answer(tmp_path: Path) -> None:
    """The sandbox names the period and status; CentralPort hands them to the receipt."""
    from kiosk.adapters import CentralPort

    sb = Sandbox(tmp_path / "central.sqlite3")  # its own: the shared one gets a catalogue published
    try:
        port = CentralPort(CentralClient(sb.url, TERMINAL_ID, SECRET), None, "610900")
        ans = port.query("SB-PRINT-001", {"_holder": {"id_number": id_number(6), "name": "张三丰"}})
    finally:
        sb.stop()
    assert set(ans.values) == {"period", "status"}
    first, last = ans.rows[0][0], ans.rows[-1][0]  # the months the table covers
    assert ans.values["period"] == f"{first}~{last}"
    assert ans.values["status"] in ("正常缴费", "存在欠缴")


def test_an_older_central_without_values_still_answers() -> None:
    from kiosk.adapters import CentralPort

    body = (
        b'{"case_no":"610900-20261125-000009","item_code":"RS-0101","title":"\xe8\xaf\x81\xe6\x98\x8e",'
        b'"columns":["a"],"rows":[["1"]],"printable":["x","y"]}'
    )
    srv = CannedServer(http_response(200, body))
    try:
        port = CentralPort(CentralClient(srv.url, TERMINAL_ID, SECRET), None, "610900")
        ans = port.query("RS-0101", {"_holder": {"id_number": id_number(7), "name": ""}})
        assert ans.values == {} and ans.rows == (("1",),) and ans.printable_lines == ("x", "y")
    finally:
        srv.close()

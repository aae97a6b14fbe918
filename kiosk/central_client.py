"""Client of the central service API v1 on requests.Session: signed requests, typed errors.

The client never retries by itself (urllib3 retries are off): creating calls are retried by the
outbox worker with their idempotency key, live calls by the citizen. One instance per thread
(requests.Session is not meant to be shared across threads).
"""

from __future__ import annotations

import email.utils
import json
import logging
import re
import socket
import threading
import time
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote, urlsplit

import requests
from pydantic import BaseModel, ValidationError
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.util.retry import Retry

from kiosk import __version__
from kiosk.central_api import (
    CODE_PATH,
    FACE_PATH,
    CaseStatus,
    CodeIdentity,
    DocumentQueryResult,
    DocumentRegistered,
    FaceVerdict,
    HeartbeatReply,
    PaymentOrder,
    PaymentStatus,
    QueryResult,
    RatingAccepted,
    SubmissionAccepted,
    parse_secret,
    signed_headers,
)
from kiosk.central_errors import (
    AuthError,
    CentralClientError,
    CentralTimeout,
    NetworkError,
    ProtocolError,
    Rejected,
    ServerError,
)

if TYPE_CHECKING:
    from kiosk.config import TerminalConfig

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)
Payload = dict[str, Any] | BaseModel


@dataclass(frozen=True)
class CatalogueFetch:
    """Answer of GET /v1/catalogue: 200 with the bundle bytes, or 304 (unchanged)."""

    status: int
    body: bytes
    etag: str | None

    @property
    def changed(self) -> bool:
        """True when a bundle came back (200), False for 304."""
        return self.status == 200


class _Tracker:
    """The connections a client has opened, so that `abort` can cut the one in flight."""

    def __init__(self) -> None:
        self._conns: weakref.WeakSet[HTTPConnection] = weakref.WeakSet()
        self._lock = threading.Lock()

    def add(self, conn: HTTPConnection) -> None:
        with self._lock:
            self._conns.add(conn)

    def shutdown_all(self) -> int:
        with self._lock:
            conns = list(self._conns)
        n = 0
        for conn in conns:
            sock = getattr(conn, "sock", None)
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                    n += 1
                except OSError:
                    pass
        return n


class _TrackingAdapter(HTTPAdapter):
    """HTTPAdapter whose pools use connection classes that register with a _Tracker."""

    def __init__(self, tracker: _Tracker, **kwargs: Any) -> None:
        self._tracker = tracker
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        tracker = self._tracker

        class Conn(HTTPConnection):
            def connect(self) -> None:
                super().connect()
                tracker.add(self)

        class TLSConn(HTTPSConnection):
            def connect(self) -> None:
                super().connect()
                tracker.add(self)

        class Pool(HTTPConnectionPool):
            ConnectionCls = Conn

        class TLSPool(HTTPSConnectionPool):
            ConnectionCls = TLSConn

        self.poolmanager.pool_classes_by_scheme = {"http": Pool, "https": TLSPool}


def encode_body(payload: Payload) -> bytes:
    """Canonical JSON bytes of a payload (sorted keys, compact, UTF-8): same dict, same bytes."""
    if isinstance(payload, BaseModel):
        payload = payload.model_dump(mode="json", exclude_none=True)
    return json.dumps(
        payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False
    ).encode("utf-8")


def _retry_after(value: str | None, now: float) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


class CentralClient:
    """Signed JSON calls to the central service; raises the errors of kiosk.central_errors."""

    def __init__(
        self,
        base_url: str,
        terminal_id: str,
        secret: bytes,
        *,
        connect_timeout_s: float = 3.05,
        read_timeout_s: float = 10.0,
        ca_bundle: str | Path | None = None,
        clock: Callable[[], float] = time.time,
        session: requests.Session | None = None,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise CentralClientError(f"central URL must be http(s)://…, got {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self._prefix = urlsplit(self.base_url).path.rstrip("/")
        self.terminal_id = terminal_id
        self._secret = secret
        self.timeout = (connect_timeout_s, read_timeout_s)
        self.clock = clock
        self.session = session or requests.Session()
        self.session.verify = str(ca_bundle) if ca_bundle else True
        self.session.trust_env = False  # a stray HTTPS_PROXY must not reroute signed traffic
        no_retries = Retry(
            total=0,
            connect=0,
            read=0,
            redirect=0,
            status=0,
            other=0,
            raise_on_status=False,
            raise_on_redirect=False,
        )
        self._tracker = _Tracker()
        adapter = _TrackingAdapter(
            self._tracker, max_retries=no_retries, pool_connections=2, pool_maxsize=4
        )
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers.update(
            {"User-Agent": f"kiosk/{__version__}", "Accept": "application/json"}
        )

    @classmethod
    def from_config(
        cls,
        cfg: TerminalConfig,
        base_url: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> CentralClient:
        """A client set up from the terminal config (base_url overrides central.url)."""
        url = base_url or cfg.central.url
        if url == "embedded":
            raise CentralClientError(
                'central.url is "embedded": start the sandbox and pass its URL'
            )
        secret_path = cfg.resolve(cfg.central.secret_file)
        assert secret_path is not None
        try:
            secret = parse_secret(secret_path.read_text(encoding="ascii"))
        except OSError as exc:
            raise CentralClientError(
                f"{secret_path}: cannot read the terminal secret: {exc.strerror or exc}"
            ) from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise CentralClientError(f"{secret_path}: {exc}") from None
        return cls(
            url,
            cfg.terminal_id,
            secret,
            connect_timeout_s=cfg.central.connect_timeout_s,
            read_timeout_s=cfg.central.read_timeout_s,
            ca_bundle=cfg.resolve(cfg.central.ca_bundle),
            clock=clock,
        )

    def close(self) -> None:
        """Close pooled connections."""
        self.session.close()

    def abort(self) -> int:
        """Cut every open connection, including a request in flight in another thread (which
        then raises NetworkError); used to stop the sync worker at once. Returns how many."""
        return self._tracker.shutdown_all()

    # -- transport ---------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        *,
        idempotency_key: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        """Send one signed request; return the 2xx/304 response or raise a typed error."""
        path_with_query = self._prefix + path
        # contract v1.1: the Idempotency-Key is part of the signed string (signed_headers adds
        # the header too), so a captured request cannot be replayed under a fresh key
        hdrs = signed_headers(
            self.terminal_id,
            self._secret,
            method,
            path_with_query,
            body,
            now=self.clock(),
            idempotency_key=idempotency_key or None,
        )
        if body:
            hdrs["Content-Type"] = "application/json; charset=utf-8"
        if headers:
            hdrs.update(headers)
        url = self.base_url + path
        try:
            resp = self.session.request(
                method,
                url,
                data=body or None,
                headers=hdrs,
                timeout=self.timeout,
                allow_redirects=False,
            )
        except (requests.ConnectTimeout, requests.ReadTimeout) as exc:
            raise CentralTimeout(f"{method} {path}: timed out ({exc.__class__.__name__})") from None
        except requests.exceptions.SSLError as exc:
            raise NetworkError(f"{method} {path}: TLS failure: {_short(exc)}") from None
        except requests.RequestException as exc:
            raise NetworkError(
                f"{method} {path}: {exc.__class__.__name__}: {_short(exc)}"
            ) from None
        if 200 <= resp.status_code < 300 or resp.status_code == 304:
            return resp
        raise self._error(resp)

    def _error(self, resp: requests.Response) -> CentralClientError:
        status = resp.status_code
        code, message = "http_error", resp.reason or ""
        try:
            data = resp.json()
            if isinstance(data, dict):
                code = str(data.get("error") or code)[:64]
                message = str(data.get("message") or message)[:300]
        except ValueError:
            pass
        retry_after = _retry_after(resp.headers.get("Retry-After"), self.clock())
        if status == 401:
            return AuthError(status, code, message)
        if 400 <= status < 500:
            return Rejected(status, code, message, retry_after)
        if status >= 500:
            return ServerError(status, code, message, retry_after)
        return ProtocolError(f"unexpected HTTP {status} from central")

    def _call(
        self,
        model: type[M],
        method: str,
        path: str,
        payload: Payload | None = None,
        idempotency_key: str | None = None,
    ) -> M:
        body = encode_body(payload) if payload is not None else b""
        resp = self.request(method, path, body, idempotency_key=idempotency_key)
        try:
            return model.model_validate_json(resp.content)
        except ValidationError as exc:
            raise ProtocolError(
                f"{method} {path}: answer is not a valid {model.__name__} "
                f"({exc.error_count()} problem(s))"
            ) from None

    # -- API -----------------------------------------------------------------------------------

    def submit(self, payload: Payload, idempotency_key: str) -> SubmissionAccepted:
        """POST /v1/submissions (201 {case_no, status, received_at}); a bundle (issue 23:
        `bundle_code`) is answered with BundleAccepted, each item's result kept."""
        if isinstance(payload, dict) and "bundle_code" in payload:
            from kiosk.central_api import BundleAccepted

            return self._call(
                BundleAccepted,
                "POST",
                "/v1/submissions",
                payload,  # type: ignore[return-value]
                idempotency_key,
            )
        return self._call(SubmissionAccepted, "POST", "/v1/submissions", payload, idempotency_key)

    def rate(self, payload: Payload, idempotency_key: str) -> RatingAccepted:
        """POST /v1/ratings (201)."""
        return self._call(RatingAccepted, "POST", "/v1/ratings", payload, idempotency_key)

    def query(
        self, item_code: str, payload: Payload, idempotency_key: str | None = None
    ) -> QueryResult:
        """POST /v1/queries/{item_code}: a live query (not retried: the citizen is waiting);
        a print item's answer carries its issued document (DocumentQueryResult). A fresh
        Idempotency-Key per query (v1.1): a replayed request gets the first answer, no new case."""
        return self._call(
            DocumentQueryResult,
            "POST",
            f"/v1/queries/{quote(item_code, safe='')}",
            payload,
            idempotency_key or str(uuid.uuid4()),
        )

    def register_document(self, code: str, sha256: str, pages: int) -> DocumentRegistered:
        """PUT /v1/documents/{code}/digest: the rendered PDF's SHA-256, before printing it."""
        return self._call(
            DocumentRegistered,
            "PUT",
            f"/v1/documents/{quote(code, safe='')}/digest",
            {"sha256": sha256, "pages": pages},
        )

    def case(self, case_no: str) -> CaseStatus:
        """GET /v1/cases/{case_no}: progress of a case."""
        return self._call(CaseStatus, "GET", f"/v1/cases/{quote(case_no, safe='')}")

    def heartbeat(self, payload: Payload) -> HeartbeatReply:
        """POST /v1/heartbeat: health report; the reply may carry commands."""
        return self._call(HeartbeatReply, "POST", "/v1/heartbeat", payload)

    def verify_face(self, payload: Payload) -> FaceVerdict:
        """POST /v1/identity/face: 人证比对 of a live frame (never retried, never queued)."""
        return self._call(FaceVerdict, "POST", FACE_PATH, payload)

    def identify_code(self, code: str, kind: str | None = None) -> CodeIdentity:
        """POST /v1/identity/code: who a scanned app code belongs to (never retried: one use)."""
        payload: dict[str, Any] = {"code": code}
        if kind:
            payload["kind"] = kind
        return self._call(CodeIdentity, "POST", CODE_PATH, payload)

    def catalogue(self, etag: str | None = None) -> CatalogueFetch:
        """GET /v1/catalogue with If-None-Match; 304 when unchanged."""
        headers = {"If-None-Match": etag} if etag else None
        resp = self.request("GET", "/v1/catalogue", headers=headers)
        if resp.status_code == 304:
            return CatalogueFetch(304, b"", resp.headers.get("ETag") or etag)
        if resp.status_code != 200 or not resp.content:
            raise ProtocolError(f"GET /v1/catalogue: unexpected HTTP {resp.status_code}")
        return CatalogueFetch(200, resp.content, resp.headers.get("ETag"))

    # -- payments (v1, additive) ---------------------------------------------------------------

    def create_payment(self, payload: Payload, idempotency_key: str) -> PaymentOrder:
        """POST /v1/payments (201 order: amount, breakdown, QR, expiry)."""
        return self._call(PaymentOrder, "POST", "/v1/payments", payload, idempotency_key)

    def payment(self, order_no: str) -> PaymentStatus:
        """GET /v1/payments/{order_no}."""
        return self._call(PaymentStatus, "GET", f"/v1/payments/{quote(order_no, safe='')}")

    def pay_code(self, order_no: str, code: str) -> PaymentStatus:
        """POST /v1/payments/{order_no}/pay-code (the 付款码 is sent, never logged or kept)."""
        return self._call(
            PaymentStatus,
            "POST",
            f"/v1/payments/{quote(order_no, safe='')}/pay-code",
            {"code": code},
        )

    def cancel_payment(self, order_no: str) -> PaymentStatus:
        """POST /v1/payments/{order_no}/cancel (Rejected 409 already_paid when paid first)."""
        return self._call(PaymentStatus, "POST", f"/v1/payments/{quote(order_no, safe='')}/cancel")


_ERRNO_RE = re.compile(r"\[Errno -?\d+\] ([^'\")\]]+)")
_OSERROR_RE = re.compile(r"\w+Error\(-?\d+, '([^']+)'\)")
_REASON_RE = re.compile(r"\w+\('([^']+)'\)")


def _short(exc: BaseException) -> str:
    """The root cause of a requests/urllib3 error in a few words (not "Max retries exceeded")."""
    text = str(exc)
    for pattern in (_ERRNO_RE, _OSERROR_RE, _REASON_RE):
        m = pattern.search(text)
        if m:
            return m.group(1).strip()
    return text if len(text) <= 160 else text[:160] + "…"

"""Fixtures: the reference service on 127.0.0.1 (uvicorn in a thread) with a controllable clock,
over each storage engine: a SQLite file and a database in a throw-away PostgreSQL cluster."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from central.server import ServerHandle, run_in_thread
from central.storage import Storage
from kiosk import central_api as api
from kiosk.catalogue.signing import sign_catalogue
from tests._postgres import ENGINES, Postgres, new_db  # noqa: F401  (Postgres: re-exported for tests)

TERMINAL_ID = "T-0001"
KEY_ID = "test-2026"
ID_NUMBER = "11010519491231002X"
OTHER_ID = "360426199101010071"


class Clock:
    """Server clock = real time + offset (tests move it)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


class Terminal:
    """A terminal client that signs every request like the real one must."""

    def __init__(self, url: str, terminal_id: str, secret: bytes, clock: Clock) -> None:
        self.url = url
        self.terminal_id = terminal_id
        self.secret = secret
        self.clock = clock
        self.session = requests.Session()

    def call(
        self,
        method: str,
        path: str,
        obj: Any = None,
        *,
        key: str | None = None,
        raw: bytes | None = None,
        now: float | None = None,
        sign_path: str | None = None,
        headers: dict[str, str] | None = None,
        v1: bool = False,
    ) -> requests.Response:
        """A signed request: v1.1 (the key signed) unless `v1` (a terminal before v1.1)."""
        body = (
            raw
            if raw is not None
            else (b"" if obj is None else json.dumps(obj, ensure_ascii=False).encode())
        )
        hdrs = api.signed_headers(
            self.terminal_id,
            self.secret,
            method,
            sign_path or path,
            body,
            now=self.clock() if now is None else now,
            idempotency_key=None if v1 else key,
        )
        hdrs["Content-Type"] = "application/json"
        if key is not None:
            hdrs[api.HEADER_IDEMPOTENCY_KEY] = key
        hdrs.update(headers or {})
        return self.session.request(method, self.url + path, data=body, headers=hdrs, timeout=10)

    def submit(
        self, item_code: str = "SB-APPLY-001", *, key: str | None = None, **extra: Any
    ) -> requests.Response:
        return self.call(
            "POST", "/v1/submissions", submission(item_code, **extra), key=key or str(uuid.uuid4())
        )

    def rate(
        self,
        case_no: str,
        level: str = "满意",
        tags: list[str] | None = None,
        item_code: str = "SB-APPLY-001",
        *,
        key: str | None = None,
        **extra: Any,
    ) -> requests.Response:
        body = {
            "case_no": case_no,
            "item_code": item_code,
            "level": level,
            "tags": tags or [],
            **extra,
        }
        return self.call("POST", "/v1/ratings", body, key=key or str(uuid.uuid4()))

    def heartbeat(self, catalogue_version: int = 0, **extra: Any) -> requests.Response:
        body = {
            "devices": {"printer": {"status": "ok"}, "idcard": {"status": "ok"}},
            "catalogue_version": catalogue_version,
            "outbox_depth": 0,
            "app_version": "0.1.0",
            "uptime_s": 12.5,
            **extra,
        }
        return self.call("POST", "/v1/heartbeat", body)


def submission(item_code: str = "SB-APPLY-001", **extra: Any) -> dict[str, Any]:
    """A valid submission body."""
    return {
        "item_code": item_code,
        "region_code": "610900",
        "applicant": {"id_number": ID_NUMBER, "name": "张三"},
        "fields": {"phone": "13800138000", "reason": "退休"},
        **extra,
    }


def catalogue_dict(
    version: int, *, expires: datetime | None = None, tags: tuple[str, ...] = ("slow", "rude")
) -> dict[str, Any]:
    """A small valid catalogue (kiosk.catalogue schema) with one query, one print, one apply item."""
    now = datetime.now(UTC)
    common = {
        "department_zh": "人社局",
        "department_en": "HRSS",
        "category": "social",
        "auth": "id_card",
        "devices": ["idcard"],
    }
    return {
        "format": 1,
        "version": version,
        "issued_at": (now - timedelta(days=1)).isoformat(),
        "expires_at": (expires or now + timedelta(days=365)).isoformat(),
        "rating_tags": [{"code": t, "zh": f"标签{t}", "en": t} for t in tags],
        "items": [
            {
                "code": "SB-QUERY-001",
                "name_zh": "社保缴费明细查询",
                "name_en": "Contributions",
                "kind": "query",
                "order": 1,
                **common,
            },
            {
                "code": "SB-APPLY-001",
                "name_zh": "养老待遇资格认证",
                "name_en": "Pension check",
                "kind": "apply",
                "order": 2,
                **common,
            },
            {
                "code": "GJJ-QUERY-009",
                "name_zh": "公积金缴存明细查询",
                "name_en": "Housing fund",
                "kind": "query",
                "order": 3,
                **common,
            },
        ],
    }


def bundle_bytes(key: Ed25519PrivateKey, version: int, key_id: str = KEY_ID, **kw: Any) -> bytes:
    """A signed bundle as bytes."""
    return json.dumps(
        sign_catalogue(catalogue_dict(version, **kw), key, key_id), ensure_ascii=False
    ).encode()


@dataclass
class Service:
    """A running service plus everything needed to talk to it."""

    handle: ServerHandle
    db: Path | str
    clock: Clock
    terminal: Terminal
    secret: bytes
    token: str
    key: Ed25519PrivateKey

    @property
    def url(self) -> str:
        return self.handle.url

    def publish(self, body: bytes, token: str | None = None) -> requests.Response:
        return requests.put(
            self.url + "/v1/admin/catalogue",
            data=body,
            timeout=10,
            headers={
                "Authorization": f"Bearer {token or self.token}",
                "Content-Type": "application/json",
            },
        )

    def admin(self, path: str, token: str | None = None) -> requests.Response:
        return requests.get(
            self.url + path, timeout=10, headers={"Authorization": f"Bearer {token or self.token}"}
        )

    def restart(self) -> None:
        """Stop and start again on the same database file (new port)."""
        self.handle.stop()
        self.handle = run_in_thread(self.db, clock=self.clock)
        self.terminal = Terminal(self.handle.url, TERMINAL_ID, self.secret, self.clock)


def seed(db: Path | str) -> tuple[bytes, str, Ed25519PrivateKey]:
    """Register the test terminal, a staff token and a trusted key; (secret, token, key)."""
    store = Storage(db)
    now = time.time()
    secret = store.add_terminal(TERMINAL_ID, None, now)
    token = store.add_token("tester", now)
    key = Ed25519PrivateKey.generate()
    store.add_trusted_key(
        KEY_ID,
        key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw),
        now,
    )
    store.close()
    return secret, token, key


@pytest.fixture(params=ENGINES)
def central_db(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path | str:
    """A new service database on each engine in turn."""
    return new_db(request.param, tmp_path, request, monkeypatch)


@pytest.fixture
def service(central_db: Path | str) -> Iterator[Service]:
    """A fresh service with one terminal, one staff token and one trusted key."""
    db = central_db
    secret, token, key = seed(db)
    clock = Clock()
    handle = run_in_thread(db, clock=clock)
    svc = Service(
        handle, db, clock, Terminal(handle.url, TERMINAL_ID, secret, clock), secret, token, key
    )
    try:
        yield svc
    finally:
        svc.handle.stop()

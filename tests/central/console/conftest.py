"""Fixtures: the central service with console accounts, and a form-speaking HTTP client."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import pytest
import requests

from central.console import accounts
from central.console.store import ConsoleStore
from tests.central.conftest import Service

PASSWORDS = {
    "admin": "admin-pass-2026",
    "pub": "publisher-pass-2026",
    "rater": "rating-pass-2026",
    "viewer": "viewer-pass-2026",
}
ROLES = {"admin": "admin", "pub": "publisher", "rater": "rating", "viewer": "viewer"}
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


class Staff:
    """A browser-like HTTP client: keeps cookies, reads CSRF tokens from the forms it loads."""

    def __init__(self, url: str) -> None:
        self.url = url + "/console"
        self.http = requests.Session()
        self.csrf = ""

    def get(self, path: str, **kw: object) -> requests.Response:
        r = self.http.get(self.url + path, timeout=10, allow_redirects=False, **kw)  # type: ignore[arg-type]
        m = CSRF_RE.search(r.text)
        if m:
            self.csrf = m.group(1)
        return r

    def post(
        self, path: str, data: dict[str, str] | None = None, csrf: bool = True
    ) -> requests.Response:
        fields = dict(data or {})
        if csrf:
            fields.setdefault("csrf", self.csrf)
        return self.http.post(self.url + path, data=fields, timeout=10, allow_redirects=False)

    def login(self, name: str, password: str | None = None) -> requests.Response:
        self.get("/login")
        return self.post("/login", {"name": name, "password": password or PASSWORDS[name]})


@dataclass
class Console:
    """The service plus its console database handle."""

    service: Service
    store: ConsoleStore

    def staff(self) -> Staff:
        return Staff(self.service.url)

    def signed_in(self, name: str) -> Staff:
        s = self.staff()
        r = s.login(name)
        assert r.status_code == 303, r.text
        s.get("/")
        return s


@pytest.fixture
def console(service: Service) -> Console:
    """Four accounts, one per role."""
    store = ConsoleStore(service.db)
    with store.transaction() as db:
        for name, role in ROLES.items():
            accounts.add_account(db, name, role, PASSWORDS[name], time.time())
    try:
        yield Console(service, store)  # type: ignore[misc]
    finally:
        store.close()


class _Rows(list):  # type: ignore[type-arg]
    def fetchone(self):  # type: ignore[no-untyped-def]
        return tuple(self[0]) if self else None

    def fetchall(self):  # type: ignore[no-untyped-def]
        return [tuple(r) for r in self]


class SqlDb:
    """Read-only SQL on the service database, SQLite or PostgreSQL (what a DBA would check)."""

    def __init__(self, db: object) -> None:
        from central.console.store import engine_for

        self.engine = engine_for(db)  # type: ignore[arg-type]

    def execute(self, sql: str) -> _Rows:
        try:
            with self.engine.connect() as c:
                return _Rows(tuple(r) for r in c.exec_driver_sql(sql).fetchall())
        finally:
            self.engine.dispose()  # no pooled connection left behind (ResourceWarning)


def sql_db(db: object) -> SqlDb:
    """SqlDb on a Service's `db` (a SQLite path or a postgresql:// URL)."""
    return SqlDb(db)

"""Browser sessions of signed-in staff: random cookie tokens stored hashed, one CSRF token each."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select

from central.console.accounts import Staff, account
from central.console.tables import console_sessions

COOKIE = "console_session"
LOGIN_COOKIE = "console_login"
"""Double-submit cookie of the login form (there is no session yet to hold its CSRF token)."""
LIFETIME_S = 8 * 3600.0


@dataclass(frozen=True)
class Session:
    """A live session: who, and the CSRF token its forms must carry."""

    staff: Staff
    csrf: str
    expires_at: float


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A fresh unguessable token (cookies, CSRF)."""
    return secrets.token_urlsafe(32)


def open_session(db: Connection, staff: Staff, now: float) -> tuple[str, Session]:
    """Start a session; returns the cookie value (kept only as a hash here) and the session."""
    token = new_token()
    csrf = new_token()
    db.execute(delete(console_sessions).where(console_sessions.c.expires_at <= now))
    db.execute(
        insert(console_sessions).values(
            token_hash=_hash(token),
            name=staff.name,
            csrf=csrf,
            created_at=now,
            expires_at=now + LIFETIME_S,
        )
    )
    return token, Session(staff, csrf, now + LIFETIME_S)


def find_session(db: Connection, token: str | None, now: float) -> Session | None:
    """The live session of a cookie value, or None (unknown, expired, or account disabled)."""
    if not token or len(token) > 100:
        return None
    row = (
        db.execute(select(console_sessions).where(console_sessions.c.token_hash == _hash(token)))
        .mappings()
        .first()
    )
    if row is None or row["expires_at"] <= now:
        return None
    staff = account(db, row["name"])
    if staff is None:
        return None
    return Session(staff, row["csrf"], row["expires_at"])


def close_session(db: Connection, token: str | None) -> None:
    """End a session (logout): the cookie value stops working at once."""
    if token:
        db.execute(delete(console_sessions).where(console_sessions.c.token_hash == _hash(token)))


def close_sessions_of(db: Connection, name: str) -> int:
    """End every session of an account (disabled, password changed); returns how many."""
    return db.execute(delete(console_sessions).where(console_sessions.c.name == name)).rowcount


def csrf_ok(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison of a form's CSRF field with the expected token."""
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))

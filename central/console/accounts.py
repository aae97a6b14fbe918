"""Staff accounts: roles, argon2id password hashes, lockout that doubles after failed logins."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from enum import Enum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Connection, insert, select, update

from central.console.errors import AccountError
from central.console.tables import staff_accounts

log = logging.getLogger(__name__)

NAME_RE = re.compile(r"^[a-z][a-z0-9_.-]{1,39}$")
MIN_PASSWORD = 10
FREE_ATTEMPTS = 5
"""Failed logins allowed before the account locks."""
FIRST_LOCK_S = 30.0
MAX_LOCK_S = 24 * 3600.0

# argon2id with RFC 9106's second recommended profile (64 MiB, 3 passes): memory-hard, ~50 ms here.
_hasher = PasswordHasher()


class Permission(str, Enum):
    """What a page or form needs."""

    VIEW = "view"
    PUBLISH = "publish"
    RATINGS = "ratings"
    ADMIN = "admin"


class Role(str, Enum):
    """A staff member's role; permissions are fixed per role."""

    ADMIN = "admin"
    PUBLISHER = "publisher"
    RATING = "rating"
    VIEWER = "viewer"

    @property
    def label(self) -> str:
        """The role's Chinese name."""
        return _LABELS[self]

    def allows(self, permission: Permission) -> bool:
        """True when this role may do what `permission` guards."""
        return permission in _GRANTS[self]


_LABELS = {
    Role.ADMIN: "管理员",
    Role.PUBLISHER: "目录发布员",
    Role.RATING: "好差评专员",
    Role.VIEWER: "只读查看",
}
_GRANTS = {
    Role.ADMIN: frozenset(Permission),
    Role.PUBLISHER: frozenset({Permission.VIEW, Permission.PUBLISH}),
    Role.RATING: frozenset({Permission.VIEW, Permission.RATINGS}),
    Role.VIEWER: frozenset({Permission.VIEW}),
}


@dataclass(frozen=True)
class Staff:
    """A signed-in staff member."""

    name: str
    role: Role


@dataclass(frozen=True)
class LoginResult:
    """Outcome of a login attempt: the staff member, or why not (for the audit log only)."""

    staff: Staff | None
    reason: str = ""
    locked_for_s: float = 0.0


def lock_seconds(failed: int) -> float:
    """How long an account stays locked after `failed` consecutive failures (0: not locked)."""
    if failed < FREE_ATTEMPTS:
        return 0.0
    return min(MAX_LOCK_S, FIRST_LOCK_S * 2 ** (failed - FREE_ATTEMPTS))


def add_account(db: Connection, name: str, role: Role | str, password: str, now: float) -> Staff:
    """Create a staff account; the password is stored only as an argon2id hash."""
    if not NAME_RE.fullmatch(name):
        raise AccountError("name: 2–40 of a-z 0-9 _ . -, starting with a letter")
    try:
        role = Role(role)
    except ValueError:
        raise AccountError(f"role must be one of {', '.join(r.value for r in Role)}") from None
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password: at least {MIN_PASSWORD} characters")
    if db.execute(select(staff_accounts.c.name).where(staff_accounts.c.name == name)).first():
        raise AccountError(f"{name}: account exists")
    db.execute(
        insert(staff_accounts).values(
            name=name,
            password_hash=_hasher.hash(password),
            role=role.value,
            created_at=now,
            failed_logins=0,
            locked_until=0.0,
            disabled=0,
        )
    )
    return Staff(name, role)


def check_login(db: Connection, name: str, password: str, now: float) -> LoginResult:
    """Verify a password; count failures and lock the account (doubling) after FREE_ATTEMPTS."""
    row = db.execute(select(staff_accounts).where(staff_accounts.c.name == name)).mappings().first()
    if row is None:
        # Same work as a real check, so timing does not tell which names exist.
        try:
            _hasher.verify(_DUMMY_HASH, password)
        except VerificationError:
            pass
        return LoginResult(None, "unknown_account")
    if row["disabled"]:
        return LoginResult(None, "disabled")
    if row["locked_until"] > now:
        return LoginResult(None, "locked", row["locked_until"] - now)
    try:
        _hasher.verify(row["password_hash"], password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        failed = row["failed_logins"] + 1
        lock = lock_seconds(failed)
        db.execute(
            update(staff_accounts)
            .where(staff_accounts.c.name == name)
            .values(failed_logins=failed, locked_until=now + lock if lock else 0.0)
        )
        return LoginResult(None, "locked_now" if lock else "bad_password", lock)
    values: dict[str, object] = {"failed_logins": 0, "locked_until": 0.0}
    if _hasher.check_needs_rehash(row["password_hash"]):
        values["password_hash"] = _hasher.hash(password)
    db.execute(update(staff_accounts).where(staff_accounts.c.name == name).values(**values))
    return LoginResult(Staff(name, Role(row["role"])))


def account(db: Connection, name: str) -> Staff | None:
    """The enabled account called `name`, or None."""
    row = db.execute(
        select(staff_accounts.c.role).where(
            staff_accounts.c.name == name, staff_accounts.c.disabled == 0
        )
    ).first()
    return Staff(name, Role(row[0])) if row else None


def accounts(db: Connection) -> list[dict[str, object]]:
    """Every account (no hashes) for the admin page and `kiosk central staff list`."""
    cols = [
        staff_accounts.c[k]
        for k in ("name", "role", "created_at", "failed_logins", "locked_until", "disabled")
    ]
    return [dict(r) for r in db.execute(select(*cols).order_by(staff_accounts.c.name)).mappings()]


def set_disabled(db: Connection, name: str, disabled: bool) -> None:
    """Disable (or enable again) an account; raises AccountError when it does not exist."""
    res = db.execute(
        update(staff_accounts).where(staff_accounts.c.name == name).values(disabled=int(disabled))
    )
    if res.rowcount != 1:
        raise AccountError(f"{name}: no such account")


_DUMMY_HASH = _hasher.hash("not a password of anyone")

"""The payments table: orders for `pay` items (inside the caller's transaction)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy import insert as sa_insert
from sqlalchemy import update as sa_update

from central.storage import schema as t
from central.storage.store import Storage, bounded

COLUMNS = (
    "order_no",
    "terminal_id",
    "item_code",
    "region_code",
    "amount_fen",
    "items",
    "payee_zh",
    "status",
    "created_at",
    "expires_at",
    "paid_at",
    "channel",
    "payer_app",
    "einvoice_no",
    "check_code",
    "refunded_at",
    "closed_reason",
    "failure_code",
    "failure_message",
    "notifications",
)


@dataclass(frozen=True)
class OrderRow:
    """One order as stored."""

    order_no: str
    terminal_id: str
    item_code: str
    region_code: str
    amount_fen: int
    items: list[dict[str, Any]]
    payee_zh: str
    status: str
    created_at: float
    expires_at: float
    paid_at: float | None
    channel: str | None
    payer_app: str | None
    einvoice_no: str | None
    check_code: str | None
    refunded_at: float | None
    closed_reason: str | None
    failure_code: str | None
    failure_message: str | None
    notifications: int


def _row(r: Any) -> OrderRow | None:
    if r is None:
        return None
    d = dict(r._mapping)
    d["items"] = json.loads(d["items"])
    return OrderRow(**d)


def _select() -> Any:
    return select(*(t.payments.c[c] for c in COLUMNS))


def insert_order(
    db: Connection,
    *,
    order_no: str,
    terminal_id: str,
    item_code: str,
    region_code: str,
    amount_fen: int,
    items: list[dict[str, Any]],
    payee_zh: str,
    created_at: float,
    expires_at: float,
) -> None:
    """A new unpaid order (inside the caller's transaction)."""
    bounded(amount_fen=amount_fen)
    db.execute(
        sa_insert(t.payments).values(
            order_no=order_no,
            terminal_id=terminal_id,
            item_code=item_code,
            region_code=region_code,
            amount_fen=amount_fen,
            items=json.dumps(items, ensure_ascii=False),
            payee_zh=payee_zh,
            status="unpaid",
            created_at=created_at,
            expires_at=expires_at,
        )
    )


insert = insert_order  # the old module's name (central.payment_store.insert)


def get(db: Connection, order_no: str) -> OrderRow | None:
    """The order, or None (FOR UPDATE on PostgreSQL: a status change follows)."""
    stmt = _select().where(t.payments.c.order_no == order_no)
    if db.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return _row(db.execute(stmt).first())


def by_einvoice(db: Connection, einvoice_no: str) -> OrderRow | None:
    """The order an e-invoice was issued for, or None."""
    return _row(db.execute(_select().where(t.payments.c.einvoice_no == einvoice_no)).first())


def update(db: Connection, order_no: str, **values: Any) -> None:
    """Set columns of one order (names from COLUMNS only)."""
    bad = set(values) - set(COLUMNS)
    if bad:
        raise ValueError(f"unknown payment columns {sorted(bad)}")
    db.execute(sa_update(t.payments).where(t.payments.c.order_no == order_no).values(**values))


def einvoice_sequence(db: Connection) -> int:
    """The next e-invoice serial (1, 2, …)."""
    if db.dialect.name == "postgresql":  # count-then-insert: one issuer at a time
        db.execute(select(func.pg_advisory_xact_lock(0x65696E76)))
    n = db.execute(
        select(func.count()).select_from(t.payments).where(t.payments.c.einvoice_no.is_not(None))
    ).scalar_one()
    return int(n) + 1


def add_event(db: Connection, case_no: str, status: str, at: float, note: str) -> None:
    """A case event for an order (kept as is when that status is already recorded)."""
    Storage.insert_events(db, case_no, [(status, at, note)])

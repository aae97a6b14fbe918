"""The payments table of the reference service (DDL and queries; Storage creates it)."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

DDL = """
CREATE TABLE IF NOT EXISTS payments (
    order_no TEXT PRIMARY KEY REFERENCES cases(case_no),
    terminal_id TEXT NOT NULL,
    item_code TEXT NOT NULL,
    region_code TEXT NOT NULL,
    amount_fen INTEGER NOT NULL CHECK (amount_fen >= 0),
    items TEXT NOT NULL,
    payee_zh TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('unpaid', 'paid', 'closed', 'refunded')),
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    paid_at REAL,
    channel TEXT,
    payer_app TEXT,
    einvoice_no TEXT UNIQUE,
    check_code TEXT,
    refunded_at REAL,
    closed_reason TEXT,
    failure_code TEXT,
    failure_message TEXT,
    notifications INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS payments_einvoice ON payments(einvoice_no);
"""

COLUMNS = ("order_no", "terminal_id", "item_code", "region_code", "amount_fen", "items",
           "payee_zh", "status", "created_at", "expires_at", "paid_at", "channel", "payer_app",
           "einvoice_no", "check_code", "refunded_at", "closed_reason", "failure_code",
           "failure_message", "notifications")


def create(db: sqlite3.Connection) -> None:
    """Create the payments table (idempotent)."""
    db.executescript(DDL)


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


def _row(t: tuple[Any, ...] | None) -> OrderRow | None:
    if t is None:
        return None
    d = dict(zip(COLUMNS, t))
    d["items"] = json.loads(d["items"])
    return OrderRow(**d)


def insert(db: sqlite3.Connection, *, order_no: str, terminal_id: str, item_code: str,
           region_code: str, amount_fen: int, items: list[dict[str, Any]], payee_zh: str,
           created_at: float, expires_at: float) -> None:
    """A new unpaid order (inside the caller's transaction)."""
    db.execute("INSERT INTO payments (order_no, terminal_id, item_code, region_code, amount_fen, "
               "items, payee_zh, status, created_at, expires_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
               (order_no, terminal_id, item_code, region_code, amount_fen,
                json.dumps(items, ensure_ascii=False), payee_zh, "unpaid", created_at, expires_at))


def get(db: sqlite3.Connection, order_no: str) -> OrderRow | None:
    """The order, or None."""
    return _row(db.execute(f"SELECT {', '.join(COLUMNS)} FROM payments WHERE order_no = ?",
                           (order_no,)).fetchone())


def by_einvoice(db: sqlite3.Connection, einvoice_no: str) -> OrderRow | None:
    """The order an e-invoice was issued for, or None."""
    return _row(db.execute(f"SELECT {', '.join(COLUMNS)} FROM payments WHERE einvoice_no = ?",
                           (einvoice_no,)).fetchone())


def update(db: sqlite3.Connection, order_no: str, **values: Any) -> None:
    """Set columns of one order (names from COLUMNS only)."""
    bad = set(values) - set(COLUMNS)
    if bad:
        raise ValueError(f"unknown payment columns {sorted(bad)}")
    sets = ", ".join(f"{k} = ?" for k in values)
    db.execute(f"UPDATE payments SET {sets} WHERE order_no = ?", (*values.values(), order_no))


def einvoice_sequence(db: sqlite3.Connection) -> int:
    """The next e-invoice serial (1, 2, …)."""
    row = db.execute("SELECT COUNT(*) FROM payments WHERE einvoice_no IS NOT NULL").fetchone()
    return int(row[0]) + 1

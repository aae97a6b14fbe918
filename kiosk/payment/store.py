"""Durable table of this terminal's orders (SQLite, WAL, synchronous=FULL, file 0600).

An order is written here before its QR is shown and stays until central says it is closed or
refunded, or it is paid and its receipt printed. Nothing personal is stored: no ID number, no
name, no 付款码 — only what the paid receipt needs (payee, amount, lines, e-invoice).
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.payment.errors import PaymentError

log = logging.getLogger(__name__)

FILE_NAME = "payments.sqlite3"
"""The table's file in the terminal's data directory."""
OPEN = ("unpaid", "paid")
"""States re-checked with central (paid: until its receipt printed)."""

DDL = """
CREATE TABLE IF NOT EXISTS orders (
    order_no TEXT PRIMARY KEY,
    item_code TEXT NOT NULL,
    amount_fen INTEGER NOT NULL,
    items TEXT NOT NULL,
    payee_zh TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    paid_at REAL,
    channel TEXT,
    payer_app TEXT,
    einvoice_no TEXT,
    einvoice_url TEXT,
    printed INTEGER NOT NULL DEFAULT 0,
    leave_wanted INTEGER NOT NULL DEFAULT 0,
    checked_at REAL
);
"""
COLS = (
    "order_no",
    "item_code",
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
    "einvoice_url",
    "printed",
    "leave_wanted",
    "checked_at",
)


@dataclass(frozen=True)
class StoredOrder:
    """One order as this terminal last knew it."""

    order_no: str
    item_code: str
    amount_fen: int
    items: tuple[tuple[str, str, int], ...]
    payee_zh: str
    status: str
    created_at: float
    expires_at: float
    paid_at: float | None = None
    channel: str | None = None
    payer_app: str | None = None
    einvoice_no: str | None = None
    einvoice_url: str | None = None
    printed: bool = False
    leave_wanted: bool = False
    """The session that created it is gone: an unpaid order must be cancelled."""
    checked_at: float | None = None


class PaymentStoreError(PaymentError):
    """The payments table cannot be opened or written."""


class PaymentStore:
    """The orders table; thread-safe (one connection, one lock)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not self.path.exists():
                os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
            self._db = sqlite3.connect(
                str(self.path), check_same_thread=False, isolation_level=None, timeout=10
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(DDL)
            os.chmod(self.path, 0o600)
        except (OSError, sqlite3.Error) as exc:
            raise PaymentStoreError(f"{self.path}: cannot open the payments table: {exc}") from None

    @classmethod
    def from_config(cls, cfg: Any) -> PaymentStore:
        """The table in the terminal's data directory."""
        return cls(Path(cfg.resolve(FILE_NAME, base="data")))

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise PaymentStoreError(f"{self.path}: {exc}") from None
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def add(self, o: StoredOrder) -> None:
        """Record a new order (before its QR is shown); an existing row is kept."""
        items = json.dumps([list(x) for x in o.items], ensure_ascii=False)
        with self._tx() as db:
            db.execute(
                "INSERT OR IGNORE INTO orders (order_no, item_code, amount_fen, items, "
                "payee_zh, status, created_at, expires_at) VALUES (?,?,?,?,?,?,?,?)",
                (
                    o.order_no,
                    o.item_code,
                    o.amount_fen,
                    items,
                    o.payee_zh,
                    o.status,
                    o.created_at,
                    o.expires_at,
                ),
            )

    def update(self, order_no: str, **values: Any) -> None:
        """Set columns of one order."""
        bad = set(values) - set(COLS)
        if bad:
            raise ValueError(f"unknown columns {sorted(bad)}")
        with self._tx() as db:
            db.execute(
                f"UPDATE orders SET {', '.join(k + ' = ?' for k in values)} WHERE order_no = ?",
                (*values.values(), order_no),
            )

    def get(self, order_no: str) -> StoredOrder | None:
        """The order, or None."""
        with self._lock:
            row = self._db.execute(
                f"SELECT {', '.join(COLS)} FROM orders WHERE order_no = ?", (order_no,)
            ).fetchone()
        return _order(row)

    def unfinished(self) -> list[StoredOrder]:
        """Orders to re-check: unpaid, or paid with the receipt not yet printed."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {', '.join(COLS)} FROM orders WHERE status = 'unpaid' "
                "OR (status = 'paid' AND printed = 0) ORDER BY created_at"
            ).fetchall()
        return [o for o in map(_order, rows) if o is not None]

    def purge(self, before: float) -> int:
        """Drop finished orders created before `before` (closed, refunded, paid and printed)."""
        with self._tx() as db:
            cur = db.execute(
                "DELETE FROM orders WHERE created_at < ? AND (status IN "
                "('closed', 'refunded') OR (status = 'paid' AND printed = 1))",
                (before,),
            )
            return cur.rowcount

    def all(self) -> list[StoredOrder]:
        """Every order held (newest first)."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {', '.join(COLS)} FROM orders ORDER BY created_at DESC"
            ).fetchall()
        return [o for o in map(_order, rows) if o is not None]


def _order(row: tuple[Any, ...] | None) -> StoredOrder | None:
    if row is None:
        return None
    d = dict(zip(COLS, row))
    d["items"] = tuple(tuple(x) for x in json.loads(d["items"]))
    d["printed"], d["leave_wanted"] = bool(d["printed"]), bool(d["leave_wanted"])
    return StoredOrder(**d)

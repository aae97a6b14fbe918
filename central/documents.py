"""Issued documents (核验码 → what was issued): table, issue, digest, lookup. Called by Storage
for its DDL and by the query endpoint / verify router for the rest."""
from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from drivers.privacy import mask_id_issuer, mask_name
from kiosk import central_api as api

log = logging.getLogger(__name__)

DDL = """
CREATE TABLE IF NOT EXISTS documents (
    code TEXT PRIMARY KEY,
    case_no TEXT NOT NULL REFERENCES cases(case_no),
    item_code TEXT NOT NULL,
    terminal_id TEXT NOT NULL,
    title TEXT NOT NULL,
    issuer TEXT NOT NULL,
    summary TEXT NOT NULL,
    issued_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    sha256 TEXT,
    pages INTEGER,
    registered_at REAL
);
CREATE INDEX IF NOT EXISTS documents_case ON documents(case_no);
"""
DEFAULT_VALID_DAYS = 90


def create_tables(db: sqlite3.Connection) -> None:
    """Create the documents table (Storage calls this when it opens the database)."""
    db.executescript(DDL)


@dataclass(frozen=True)
class Policy:
    """What the catalogue says about an item's document."""

    title: str
    issuer: str
    valid_days: int


def policy(bundle: bytes | None, item_code: str, item_name: str) -> Policy:
    """The document policy of an item from the published bundle (defaults without one)."""
    if bundle:
        for item in json.loads(bundle)["catalogue"].get("items", []):
            if isinstance(item, Mapping) and item.get("code") == item_code:
                doc = item.get("document") or {}
                return Policy(str(doc.get("title") or item_name),
                              str(doc.get("issuer") or item.get("department_zh") or ""),
                              int(doc.get("valid_days") or DEFAULT_VALID_DAYS))
    return Policy(item_name, "", DEFAULT_VALID_DAYS)


def summary(name: str, id_number: str, values: Mapping[str, str], rows: Sequence[Any]) -> list[str]:
    """The masked key lines a verifier sees (never the full name or ID number)."""
    out = []
    if name:
        out.append(f"持证人：{mask_name(name)}")
    out.append(f"身份证号：{mask_id_issuer(id_number)}")
    if values.get("status"):
        out.append(f"状态：{values['status']}")
    if values.get("period"):
        out.append(f"期间：{values['period']}")
    out.append(f"明细：{len(rows)} 条")
    return out


def issue(db: sqlite3.Connection, *, case_no: str, item_code: str, terminal_id: str, pol: Policy,
          lines: list[str], now: float) -> str:
    """Insert a new document row; its fresh 核验码."""
    for _ in range(5):
        code = api.new_verify_code()
        try:
            db.execute("INSERT INTO documents (code, case_no, item_code, terminal_id, title, issuer, "
                       "summary, issued_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (code, case_no, item_code, terminal_id, pol.title, pol.issuer,
                        json.dumps(lines, ensure_ascii=False), now, now + pol.valid_days * 86400))
            return code
        except sqlite3.IntegrityError:
            continue  # 100 bits: a collision is practically impossible, but never overwrite
    raise RuntimeError("could not allocate a unique verification code")


def register_digest(db: sqlite3.Connection, code: str, terminal_id: str, sha256: str, pages: int,
                    now: float) -> tuple[str, float] | None:
    """Record the PDF digest once. (sha256, registered_at) as stored; None: no such code for
    this terminal. A different digest for an already registered code raises ValueError."""
    row = db.execute("SELECT sha256, registered_at FROM documents WHERE code = ? AND terminal_id = ?",
                     (code, terminal_id)).fetchone()
    if row is None:
        return None
    if row[0] is not None:
        if row[0] != sha256:
            raise ValueError("already registered with another digest")
        return row[0], row[1]
    db.execute("UPDATE documents SET sha256 = ?, pages = ?, registered_at = ? WHERE code = ?",
               (sha256, pages, now, code))
    return sha256, now


def lookup(store: Any, code: str) -> dict[str, Any] | None:
    """The document row of a registered code (an issued code never registered is not one)."""
    row = store._one("SELECT code, item_code, title, issuer, summary, issued_at, expires_at, sha256, "
                     "pages FROM documents WHERE code = ? AND sha256 IS NOT NULL", (code,))
    if row is None:
        return None
    keys = ("code", "item_code", "title", "issuer", "summary", "issued_at", "expires_at", "sha256",
            "pages")
    out = dict(zip(keys, row))
    out["summary"] = json.loads(out["summary"])
    return out

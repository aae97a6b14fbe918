"""The documents table (核验码 → what was issued); central.documents holds the policy."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select, update

from central.storage import schema as t
from central.storage.store import Storage, bounded, upsert


def insert_document(
    db: Connection,
    *,
    code: str,
    case_no: str,
    item_code: str,
    terminal_id: str,
    title: str,
    issuer: str,
    lines: list[str],
    issued_at: float,
    expires_at: float,
) -> bool:
    """Insert a document row; False when `code` is already taken (never overwritten)."""
    stmt = upsert(
        db,
        t.documents,
        {
            "code": code,
            "case_no": case_no,
            "item_code": item_code,
            "terminal_id": terminal_id,
            "title": title,
            "issuer": issuer,
            "summary": json.dumps(lines, ensure_ascii=False),
            "issued_at": issued_at,
            "expires_at": expires_at,
        },
        ["code"],
        None,
    )
    return db.execute(stmt.returning(t.documents.c.code)).scalar() is not None


def register_digest(
    db: Connection, code: str, terminal_id: str, sha256: str, pages: int, now: float
) -> tuple[str, float] | None:
    """Record the PDF digest once. (sha256, registered_at) as stored; None: no such code for
    this terminal. A different digest for an already registered code raises ValueError."""
    bounded(pages=pages)
    d = t.documents.c
    stmt = select(d.sha256, d.registered_at).where(d.code == code, d.terminal_id == terminal_id)
    if db.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    row = db.execute(stmt).first()
    if row is None:
        return None
    if row[0] is not None:
        if row[0] != sha256:
            raise ValueError("already registered with another digest")
        return row[0], row[1]
    db.execute(
        update(t.documents)
        .where(d.code == code)
        .values(sha256=sha256, pages=pages, registered_at=now)
    )
    return sha256, now


def lookup(store: Storage, code: str) -> dict[str, Any] | None:
    """The document row of a registered code (an issued code never registered is not one)."""
    d = t.documents.c
    row = store._first(
        select(
            d.code,
            d.item_code,
            d.title,
            d.issuer,
            d.summary,
            d.issued_at,
            d.expires_at,
            d.sha256,
            d.pages,
        ).where(d.code == code, d.sha256.is_not(None))
    )
    if row is None:
        return None
    out = dict(row._mapping)
    out["summary"] = json.loads(out["summary"])
    return out

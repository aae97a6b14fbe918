"""The console's audit log: who did what, when, to what, from where."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select

from central.console.tables import audit_log

MAX_DETAIL = 500


def record(
    db: Connection,
    now: float,
    name: str,
    action: str,
    target: str = "",
    detail: str = "",
    client: str = "",
) -> None:
    """Append one entry (never personal data: callers pass case numbers, not phone numbers)."""
    db.execute(
        insert(audit_log).values(
            at=now,
            name=name[:40],
            action=action[:40],
            target=target[:200],
            detail=detail[:MAX_DETAIL],
            client=client[:64],
        )
    )


def recent(
    db: Connection, limit: int = 200, name: str | None = None, action: str | None = None
) -> list[dict[str, Any]]:
    """Newest entries first, optionally for one staff member or one action."""
    q = select(audit_log).order_by(audit_log.c.audit_id.desc()).limit(limit)
    if name:
        q = q.where(audit_log.c.name == name)
    if action:
        q = q.where(audit_log.c.action == action)
    return [dict(r) for r in db.execute(q).mappings()]

"""The console's tables (SQLAlchemy Core): staff accounts, browser sessions, the audit log."""

from __future__ import annotations

from sqlalchemy import Column, Float, ForeignKey, Index, Integer, String, Table, Text

from central.storage.schema import metadata

staff_accounts = Table(
    "console_staff",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("password_hash", Text, nullable=False),
    Column("role", String(16), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", Float, nullable=False, default=0.0),
    Column("disabled", Integer, nullable=False, default=0),
)

console_sessions = Table(
    "console_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("name", String(40), ForeignKey("console_staff.name"), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
)

audit_log = Table(
    "console_audit",
    metadata,
    Column("audit_id", Integer, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False),
    Column("name", String(40), nullable=False),
    Column("action", String(40), nullable=False),
    Column("target", String(200), nullable=False, default=""),
    Column("detail", Text, nullable=False, default=""),
    Column("client", String(64), nullable=False, default=""),
)
Index("console_audit_at", audit_log.c.at)

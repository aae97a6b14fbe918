"""initial: the schema as the raw-sqlite3 storage created it (meta.schema_version = 1)

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Double,
    ForeignKey,
    Integer,
    LargeBinary,
    Text,
)

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

RowId = BigInteger().with_variant(Integer(), "sqlite")


def upgrade() -> None:
    """Create every table of schema version 1."""

    op.create_table(
        "meta",
        Column("key", Text, primary_key=True),
        Column("value", Text, nullable=False),
    )

    op.create_table(
        "terminals",
        Column("terminal_id", Text, primary_key=True),
        Column("secret_hex", Text, nullable=False),
        Column("registered_at", Double, nullable=False),
        Column("enabled", Integer, nullable=False, server_default="1"),
    )

    op.create_table(
        "staff_tokens",
        Column("token_hash", Text, primary_key=True),
        Column("name", Text, nullable=False),
        Column("created_at", Double, nullable=False),
    )

    op.create_table(
        "trusted_keys",
        Column("key_id", Text, primary_key=True),
        Column("public_key", LargeBinary, nullable=False),
        Column("added_at", Double, nullable=False),
    )

    op.create_table(
        "idempotency",
        Column("terminal_id", Text, primary_key=True),
        Column("key", Text, primary_key=True),
        Column("endpoint", Text, nullable=False),
        Column("body_hash", Text, nullable=False),
        Column("status", Integer, nullable=False),
        Column("response", LargeBinary, nullable=False),
        Column("created_at", Double, nullable=False),
    )

    op.create_table(
        "sequences",
        Column("region_code", Text, primary_key=True),
        Column("day", Text, primary_key=True),
        Column("last", BigInteger, nullable=False),
    )

    op.create_table(
        "cases",
        Column("case_no", Text, primary_key=True),
        Column("kind", Text, nullable=False),
        Column("item_code", Text, nullable=False),
        Column("region_code", Text, nullable=False),
        Column("terminal_id", Text, nullable=False),
        Column("subject_hash", Text, nullable=False),
        Column("field_names", Text, nullable=False),
        Column("local_ref", Text),
        Column("received_at", Double, nullable=False),
    )

    op.create_table(
        "case_events",
        Column("case_no", Text, ForeignKey("cases.case_no"), primary_key=True),
        Column("status", Text, primary_key=True),
        Column("at", Double, nullable=False),
        Column("note", Text, nullable=False, server_default=""),
    )

    op.create_table(
        "ratings",
        Column("rating_id", RowId, primary_key=True, autoincrement=True),
        Column("case_no", Text, ForeignKey("cases.case_no"), nullable=False, unique=True),
        Column("item_code", Text, nullable=False),
        Column("level", Text, nullable=False),
        Column("tags", Text, nullable=False),
        Column("comment", Text, nullable=False),
        Column("terminal_id", Text, nullable=False),
        Column("region_code", Text, nullable=False),
        Column("channel", Text, nullable=False),
        Column("rated_at", Double),
        Column("received_at", Double, nullable=False),
        sqlite_autoincrement=True,
    )

    op.create_table(
        "heartbeats",
        Column("terminal_id", Text, ForeignKey("terminals.terminal_id"), primary_key=True),
        Column("received_at", Double, nullable=False),
        Column("devices", Text, nullable=False),
        Column("catalogue_version", BigInteger, nullable=False),
        Column("outbox_depth", BigInteger, nullable=False),
        Column("app_version", Text, nullable=False),
        Column("uptime_s", Double, nullable=False),
    )

    op.create_table(
        "catalogues",
        Column("version", BigInteger, primary_key=True, autoincrement=False),
        Column("bundle", LargeBinary, nullable=False),
        Column("etag", Text, nullable=False),
        Column("items", Integer, nullable=False),
        Column("published_at", Double, nullable=False),
        Column("published_by", Text, nullable=False),
    )

    op.create_table(
        "documents",
        Column("code", Text, primary_key=True),
        Column("case_no", Text, ForeignKey("cases.case_no"), nullable=False),
        Column("item_code", Text, nullable=False),
        Column("terminal_id", Text, nullable=False),
        Column("title", Text, nullable=False),
        Column("issuer", Text, nullable=False),
        Column("summary", Text, nullable=False),
        Column("issued_at", Double, nullable=False),
        Column("expires_at", Double, nullable=False),
        Column("sha256", Text),
        Column("pages", Integer),
        Column("registered_at", Double),
    )

    op.create_table(
        "payments",
        Column("order_no", Text, ForeignKey("cases.case_no"), primary_key=True),
        Column("terminal_id", Text, nullable=False),
        Column("item_code", Text, nullable=False),
        Column("region_code", Text, nullable=False),
        Column(
            "amount_fen",
            BigInteger,
            CheckConstraint("amount_fen >= 0", name="amount"),
            nullable=False,
        ),
        Column("items", Text, nullable=False),
        Column("payee_zh", Text, nullable=False),
        Column(
            "status",
            Text,
            CheckConstraint("status IN ('unpaid', 'paid', 'closed', 'refunded')", name="status"),
            nullable=False,
        ),
        Column("created_at", Double, nullable=False),
        Column("expires_at", Double, nullable=False),
        Column("paid_at", Double),
        Column("channel", Text),
        Column("payer_app", Text),
        Column("einvoice_no", Text, unique=True),
        Column("check_code", Text),
        Column("refunded_at", Double),
        Column("closed_reason", Text),
        Column("failure_code", Text),
        Column("failure_message", Text),
        Column("notifications", Integer, nullable=False, server_default="0"),
    )
    op.create_index("ratings_received", "ratings", ["received_at"])
    op.create_index("documents_case", "documents", ["case_no"])
    op.create_index("payments_einvoice", "payments", ["einvoice_no"])


def downgrade() -> None:
    """Drop everything."""
    for name in (
        "payments",
        "documents",
        "catalogues",
        "heartbeats",
        "ratings",
        "case_events",
        "cases",
        "sequences",
        "idempotency",
        "trusted_keys",
        "staff_tokens",
        "terminals",
        "meta",
    ):
        op.drop_table(name)

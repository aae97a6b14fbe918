"""The service database's tables, as SQLAlchemy Core `Table`s on one shared `metadata`.

Another package declares its tables on this same object (``from central.storage.schema import
metadata``) in a module listed in TABLE_MODULES, so that creating a new database, Alembic and
the schema test see the whole database. Every table change needs a revision in
central/storage/migrations/versions/ (tests/central/test_storage.py compares both engines).
"""

from __future__ import annotations

import importlib

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
)

# Stable constraint names on both engines (Alembic needs names to alter constraints later).
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

# SQLite aliases only a column declared exactly INTEGER PRIMARY KEY to the rowid.
RowId = BigInteger().with_variant(Integer(), "sqlite")

meta = Table(
    "meta",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

terminals = Table(
    "terminals",
    metadata,
    Column("terminal_id", Text, primary_key=True),
    # AES-256-GCM under the server key (central.storage.keys), the terminal id as associated data.
    Column("secret_enc", LargeBinary, nullable=False),
    Column("registered_at", Double, nullable=False),
    Column("enabled", Integer, nullable=False, server_default="1"),
)

staff_tokens = Table(
    "staff_tokens",
    metadata,
    Column("token_hash", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("created_at", Double, nullable=False),
)

trusted_keys = Table(
    "trusted_keys",
    metadata,
    Column("key_id", Text, primary_key=True),
    Column("public_key", LargeBinary, nullable=False),
    Column("added_at", Double, nullable=False),
)

idempotency = Table(
    "idempotency",
    metadata,
    Column("terminal_id", Text, primary_key=True),
    Column("key", Text, primary_key=True),
    Column("endpoint", Text, nullable=False),
    Column("body_hash", Text, nullable=False),
    Column("status", Integer, nullable=False),
    Column("response", LargeBinary, nullable=False),
    Column("created_at", Double, nullable=False),
    Index("idempotency_created", "created_at"),
)

sequences = Table(
    "sequences",
    metadata,
    Column("region_code", Text, primary_key=True),
    Column("day", Text, primary_key=True),
    Column("last", BigInteger, nullable=False),
)

cases = Table(
    "cases",
    metadata,
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

case_events = Table(
    "case_events",
    metadata,
    Column("case_no", Text, ForeignKey("cases.case_no"), primary_key=True),
    Column("status", Text, primary_key=True),
    Column("at", Double, nullable=False),
    Column("note", Text, nullable=False, server_default=""),
)

ratings = Table(
    "ratings",
    metadata,
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
    Index("ratings_received", "received_at"),
    sqlite_autoincrement=True,
)

heartbeats = Table(
    "heartbeats",
    metadata,
    Column("terminal_id", Text, ForeignKey("terminals.terminal_id"), primary_key=True),
    Column("received_at", Double, nullable=False),
    Column("devices", Text, nullable=False),
    Column("catalogue_version", BigInteger, nullable=False),
    Column("outbox_depth", BigInteger, nullable=False),
    Column("app_version", Text, nullable=False),
    Column("uptime_s", Double, nullable=False),
)

catalogues = Table(
    "catalogues",
    metadata,
    Column("version", BigInteger, primary_key=True, autoincrement=False),
    Column("bundle", LargeBinary, nullable=False),
    Column("etag", Text, nullable=False),
    Column("items", Integer, nullable=False),
    Column("published_at", Double, nullable=False),
    Column("published_by", Text, nullable=False),
)

documents = Table(
    "documents",
    metadata,
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
    Index("documents_case", "case_no"),
)

payments = Table(
    "payments",
    metadata,
    Column("order_no", Text, ForeignKey("cases.case_no"), primary_key=True),
    Column("terminal_id", Text, nullable=False),
    Column("item_code", Text, nullable=False),
    Column("region_code", Text, nullable=False),
    Column(
        "amount_fen", BigInteger, CheckConstraint("amount_fen >= 0", name="amount"), nullable=False
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
    Index("payments_einvoice", "einvoice_no"),
)


TABLE_MODULES: tuple[str, ...] = (
    "central.haocha.tables",
    "central.console.tables",
    "central.rollout.tables",
)
"""Modules of other packages that declare tables on `metadata` (e.g. "central.haocha.tables")."""


def load_all() -> MetaData:
    """`metadata` with the tables of every module in TABLE_MODULES declared on it."""
    for name in TABLE_MODULES:
        importlib.import_module(name)
    return metadata

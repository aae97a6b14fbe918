"""Tables of the 好差评 and province-forwarding features (SQLAlchemy Core, SQLite and PostgreSQL),
declared on central's shared metadata (migration 0003); `ratings` is central.storage's own."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from central.storage.schema import metadata, ratings  # noqa: F401  (ratings: read by the scan)

dictionaries = Table(
    "haocha_dictionaries",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("body", Text, nullable=False),
    Column("etag", String(80), nullable=False),
    Column("published_by", String(64), nullable=False),
    Column("published_at", Float, nullable=False),
)

details = Table(
    "haocha_rating_details",
    metadata,
    Column("rating_id", Integer, primary_key=True, autoincrement=False),
    Column("case_no", String(64), nullable=False, unique=True),
    Column("dictionary_version", Integer),
    Column("indicators", Text, nullable=False),
    Column("hall", String(64), nullable=False),
    Column("real_name", Boolean, nullable=False),
    Column("rater_sealed", LargeBinary),
    # AES-GCM sealed {"name", "id_number", "user_type"} (central.haocha.sealing)
    Column("phone_sealed", LargeBinary),
    Column("phone_masked", String(16)),
    Column("consent_at", Float),
    Column("recorded_at", Float, nullable=False),
)

province_queue = Table(
    "province_queue",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    # "rating" (the evaluation) or "rectification" (the 差评 follow-up result)
    Column("ref", Integer, nullable=False),
    # rating_id or followup_id.
    Column("dedupe_key", String(120), nullable=False, unique=True),
    # Sent to the province as the request id: it keeps what it already has.
    Column("state", String(12), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", Float, nullable=False),
    Column("lease_owner", String(64)),
    Column("lease_until", Float),
    Column("last_error", String(300), nullable=False, default=""),
    Column("rated_day", String(8), nullable=False),
    # YYYYMMDD (Beijing) of the rating: the daily reconciliation counts by it.
    Column("created_at", Float, nullable=False),
    Column("delivered_at", Float),
    Column("province_ack", String(80)),
    UniqueConstraint("kind", "ref", name="province_queue_kind_ref"),
)
Index("province_queue_due", province_queue.c.state, province_queue.c.next_attempt_at)

reconciliations = Table(
    "province_reconciliations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("day", String(8), nullable=False),
    Column("ours", Integer, nullable=False),
    Column("theirs", Integer, nullable=False),
    Column("resent", Integer, nullable=False),
    Column("at", Float, nullable=False),
)

followups = Table(
    "haocha_followups",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("rating_id", Integer, nullable=False, unique=True),
    Column("case_no", String(64), nullable=False),
    Column("item_code", String(64), nullable=False),
    Column("level", String(8), nullable=False),
    Column("reasons", Text, nullable=False),
    Column("state", String(8), nullable=False),
    Column("opened_at", Float, nullable=False),
    Column("due_date", String(10), nullable=False),
    Column("working_days", Integer, nullable=False),
    Column("closed_at", Float),
    Column("rectification", String(16)),
    Column("updated_at", Float, nullable=False),
)
Index("haocha_followups_state", followups.c.state, followups.c.due_date)

followup_steps = Table(
    "haocha_followup_steps",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("followup_id", Integer, nullable=False, index=True),
    Column("from_state", String(8)),
    Column("to_state", String(8), nullable=False),
    Column("by", String(64), nullable=False),
    Column("at", Float, nullable=False),
    Column("note", Text, nullable=False),
)

"""Tables of 好差评 and province forwarding (issue 19), the staff console (issue 20) and the
staged catalogue rollout

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the tables (generated with Alembic's autogenerate against the declared schema)."""
    op.create_table(
        "console_audit",
        sa.Column("audit_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("audit_id", name=op.f("pk_console_audit")),
    )
    with op.batch_alter_table("console_audit", schema=None) as batch_op:
        batch_op.create_index("console_audit_at", ["at"], unique=False)

    op.create_table(
        "console_staff",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.Float(), nullable=False),
        sa.Column("disabled", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_console_staff")),
    )
    op.create_table(
        "haocha_dictionaries",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("etag", sa.String(length=80), nullable=False),
        sa.Column("published_by", sa.String(length=64), nullable=False),
        sa.Column("published_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_haocha_dictionaries")),
    )
    op.create_table(
        "haocha_followup_steps",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("followup_id", sa.Integer(), nullable=False),
        sa.Column("from_state", sa.String(length=8), nullable=True),
        sa.Column("to_state", sa.String(length=8), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_haocha_followup_steps")),
    )
    with op.batch_alter_table("haocha_followup_steps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_haocha_followup_steps_followup_id"), ["followup_id"], unique=False
        )

    op.create_table(
        "haocha_followups",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("rating_id", sa.Integer(), nullable=False),
        sa.Column("case_no", sa.String(length=64), nullable=False),
        sa.Column("item_code", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("opened_at", sa.Float(), nullable=False),
        sa.Column("due_date", sa.String(length=10), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.Column("closed_at", sa.Float(), nullable=True),
        sa.Column("rectification", sa.String(length=16), nullable=True),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_haocha_followups")),
        sa.UniqueConstraint("rating_id", name=op.f("uq_haocha_followups_rating_id")),
    )
    with op.batch_alter_table("haocha_followups", schema=None) as batch_op:
        batch_op.create_index("haocha_followups_state", ["state", "due_date"], unique=False)

    op.create_table(
        "haocha_rating_details",
        sa.Column("rating_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("case_no", sa.String(length=64), nullable=False),
        sa.Column("dictionary_version", sa.Integer(), nullable=True),
        sa.Column("indicators", sa.Text(), nullable=False),
        sa.Column("hall", sa.String(length=64), nullable=False),
        sa.Column("real_name", sa.Boolean(), nullable=False),
        sa.Column("rater_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("phone_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("phone_masked", sa.String(length=16), nullable=True),
        sa.Column("consent_at", sa.Float(), nullable=True),
        sa.Column("recorded_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("rating_id", name=op.f("pk_haocha_rating_details")),
        sa.UniqueConstraint("case_no", name=op.f("uq_haocha_rating_details_case_no")),
    )
    op.create_table(
        "province_queue",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ref", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=120), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.Float(), nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.Float(), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=False),
        sa.Column("rated_day", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("delivered_at", sa.Float(), nullable=True),
        sa.Column("province_ack", sa.String(length=80), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_province_queue")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_province_queue_dedupe_key")),
        sa.UniqueConstraint("kind", "ref", name="province_queue_kind_ref"),
    )
    with op.batch_alter_table("province_queue", schema=None) as batch_op:
        batch_op.create_index("province_queue_due", ["state", "next_attempt_at"], unique=False)

    op.create_table(
        "province_reconciliations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("day", sa.String(length=8), nullable=False),
        sa.Column("ours", sa.Integer(), nullable=False),
        sa.Column("theirs", sa.Integer(), nullable=False),
        sa.Column("resent", sa.Integer(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_province_reconciliations")),
    )
    op.create_table(
        "rollout_pilots",
        sa.Column("terminal_id", sa.String(length=32), nullable=False),
        sa.Column("added_at", sa.Float(), nullable=False),
        sa.Column("added_by", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("terminal_id", name=op.f("pk_rollout_pilots")),
    )
    op.create_table(
        "rollout_stages",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("bundle", sa.LargeBinary(), nullable=False),
        sa.Column("etag", sa.String(length=40), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("staged_at", sa.Float(), nullable=False),
        sa.Column("staged_by", sa.String(length=40), nullable=False),
        sa.Column("changed_at", sa.Float(), nullable=False),
        sa.Column("changed_by", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_rollout_stages")),
    )
    op.create_table(
        "console_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["name"], ["console_staff.name"], name=op.f("fk_console_sessions_name_console_staff")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_console_sessions")),
    )


def downgrade() -> None:
    """Drop them again."""
    op.drop_table("console_sessions")
    op.drop_table("rollout_stages")
    op.drop_table("rollout_pilots")
    op.drop_table("province_reconciliations")
    with op.batch_alter_table("province_queue", schema=None) as batch_op:
        batch_op.drop_index("province_queue_due")

    op.drop_table("province_queue")
    op.drop_table("haocha_rating_details")
    with op.batch_alter_table("haocha_followups", schema=None) as batch_op:
        batch_op.drop_index("haocha_followups_state")

    op.drop_table("haocha_followups")
    with op.batch_alter_table("haocha_followup_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_haocha_followup_steps_followup_id"))

    op.drop_table("haocha_followup_steps")
    op.drop_table("haocha_dictionaries")
    op.drop_table("console_staff")
    with op.batch_alter_table("console_audit", schema=None) as batch_op:
        batch_op.drop_index("console_audit_at")

    op.drop_table("console_audit")

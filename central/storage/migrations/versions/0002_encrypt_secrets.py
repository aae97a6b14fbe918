"""terminal secrets encrypted at rest (AES-256-GCM, server key); index for the idempotency purge

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import Column, LargeBinary, Text, column, select, table, update

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_terminals = table(
    "terminals",
    column("terminal_id", Text),
    column("secret_hex", Text),
    column("secret_enc", LargeBinary),
)


def _key():  # type: ignore[no-untyped-def]
    # The runner (central.storage.migrate) passes a loader: the key is only needed with rows.
    return op.get_context().config.attributes["server_key"]()  # type: ignore[union-attr]


def upgrade() -> None:
    """Add secret_enc, encrypt every secret_hex into it, drop secret_hex."""
    with op.batch_alter_table("terminals") as batch:
        batch.add_column(Column("secret_enc", LargeBinary, nullable=True))
    conn = op.get_bind()
    rows = conn.execute(select(_terminals.c.terminal_id, _terminals.c.secret_hex)).all()
    if rows:
        key = _key()
        for terminal_id, secret_hex in rows:
            conn.execute(
                update(_terminals)
                .where(_terminals.c.terminal_id == terminal_id)
                .values(secret_enc=key.seal(terminal_id, bytes.fromhex(secret_hex)))
            )
    with op.batch_alter_table("terminals") as batch:
        batch.alter_column("secret_enc", existing_type=LargeBinary, nullable=False)
        batch.drop_column("secret_hex")
    op.create_index("idempotency_created", "idempotency", ["created_at"])


def downgrade() -> None:
    """Back to plain hex secrets (needs the server key)."""
    op.drop_index("idempotency_created", "idempotency")
    with op.batch_alter_table("terminals") as batch:
        batch.add_column(Column("secret_hex", Text, nullable=True))
    conn = op.get_bind()
    rows = conn.execute(select(_terminals.c.terminal_id, _terminals.c.secret_enc)).all()
    if rows:
        key = _key()
        for terminal_id, sealed in rows:
            conn.execute(
                update(_terminals)
                .where(_terminals.c.terminal_id == terminal_id)
                .values(secret_hex=key.open(terminal_id, sealed).hex())
            )
    with op.batch_alter_table("terminals") as batch:
        batch.alter_column("secret_hex", existing_type=Text, nullable=False)
        batch.drop_column("secret_enc")

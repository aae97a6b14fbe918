"""Alembic environment: always run by central.storage.migrate with a connection it opened."""

from __future__ import annotations

from alembic import context

from central.storage.schema import load_all

connection = context.config.attributes["connection"]
context.configure(
    connection=connection, target_metadata=load_all(), render_as_batch=True, compare_type=True
)
with context.begin_transaction():
    context.run_migrations()

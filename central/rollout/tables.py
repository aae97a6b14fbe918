"""Rollout tables (SQLAlchemy Core): staged bundles and the pilot group."""

from __future__ import annotations

from sqlalchemy import Column, Float, Integer, LargeBinary, String, Table

from central.storage.schema import metadata

stages = Table(
    "rollout_stages",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("bundle", LargeBinary, nullable=False),
    Column("etag", String(40), nullable=False),
    Column("items", Integer, nullable=False),
    Column("state", String(12), nullable=False),
    Column("staged_at", Float, nullable=False),
    Column("staged_by", String(40), nullable=False),
    Column("changed_at", Float, nullable=False),
    Column("changed_by", String(40), nullable=False),
)

pilots = Table(
    "rollout_pilots",
    metadata,
    Column("terminal_id", String(32), primary_key=True),
    Column("added_at", Float, nullable=False),
    Column("added_by", String(40), nullable=False),
)

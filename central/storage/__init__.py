"""The service database: one interface (Storage) over SQLite or PostgreSQL, with migrations.

Modules: schema (tables on one shared `metadata`), engine (URLs and connection settings),
store (Storage), payments and documents (their tables' statements), keys (the server key that
encrypts terminal secrets), migrate (Alembic, `kiosk central migrate`), errors.
"""

from __future__ import annotations

from central.storage.errors import NotMigrated, OutOfRange, ServerKeyError, StorageError
from central.storage.store import (
    IdempotentAnswer,
    PublishedCatalogue,
    Storage,
    bounded,
    hash_token,
)

__all__ = [
    "IdempotentAnswer",
    "NotMigrated",
    "OutOfRange",
    "PublishedCatalogue",
    "ServerKeyError",
    "Storage",
    "StorageError",
    "bounded",
    "hash_token",
]

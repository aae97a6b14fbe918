"""Errors of the storage layer: all are central.errors.StorageError (the package's root)."""
from __future__ import annotations

from central.errors import StorageError

__all__ = ["StorageError", "OutOfRange", "NotMigrated", "ServerKeyError"]


class OutOfRange(StorageError):
    """A value does not fit its column (e.g. an integer beyond 64 bits): rejected, not stored."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name


class NotMigrated(StorageError):
    """The database schema is missing or older/newer than this code: run `kiosk central migrate`."""


class ServerKeyError(StorageError):
    """The server key (terminal secrets at rest) is missing, unreadable or wrong."""

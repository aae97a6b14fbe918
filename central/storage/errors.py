"""Errors of the storage layer: all are central.errors.StorageError (the package's root)."""

from __future__ import annotations

from central.errors import ApiError, StorageError

__all__ = ["StorageError", "OutOfRange", "NotMigrated", "ServerKeyError"]


class OutOfRange(StorageError, ApiError):
    """A value does not fit its column (e.g. an integer beyond 64 bits): rejected, not stored.

    Also an ApiError (422 value_out_of_range) so that an endpoint that lets it through answers
    with a clear JSON error instead of a 500; the message names the field, never the value.
    """

    def __init__(self, name: str, message: str) -> None:
        ApiError.__init__(self, 422, "value_out_of_range", f"{name}: {message}")
        self.name = name


class NotMigrated(StorageError):
    """The database schema is missing or older/newer than this code: run `kiosk central migrate`."""


class ServerKeyError(StorageError):
    """The server key (terminal secrets at rest) is missing, unreadable or wrong."""

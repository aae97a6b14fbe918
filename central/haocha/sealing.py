"""Sealing of the personal data in a rating record (rater, callback phone) at rest.

The key is central's server key (central.storage.keys: AES-256-GCM, a 0600 file or the
environment), the same one that seals terminal secrets: one key to keep and rotate, not two.
"""

from __future__ import annotations

from typing import Protocol

from central.haocha.errors import HaochaError


class _Key(Protocol):
    def seal_value(self, context: str, value: bytes) -> bytes: ...
    def open_value(self, context: str, sealed: bytes) -> bytes: ...


class Sealer:
    """Seal/open small text values with the server key, each bound to its context."""

    def __init__(self, key: _Key) -> None:
        self._key = key

    def seal(self, value: str, context: str) -> bytes:
        """The sealed value, bound to `context` (e.g. "phone:<case_no>")."""
        return self._key.seal_value(context, value.encode())

    def open(self, blob: bytes, context: str) -> str:
        """The value sealed under `context`; HaochaError when it does not open."""
        try:
            return self._key.open_value(context, bytes(blob)).decode()
        except Exception as exc:  # ServerKeyError: tampered, or another key
            raise HaochaError(f"sealed value for {context.split(':')[0]} cannot be opened") from exc

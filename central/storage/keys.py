"""The server key: terminal HMAC secrets are stored AES-256-GCM encrypted under it.

Where it comes from, first match wins: an explicit key file; CENTRAL_SECRET_KEY (64 hex digits);
CENTRAL_SECRET_KEY_FILE; for a SQLite database, `<database>.key` next to it (created 0600 with a
new database). A PostgreSQL deployment must name one (the key never lives in the database).
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from central.storage.errors import ServerKeyError

log = logging.getLogger(__name__)

ENV_KEY = "CENTRAL_SECRET_KEY"
ENV_KEY_FILE = "CENTRAL_SECRET_KEY_FILE"
_VERSION = b"\x01"  # format byte of a stored secret: 01 ‖ 12-byte nonce ‖ ciphertext+tag


class ServerKey:
    """AES-256-GCM over terminal secrets; the terminal id is the associated data."""

    def __init__(self, raw: bytes, source: str) -> None:
        if len(raw) != 32:
            raise ServerKeyError(f"{source}: the server key must be 32 bytes (64 hex digits)")
        self._aead = AESGCM(raw)
        self.source = source

    def seal(self, terminal_id: str, secret: bytes) -> bytes:
        """Encrypt a terminal secret for storage."""
        nonce = secrets.token_bytes(12)
        return _VERSION + nonce + self._aead.encrypt(nonce, secret, terminal_id.encode())

    def seal_value(self, context: str, value: bytes) -> bytes:
        """Encrypt another small value at rest (a callback phone …), bound to `context`."""
        return self.seal(context, value)

    def open_value(self, context: str, sealed: bytes) -> bytes:
        """Decrypt a value sealed with seal_value under the same context."""
        return self.open(context, sealed)

    def open(self, terminal_id: str, sealed: bytes) -> bytes:
        """Decrypt a stored terminal secret (ServerKeyError when the key is not the one used)."""
        sealed = bytes(sealed)
        if sealed[:1] != _VERSION or len(sealed) < 29:
            raise ServerKeyError(f"terminal {terminal_id}: stored secret has an unknown format")
        try:
            return self._aead.decrypt(sealed[1:13], sealed[13:], terminal_id.encode())
        except InvalidTag:
            raise ServerKeyError(
                f"terminal {terminal_id}: stored secret does not open with the server "
                f"key from {self.source} (wrong key?)"
            ) from None


def _parse(text: str, source: str) -> ServerKey:
    try:
        raw = bytes.fromhex(text.strip())
    except ValueError:
        raise ServerKeyError(f"{source}: the server key must be 64 hex digits") from None
    return ServerKey(raw, source)


def write_key_file(path: Path) -> ServerKey:
    """Create a new random key file (0600, parent 0700 when created); refuse to overwrite."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    raw = secrets.token_bytes(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return read_key_file(path)
    except OSError as exc:
        raise ServerKeyError(f"{path}: cannot create the server key: {exc.strerror}") from None
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(raw.hex() + "\n")
    log.info("created server key %s", path)
    return ServerKey(raw, str(path))


def read_key_file(path: Path) -> ServerKey:
    """Read a key file (64 hex digits); warn when others can read it."""
    try:
        st = path.stat()
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise ServerKeyError(f"{path}: cannot read the server key: {exc}") from None
    if st.st_mode & 0o077:
        log.warning(
            "server key %s is readable by others (mode %o): chmod 600 it", path, st.st_mode & 0o777
        )
    return _parse(text, str(path))


def default_key_file(sqlite_path: Path | None) -> Path | None:
    """`<database>.key` beside a SQLite database; None for other engines."""
    return sqlite_path.with_name(sqlite_path.name + ".key") if sqlite_path is not None else None


def load(key_file: str | Path | None, sqlite_path: Path | None, *, create: bool) -> ServerKey:
    """The server key per the order in the module docstring; `create` makes the SQLite default."""
    if key_file is not None:
        return read_key_file(Path(key_file))
    if os.environ.get(ENV_KEY):
        return _parse(os.environ[ENV_KEY], ENV_KEY)
    if os.environ.get(ENV_KEY_FILE):
        return read_key_file(Path(os.environ[ENV_KEY_FILE]))
    default = default_key_file(sqlite_path)
    if default is None:
        raise ServerKeyError(
            f"no server key: set {ENV_KEY_FILE} (a 0600 file of 64 hex digits, e.g. "
            f"`kiosk central key new FILE`) or {ENV_KEY}"
        )
    if default.exists() or not create:
        return read_key_file(default)
    return write_key_file(default)

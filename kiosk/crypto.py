"""AES-GCM sealing of personal data at rest, with a key file created 0600 on first use."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kiosk.errors import KioskError

log = logging.getLogger(__name__)

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
FORMAT_VERSION = b"\x01"  # first byte of every sealed blob


class CryptoError(KioskError):
    """A key file is unusable or a sealed blob cannot be opened."""


class KeyFileError(CryptoError):
    """The key file is missing, unreadable, malformed or readable by others."""


class SealError(CryptoError):
    """A blob failed authentication (wrong key, wrong row, or tampered bytes)."""


def load_or_create_key(path: str | Path) -> bytes:
    """Read the 256-bit key (hex text) from `path`, creating it 0600 (dir 0700) if absent."""
    path = Path(path)
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = AESGCM.generate_key(bit_length=KEY_BYTES * 8)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, key.hex().encode("ascii") + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        # link() fails if another process created the key meanwhile: then theirs wins.
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)
    log.info("created outbox key file %s (mode 0600)", path)
    return _read_key(path)


def load_key(path: str | Path) -> bytes:
    """Read an existing key file (never creates one); KeyFileError if missing or unusable."""
    path = Path(path)
    try:
        return _read_key(path)
    except FileNotFoundError:
        raise KeyFileError(
            f"{path}: key file is missing; without it the queued rows cannot be "
            f"decrypted (restore it from backup)"
        ) from None


def _read_key(path: Path) -> bytes:
    st = path.stat()  # FileNotFoundError propagates to the caller on purpose
    if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyFileError(
            f"{path}: key file is accessible by group/others (mode {stat.S_IMODE(st.st_mode):04o}); "
            f"run: chmod 600 {path}"
        )
    try:
        text = path.read_text(encoding="ascii").strip()
        key = bytes.fromhex(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise KeyFileError(f"{path}: not a hex key file ({exc.__class__.__name__})") from None
    if len(key) != KEY_BYTES:
        raise KeyFileError(f"{path}: key is {len(key)} bytes, expected {KEY_BYTES}")
    return key


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class Sealer:
    """Seals and opens byte strings with AES-256-GCM; `aad` binds a blob to its context."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise KeyFileError(f"key is {len(key)} bytes, expected {KEY_BYTES}")
        self._aead = AESGCM(key)

    def seal(self, plaintext: bytes, aad: bytes) -> bytes:
        """Version byte + random 96-bit nonce + ciphertext and tag."""
        nonce = os.urandom(NONCE_BYTES)
        return FORMAT_VERSION + nonce + self._aead.encrypt(nonce, plaintext, aad)

    def open(self, blob: bytes, aad: bytes) -> bytes:
        """The plaintext of a sealed blob; SealError if it does not authenticate."""
        if len(blob) < 1 + NONCE_BYTES + TAG_BYTES or blob[:1] != FORMAT_VERSION:
            raise SealError("sealed blob is truncated or of an unknown format")
        nonce = blob[1 : 1 + NONCE_BYTES]
        try:
            return self._aead.decrypt(nonce, blob[1 + NONCE_BYTES :], aad)
        except InvalidTag:
            raise SealError("sealed blob does not authenticate (wrong key or tampered)") from None

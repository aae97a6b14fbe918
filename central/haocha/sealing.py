"""AES-GCM sealing of the personal data in a rating record (rater, callback phone)."""
from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from central.haocha.errors import HaochaError


class Sealer:
    """Seal/open small values with a 256-bit key kept in a 0600 file (created when missing)."""

    def __init__(self, key_file: str | Path) -> None:
        path = Path(key_file)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(AESGCM.generate_key(bit_length=256))
        key = path.read_bytes()
        if len(key) != 32:
            raise HaochaError(f"{path}: a sealing key is 32 bytes, this file has {len(key)}")
        self._aead = AESGCM(key)

    def seal(self, value: str, context: str) -> bytes:
        """nonce ‖ ciphertext, bound to `context` (e.g. "phone:<case_no>")."""
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, value.encode(), context.encode())

    def open(self, blob: bytes, context: str) -> str:
        """The value sealed under `context`; HaochaError when the blob was tampered with."""
        from cryptography.exceptions import InvalidTag

        try:
            return self._aead.decrypt(blob[:12], blob[12:], context.encode()).decode()
        except (InvalidTag, ValueError) as exc:
            raise HaochaError(f"sealed value for {context.split(':')[0]} cannot be opened") from exc

"""Maintenance PIN: salted scrypt hash, and a lockout that doubles and survives restarts."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.admin.errors import BadPinHash, LockedOut

log = logging.getLogger(__name__)

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
FREE_ATTEMPTS = 5
FIRST_LOCKOUT_S = 15.0
MAX_LOCKOUT_S = 24 * 3600.0
DEMO_PIN = "2580"
"""The PIN of the shipped demo config; `kiosk doctor` fails a real terminal that still uses it."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_pin(pin: str, *, salt: bytes | None = None) -> str:
    """`scrypt$N$r$p$salt$hash` for a PIN of 4–12 digits."""
    if not (pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 12):
        raise ValueError("the PIN must be 4 to 12 digits")
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_pin(pin: str, stored: str) -> bool:
    """True when `pin` matches the stored hash (constant-time compare)."""
    try:
        scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
        if scheme != "scrypt":
            raise ValueError(scheme)
        salt, digest = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
        n_i, r_i, p_i = int(n), int(r), int(p)
    except ValueError as exc:
        raise BadPinHash("admin_pin_hash is not a scrypt$N$r$p$salt$hash value") from exc
    candidate = hashlib.scrypt(
        pin.encode(), salt=salt, n=n_i, r=r_i, p=p_i, dklen=len(digest), maxmem=256 * 1024 * 1024
    )
    return hmac.compare_digest(candidate, digest)


def lockout_seconds(failures: int) -> float:
    """Lockout after `failures` consecutive wrong PINs: 0 for the first 5, then 15 s, 30 s, 60 s…"""
    if failures < FREE_ATTEMPTS:
        return 0.0
    return min(FIRST_LOCKOUT_S * 2 ** (failures - FREE_ATTEMPTS), MAX_LOCKOUT_S)


@dataclass
class _State:
    failures: int = 0
    locked_until: float = 0.0


class PinGuard:
    """Checks PINs against the configured hash with a persisted, doubling lockout."""

    def __init__(
        self, stored_hash: str | None, state_file: Path, clock: Callable[[], float] = time.time
    ) -> None:
        self.stored_hash = stored_hash
        self.state_file = state_file
        self.clock = clock
        self._state = self._load()

    def _load(self) -> _State:
        try:
            data = json.loads(self.state_file.read_text(encoding="utf-8"))
            return _State(int(data["failures"]), float(data["locked_until"]))
        except FileNotFoundError:
            return _State()
        except (OSError, ValueError, KeyError, TypeError) as exc:
            # A damaged state file must not reopen the door: treat it as a fresh lockout.
            log.warning("PIN lockout state %s unreadable (%s): locking", self.state_file, exc)
            return _State(FREE_ATTEMPTS, self.clock() + FIRST_LOCKOUT_S)

    def _save(self) -> None:
        try:
            self.state_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.state_file.with_suffix(".tmp")
            tmp.write_text(
                json.dumps(
                    {"failures": self._state.failures, "locked_until": self._state.locked_until}
                ),
                encoding="utf-8",
            )
            os.replace(tmp, self.state_file)
        except OSError as exc:  # the lockout still holds in memory until the next restart
            log.error("PIN lockout state %s not saved: %s", self.state_file, exc.strerror or exc)

    @property
    def failures(self) -> int:
        """Consecutive wrong PINs so far."""
        return self._state.failures

    def remaining_lockout(self) -> float:
        """Seconds until the next attempt is accepted (0 when not locked)."""
        return max(0.0, self._state.locked_until - self.clock())

    def check(self, pin: str) -> bool:
        """True for the right PIN; False for a wrong one; LockedOut while locked (not counted)."""
        remaining = self.remaining_lockout()
        if remaining > 0:
            raise LockedOut(remaining)
        if not self.stored_hash:
            log.warning("maintenance PIN attempt but no admin_pin_hash is configured")
            return False
        if verify_pin(pin, self.stored_hash):
            self._state = _State()
            self._save()
            return True
        self._state.failures += 1
        wait = lockout_seconds(self._state.failures)
        self._state.locked_until = self.clock() + wait if wait else 0.0
        self._save()
        log.warning(
            "wrong maintenance PIN (%d in a row)%s",
            self._state.failures,
            f", locked for {wait:.0f} s" if wait else "",
        )
        return False

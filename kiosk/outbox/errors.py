"""Errors of the outbox; the root is OutboxError (a KioskError)."""

from __future__ import annotations

from kiosk.errors import KioskError


class OutboxError(KioskError):
    """The outbox cannot do what was asked (disk, key, closed queue, bad payload)."""


class OutboxKeyError(OutboxError):
    """The key file does not match the queue: its rows cannot be decrypted."""


class OutboxClosed(OutboxError):
    """The outbox was closed."""


class OutboxFull(OutboxError):
    """The disk holding the queue is full (or below the reserve): nothing new is accepted."""


class OutboxDamaged(OutboxError):
    """The queue file vanished, was emptied, replaced by another or older copy, or is corrupt.

    `kind` is one of vanished, emptied, replaced, older, corrupt, marker; `fix` is the one line
    a technician needs. Nothing new is accepted until `kiosk outbox repair` has run.
    """

    FIX = (
        "kiosk outbox repair --config … (saves every readable row to a quarantine file, "
        "then rebuilds the queue; provisional numbers continue above the last one issued)"
    )

    def __init__(self, path: object, kind: str, detail: str) -> None:
        self.path = str(path)
        self.kind = kind
        self.detail = detail
        self.fix = self.FIX
        super().__init__(f"{path}: outbox damaged ({kind}): {detail}")

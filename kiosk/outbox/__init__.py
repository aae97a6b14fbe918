"""Durable store-and-forward queue for submissions and ratings (SQLite WAL, synchronous=FULL).

queue.py holds the queue itself (model.py its rows, lock.py the delivery lock), integrity.py
and highwater.py tell a damaged queue from a good one, repair.py saves what can be read and
rebuilds, guard.py says whether new work may be accepted, errors.py the exceptions.
"""

from __future__ import annotations

from kiosk.outbox.errors import OutboxClosed, OutboxDamaged, OutboxError, OutboxFull, OutboxKeyError
from kiosk.outbox.lock import DeliveryLock
from kiosk.outbox.model import CaseRef, Enqueued, Kind, Row, State, Stats, provisional_case_number
from kiosk.outbox.queue import (
    KEY_CHECK_PLAINTEXT,
    MAX_ERROR_CHARS,
    SCHEMA_VERSION,
    Outbox,
    open_existing,
)

__all__ = [
    "OutboxClosed",
    "OutboxDamaged",
    "OutboxError",
    "OutboxFull",
    "OutboxKeyError",
    "KEY_CHECK_PLAINTEXT",
    "MAX_ERROR_CHARS",
    "SCHEMA_VERSION",
    "CaseRef",
    "DeliveryLock",
    "Enqueued",
    "Kind",
    "Outbox",
    "Row",
    "State",
    "Stats",
    "open_existing",
    "provisional_case_number",
]

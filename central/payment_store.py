"""Moved to central.storage.payments (kept so existing imports work)."""

from __future__ import annotations

from central.storage.payments import (  # noqa: F401
    COLUMNS,
    OrderRow,
    add_event,
    by_einvoice,
    einvoice_sequence,
    get,
    insert,
    update,
)

"""The kiosk application: config, catalogue, session, receipts, rating, outbox, UI, CLI."""

from __future__ import annotations

__version__ = "0.1.0"

"""Local time on documents: the terminal's configured zone (`terminal.timezone`, kiosk.clock)."""

from __future__ import annotations

from datetime import datetime

from kiosk import clock


def local_time(ts: float) -> datetime:
    """The aware local time of a unix timestamp in the terminal's zone, as documents print it."""
    return clock.local(ts)

"""Local time on documents. One helper, so the terminal's configured time zone (`terminal.timezone`,
owned by the durability work) replaces it in one place."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

DOCUMENT_TZ = ZoneInfo("Asia/Shanghai")


def local_time(ts: float) -> datetime:
    """The aware local time (Asia/Shanghai) of a unix timestamp, as documents print it."""
    return datetime.fromtimestamp(ts, DOCUMENT_TZ)

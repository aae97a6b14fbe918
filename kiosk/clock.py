"""One clock for the whole terminal: wall-clock time in the terminal's configured zone.

The screen clock, receipts, A4 documents, log timestamps, case and provisional numbers and the
ID card expiry check all read local time through this module, so they agree even when the box's
system zone is UTC (a common image default): `terminal.timezone` in the config, default
Asia/Shanghai. The zone is process-wide; `kiosk run` and the CLI set it once from the config.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Asia/Shanghai"

_lock = threading.Lock()
_zone: ZoneInfo = ZoneInfo(DEFAULT_ZONE)


def zone_from_name(name: str) -> ZoneInfo:
    """The IANA zone `name` (e.g. Asia/Shanghai); ValueError names a zone that does not exist."""
    if (
        not isinstance(name, str)
        or not name
        or name != name.strip()
        or ".." in name
        or name.startswith("/")
    ):
        raise ValueError(f"{name!r} is not an IANA time zone name such as {DEFAULT_ZONE}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(
            f"unknown time zone {name!r} (an IANA name such as {DEFAULT_ZONE})"
        ) from None


def set_zone(name: str) -> ZoneInfo:
    """Make `name` the terminal's zone for this process; returns it."""
    global _zone
    zone = zone_from_name(name)
    with _lock:
        _zone = zone
    return zone


def zone() -> ZoneInfo:
    """The terminal's zone."""
    return _zone


def local(epoch: float | None = None) -> dt.datetime:
    """An aware datetime in the terminal's zone (now when `epoch` is None)."""
    return dt.datetime.fromtimestamp(time.time() if epoch is None else epoch, _zone)


def struct(epoch: float | None = None) -> time.struct_time:
    """Like time.localtime, but in the terminal's zone."""
    return local(epoch).timetuple()


def strftime(fmt: str, epoch: float | None = None) -> str:
    """Format a moment in the terminal's zone (time.strftime directives)."""
    return local(epoch).strftime(fmt)


def today(epoch: float | None = None) -> dt.date:
    """The date in the terminal's zone."""
    return local(epoch).date()


def system_zone_name() -> str:
    """The box's own zone (TZ, /etc/timezone or the /etc/localtime link); "" if unknown."""
    tz = os.environ.get("TZ", "").lstrip(":")
    if tz:
        return tz
    try:
        text = Path("/etc/timezone").read_text(encoding="ascii").strip()
        if text:
            return text
    except (OSError, UnicodeDecodeError):
        pass
    try:
        target = os.readlink("/etc/localtime")
    except OSError:
        return time.tzname[0] if time.tzname else ""
    marker = "zoneinfo/"
    return target[target.index(marker) + len(marker) :] if marker in target else target


def same_offsets(a: str, b: ZoneInfo, epoch: float | None = None) -> bool:
    """Whether zone name `a` and zone `b` give the same UTC offset now and in six months."""
    try:
        za = zone_from_name(a)
    except ValueError:
        return False
    t = time.time() if epoch is None else epoch
    return all(
        dt.datetime.fromtimestamp(x, za).utcoffset() == dt.datetime.fromtimestamp(x, b).utcoffset()
        for x in (t, t + 182 * 86400)
    )


__all__ = [
    "DEFAULT_ZONE",
    "zone_from_name",
    "set_zone",
    "zone",
    "local",
    "struct",
    "strftime",
    "today",
    "system_zone_name",
    "same_offsets",
]

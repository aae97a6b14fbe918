"""Opening hours: "HH:MM-HH:MM" windows in the terminal's time zone (kiosk.clock)."""

from __future__ import annotations

from collections.abc import Iterable

from kiosk import clock


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def is_open(windows: Iterable[str], epoch: float) -> bool:
    """Whether local time at `epoch` falls inside one of the windows (empty: always open)."""
    wins = list(windows)
    if not wins:
        return True
    t = clock.struct(epoch)
    now = t.tm_hour * 60 + t.tm_min
    return any(_minutes(w[:5]) <= now < _minutes(w[6:]) for w in wins)

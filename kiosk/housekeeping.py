"""Scheduled housekeeping of a running terminal: outbox purge, catalogue expiry warning."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from kiosk.catalogue.model import Catalogue
from kiosk.outbox import Outbox

log = logging.getLogger(__name__)

EXPIRY_WARN_DAYS = 30
INTERVAL_S = 3600.0


@dataclass(frozen=True)
class Report:
    """What one housekeeping pass did."""

    purged_rows: int
    catalogue_days_left: float | None
    catalogue_warning: bool


def run_once(outbox: Outbox | None, catalogue: Catalogue | None, now: float | None = None) -> Report:
    """Purge delivered outbox rows past retention; warn when the catalogue expires soon."""
    now = time.time() if now is None else now
    purged = outbox.purge(now) if outbox is not None else 0
    days = None
    warn = False
    if catalogue is not None:
        days = (catalogue.expires_at - datetime.fromtimestamp(now, timezone.utc)).total_seconds() / 86400
        if days <= 0:
            warn = True
            log.error("catalogue v%d expired %s: central staff must publish a new version",
                      catalogue.version, catalogue.expires_at.date())
        elif days < EXPIRY_WARN_DAYS:
            warn = True
            log.warning("catalogue v%d expires in %.0f days (%s)", catalogue.version, days,
                        catalogue.expires_at.date())
    return Report(purged, days, warn)


class Housekeeper:
    """Runs `run_once` every `interval_s` on a daemon thread until stopped (log rotation is the handler's)."""

    def __init__(self, outbox: Outbox | None, catalogue: Callable[[], Catalogue | None],
                 interval_s: float = INTERVAL_S) -> None:
        self.outbox = outbox
        self.catalogue = catalogue
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="housekeeping", daemon=True)
        self.last: Report | None = None

    def start(self) -> Housekeeper:
        """Start the thread (first pass at once)."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop within a second."""
        self._stop.set()
        self._thread.join(1.0)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.last = run_once(self.outbox, self.catalogue())
            except Exception:  # housekeeping must never take the kiosk down
                log.exception("housekeeping pass failed")
            self._stop.wait(self.interval_s)

"""Scheduled housekeeping of a running terminal.

Outbox purge belongs to the sync worker (it owns the queue's writes), log rotation to the
rotating file handler; what is left here is the catalogue expiry warning and the hourly
integrity check of the outbox (a damaged queue closes intake until `kiosk outbox repair`).
Free space is watched by kiosk.outbox.guard.IntakeGuard on every question, not hourly.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from kiosk.catalogue.model import Catalogue

log = logging.getLogger(__name__)

EXPIRY_WARN_DAYS = 30
INTERVAL_S = 3600.0


def catalogue_days_left(catalogue: Catalogue | None, now: float | None = None) -> float | None:
    """Days until the catalogue expires (negative once expired); logs a warning inside 30 days."""
    if catalogue is None:
        return None
    now = time.time() if now is None else now
    days = (catalogue.expires_at - datetime.fromtimestamp(now, UTC)).total_seconds() / 86400
    if days <= 0:
        log.error(
            "catalogue v%d expired %s: central staff must publish a new version",
            catalogue.version,
            catalogue.expires_at.date(),
        )
    elif days < EXPIRY_WARN_DAYS:
        log.warning(
            "catalogue v%d expires in %.0f days (%s)",
            catalogue.version,
            days,
            catalogue.expires_at.date(),
        )
    return days


def check_outbox(outbox: Any) -> Any:
    """The hourly integrity check of the open queue (quick_check, marker, high-water marks)."""
    if outbox is None or not hasattr(outbox, "check"):
        return None
    from kiosk.outbox import OutboxClosed

    try:
        return outbox.check()
    except OutboxClosed:
        return None


class Housekeeper:
    """Runs the scheduled checks every `interval_s` on a daemon thread until stopped."""

    def __init__(
        self,
        catalogue: Callable[[], Catalogue | None],
        interval_s: float = INTERVAL_S,
        *,
        outbox: Any = None,
    ) -> None:
        self.catalogue = catalogue
        self.outbox = outbox
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="housekeeping", daemon=True)
        self.passes = 0
        self.days_left: float | None = None
        self.outbox_damage: Any = None

    def start(self) -> Housekeeper:
        """Start the thread (first pass at once)."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop within a second."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(1.0)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.days_left = catalogue_days_left(self.catalogue())
            except Exception:  # housekeeping must never take the kiosk down
                log.exception("housekeeping pass failed")
            try:
                self.outbox_damage = check_outbox(self.outbox)
            except Exception:
                log.exception("outbox integrity check failed")
            self.passes += 1
            self._stop.wait(self.interval_s)

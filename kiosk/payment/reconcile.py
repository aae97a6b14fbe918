"""Background re-check of unfinished orders: at start and every minute until each is settled."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from kiosk.payment.orders import PaymentPort

log = logging.getLogger(__name__)

INTERVAL_S = 60.0
RETENTION_S = 30 * 86400.0
"""Settled orders (closed, refunded, paid and printed) are kept this long for reprints."""


class Reconciler:
    """A daemon thread running PaymentPort.reconcile; `current` names the order on screen."""

    def __init__(
        self,
        port: PaymentPort,
        interval_s: float = INTERVAL_S,
        current: Callable[[], str | None] = lambda: None,
    ) -> None:
        self.port = port
        self.interval_s = interval_s
        self.current = current
        self.passes = 0
        self.last: dict[str, str] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Reconciler:
        """Start the thread (first pass at once)."""
        self._thread = threading.Thread(target=self._run, name="kiosk-payments", daemon=True)
        self._thread.start()
        return self

    def run_once(self) -> dict[str, str]:
        """One pass: re-check, then purge old settled orders."""
        self.last = self.port.reconcile(self.current())
        self.port.store.purge(time.time() - RETENTION_S)
        self.passes += 1
        return self.last

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception as exc:  # noqa: BLE001 - the next pass tries again
                log.error("payment re-check failed: %s", exc)
            self._stop.wait(self.interval_s)

    def stop(self) -> None:
        """Stop the thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

"""A TCP connect to central every 1.5 s: a cut cable shows on the home screen within 5 s.

The sync worker's heartbeat runs every `central.heartbeat_interval_s` (30–60 s), far too
rarely to tell a citizen the network is gone. A connect is cheap (no TLS, no HTTP, nothing
logged on central) and fails at once when the route, the link or central's listener is down;
on success while offline, the worker is asked for a heartbeat, which confirms the way back.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

PROBE_INTERVAL_S = 1.5
"""Seconds between two probes."""
CONNECT_TIMEOUT_S = 2.0
"""A connect slower than this counts as unreachable (interval + timeout stay under 5 s)."""


def reachable(base_url: str, timeout: float = CONNECT_TIMEOUT_S) -> bool:
    """Whether a TCP connection to the host and port of `base_url` opens within `timeout`."""
    parts = urlsplit(base_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if not parts.hostname:
        return False
    try:
        with socket.create_connection((parts.hostname, port), timeout=timeout):
            return True
    except OSError:
        return False


class ReachabilityProbe:
    """Probes `client.base_url` and tells the sync worker at once when the answer changes."""

    def __init__(
        self,
        client: Any,
        sync: Any,
        *,
        interval_s: float = PROBE_INTERVAL_S,
        timeout_s: float = CONNECT_TIMEOUT_S,
        probe: Callable[[str, float], bool] = reachable,
    ) -> None:
        self.client = client
        self.sync = sync
        self.interval_s = interval_s
        self.timeout_s = timeout_s
        self.probe = probe
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last: bool | None = None

    def check(self) -> bool:
        """One probe; reports a loss to the worker, or asks it to confirm a return."""
        from kiosk.sync import Connectivity

        ok = self.probe(self.client.base_url, self.timeout_s)
        if not ok:
            if self.last is not False:
                log.warning("central unreachable (TCP connect failed)")
            self.sync.note_unreachable()
        elif self.last is not True and self.sync.state is Connectivity.OFFLINE:
            self.sync.recheck()  # back: a heartbeat decides (reachable is not yet answering)
        self.last = ok
        return ok

    def start(self) -> None:
        """Probe in a daemon thread until `stop()`."""

        def run() -> None:
            while not self._stop.wait(self.interval_s):
                try:
                    self.check()
                except Exception:  # noqa: BLE001 - the probe must outlive anything
                    log.exception("reachability probe failed")

        self._stop.clear()
        self._thread = threading.Thread(target=run, name="kiosk-netwatch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop probing."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(self.timeout_s + 1)
            self._thread = None

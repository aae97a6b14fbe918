"""Append-only audit log of maintenance entries, exits and actions (one JSON object a line)."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from drivers.privacy import scrub_text

log = logging.getLogger(__name__)


class AuditLog:
    """Writes one fsync'ed JSON line per event to `path`."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.clock = clock
        self._lock = threading.Lock()

    def record(self, action: str, **details: Any) -> dict[str, Any]:
        """Append an event (personal data in details is masked) and return it."""
        event = {
            "ts": round(self.clock(), 3),
            "action": action,
            **{k: scrub_text(str(v)) for k, v in details.items()},
        }
        line = json.dumps(event, ensure_ascii=False) + "\n"
        with self._lock:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                try:
                    os.write(fd, line.encode("utf-8"))
                    os.fsync(fd)
                finally:
                    os.close(fd)
            except OSError as exc:
                # A full or read-only disk must not lock the technician out of fixing it: the
                # event goes to the kiosk log instead (already scrubbed above).
                log.error(
                    "audit log %s not writable (%s); event: %s",
                    self.path,
                    exc.strerror or exc,
                    line.strip(),
                )
        return event

    def tail(self, n: int = 200) -> list[dict[str, Any]]:
        """The last n events."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in lines[-n:] if line.strip()]

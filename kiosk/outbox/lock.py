"""Inter-process delivery lock: the kiosk or `kiosk outbox flush` / `repair`, never both."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class DeliveryLock:
    """Inter-process lock: only one process (the kiosk or `outbox flush`) delivers at a time."""

    def __init__(self, queue_path: str | Path) -> None:
        self.path = Path(str(queue_path) + ".deliver.lock")
        self._fd: int | None = None

    def acquire(self) -> bool:
        """Take the lock without waiting; False if another process holds it."""
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        """Give the lock back."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

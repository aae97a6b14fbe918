"""The technician's "out of service" switch, kept on disk so a restart does not reopen the terminal."""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.config import TerminalConfig

log = logging.getLogger(__name__)


class PausedFlag:
    """data_dir/admin/paused.json exists while the terminal is out of service by hand."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.clock = clock

    @classmethod
    def from_config(cls, cfg: TerminalConfig) -> PausedFlag:
        """The terminal's switch, beside the PIN state and the audit log in data_dir/admin."""
        return cls(cfg.data_path / "admin" / "paused.json")

    def is_set(self) -> bool:
        """Whether a technician left the terminal out of service."""
        return self.path.exists()

    def since(self) -> float | None:
        """When it was put out of service (None when in service or unreadable)."""
        try:
            return float(json.loads(self.path.read_text(encoding="utf-8"))["since"])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("%s unreadable (%s); the terminal stays out of service", self.path, exc)
            return None

    def set(self, paused: bool) -> None:
        """Write (paused) or remove (back in service) the flag, atomically."""
        if not paused:
            self.path.unlink(missing_ok=True)
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"since": self.clock()}), encoding="utf-8")
        os.replace(tmp, self.path)

"""Logging set-up: rotating files, a separate `kiosk.wire` logger, personal data scrubbed."""

from __future__ import annotations

import logging
import logging.handlers
import os
import threading
from pathlib import Path

from drivers.privacy import scrub_text
from kiosk import clock

log = logging.getLogger(__name__)

WIRE_LOGGER = "kiosk.wire"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class ScrubFilter(logging.Filter):
    """Rewrites each record so that ID numbers, phone numbers and known names are masked."""

    def __init__(self) -> None:
        super().__init__()
        self._names: set[str] = set()
        self._lock = threading.Lock()

    def add_name(self, name: str) -> None:
        """Mask this name in every record from now on (e.g. the current card holder)."""
        if name:
            with self._lock:
                self._names.add(name)

    def clear_names(self) -> None:
        """Forget the names (at session end)."""
        with self._lock:
            self._names.clear()

    def filter(self, record: logging.LogRecord) -> bool:
        with self._lock:
            names = tuple(self._names)
        message = record.getMessage()
        record.msg = scrub_text(message, names)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub_text(record.exc_text, names)
        if record.stack_info:
            record.stack_info = scrub_text(record.stack_info, names)
        return True


scrubber = ScrubFilter()


class TerminalTimeFormatter(logging.Formatter):
    """Timestamps in the terminal's zone with its UTC offset (kiosk.clock), like the receipts:
    2026-11-26 03:34:00.123+0800."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        when = clock.local(record.created)
        return f"{when:%Y-%m-%d %H:%M:%S}.{int(record.msecs):03d}{when:%z}"


def _formatter() -> logging.Formatter:
    return TerminalTimeFormatter(FORMAT)


def _handler(handler: logging.Handler, level: int) -> logging.Handler:
    handler.setLevel(level)
    handler.setFormatter(_formatter())
    handler.addFilter(scrubber)
    return handler


def setup_logging(
    log_dir: Path | None,
    level: str = "INFO",
    *,
    wire: bool = False,
    max_bytes: int = 5_000_000,
    backups: int = 5,
    console: bool = True,
) -> None:
    """Install scrubbed handlers on the root logger (file in log_dir, stderr) and the wire logger."""
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_kiosk", False):
            root.removeHandler(h)
            h.close()
    root.setLevel(logging.DEBUG)
    lvl = logging.getLevelName(level)
    handlers: list[logging.Handler] = []
    if console:
        handlers.append(_handler(logging.StreamHandler(), lvl))
    if log_dir is not None:
        log_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        for name in ("kiosk.log", "wire.log"):  # personal data is scrubbed, but logs stay private
            path = log_dir / name
            if path.exists() and path.stat().st_mode & 0o077:
                os.chmod(path, 0o600)
        handlers.append(
            _handler(
                logging.handlers.RotatingFileHandler(
                    log_dir / "kiosk.log", maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
                ),
                lvl,
            )
        )
    for h in handlers:
        h._kiosk = True  # type: ignore[attr-defined]
        root.addHandler(h)

    wire_log = logging.getLogger(WIRE_LOGGER)
    wire_log.propagate = False
    for h in list(wire_log.handlers):
        wire_log.removeHandler(h)
        h.close()
    if wire and log_dir is not None:
        wire_log.setLevel(logging.DEBUG)
        wire_log.addHandler(
            _handler(
                logging.handlers.RotatingFileHandler(
                    log_dir / "wire.log", maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
                ),
                logging.DEBUG,
            )
        )
    else:
        wire_log.setLevel(logging.CRITICAL + 1)

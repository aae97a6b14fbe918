"""What maintenance mode sees and does on the running kiosk (no widgets).

Works only through the running `Services` (never reopens a port the kiosk holds). Every method
blocks, is safe to call from a worker thread, and answers with a small frozen dataclass: an
expected failure (network down, paper out, nothing configured) is `ok=False` with a short
English reason, never an exception. No result carries personal data unless masked.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from drivers.errors import DriverError
from drivers.privacy import mask_id_number, mask_name, scrub_text
from kiosk import __version__
from kiosk.admin.maintenance import log_tail
from kiosk.central_errors import (
    AuthError,
    CentralClientError,
    CentralTimeout,
    NetworkError,
    ProtocolError,
    Rejected,
    ServerError,
)
from kiosk.config import TerminalConfig
from kiosk.doctor import clock_reading
from kiosk.errors import KioskError
from kiosk.outbox import State
from kiosk.services import Services
from kiosk.session.ports import CardHolder, DeviceState, ReceiptDoc

log = logging.getLogger(__name__)

DEVICES = ("idcard", "printer", "scanner", "a4printer")
NOT_CONFIGURED = "not_configured"
"""Reason/code: the service or device is not set up in the configuration."""
DISABLED = "disabled"
"""Device row reason when the device is switched off in the configuration."""

# The test page is the technician's, printed from kiosk.admin (which must not import kiosk.ui).
TEST_PAGE_TEXT: dict[str, dict[str, str]] = {
    "zh_CN": {
        "title": "打印机测试页",
        "terminal": "终端编号",
        "hall": "服务大厅",
        "time": "打印时间",
        "version": "软件版本",
        "charset": "字符测试",
        "footer": "本页仅供维护人员测试使用",
    },
    "en": {
        "title": "Printer test page",
        "terminal": "Terminal",
        "hall": "Hall",
        "time": "Printed at",
        "version": "Software",
        "charset": "Characters",
        "footer": "Maintenance test page",
    },
}
CHARSET_LINE = "汉字ABCxyz0189，。！"
"""CJK, ASCII and full-width punctuation on one line that fits a 58 mm roll after its label."""

MAX_NAME_CHARS = 24
MAX_ID_CHARS = 24
SCAN_SHOWN = 3
"""Characters of a scan shown at each end (the rest only counted)."""


# ---- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TerminalInfo:
    """Who this terminal is and how long the app has run."""

    terminal_id: str
    hall_name: str
    region_code: str
    app_version: str
    uptime_s: float
    config_source: str
    demo: bool


@dataclass(frozen=True)
class DeviceRow:
    """One device as the maintenance screen lists it."""

    name: str
    configured: bool
    url: str
    ok: bool
    reason: str
    last_error: str
    last_error_at: float | None


@dataclass(frozen=True)
class PrintCheck:
    """Outcome of the test page: printed (confirmed by the printer) or the reason code."""

    ok: bool
    reason: str = ""


@dataclass(frozen=True)
class HeartbeatCheck:
    """A signed heartbeat sent now: round trip, clock skew and its level, or why it failed."""

    ok: bool
    rtt_ms: float | None = None
    skew_s: float | None = None
    skew_level: str = ""
    error: str = ""
    code: str = "ok"
    """ok / not_configured / unreachable / timeout / auth / refused / server / protocol / invalid."""
    commands: tuple[str, ...] = ()


@dataclass(frozen=True)
class OutboxReport:
    """Counts of the store-and-forward queue."""

    ok: bool
    pending: int = 0
    dead: int = 0
    delivered: int = 0
    oldest_pending_age_s: float | None = None
    last_error: str | None = None
    error: str = ""


@dataclass(frozen=True)
class CatalogueReport:
    """The active item catalogue."""

    ok: bool
    version: int = 0
    items: int = 0
    key_id: str = ""
    expires_at: datetime | None = None
    days_left: float | None = None
    expired: bool = False
    error: str = ""


@dataclass(frozen=True)
class RefreshCheck:
    """A catalogue fetch from central now: installed a newer one (changed) or not, and why."""

    ok: bool
    changed: bool = False
    version: int = 0
    error: str = ""
    code: str = "ok"


@dataclass(frozen=True)
class MaskedCard:
    """A card read during the live card test, masked for the screen."""

    name: str
    id_number: str
    card_type: str
    sex: str
    birth_year: str
    has_photo: bool


# ---- device history --------------------------------------------------------------------------


class DeviceHistory:
    """The last non-ok DeviceState reason of each device and when it came (thread-safe)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._last: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def record(self, event: object) -> None:
        """Remember a non-ok DeviceState; ignore everything else."""
        if isinstance(event, DeviceState) and not event.ok:
            with self._lock:
                self._last[event.device] = (event.reason or "fault", self.clock())

    def last(self, device: str) -> tuple[str, float] | None:
        """(reason, epoch time) of the device's last fault, or None."""
        with self._lock:
            return self._last.get(device)


# ---- the console -----------------------------------------------------------------------------


class Console:
    """The maintenance screen's window onto the running kiosk."""

    def __init__(
        self,
        services: Services,
        cfg: TerminalConfig,
        *,
        started: float | None = None,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.services = services
        self.cfg = cfg
        self.clock = clock
        self.monotonic = monotonic
        self.started = monotonic() if started is None else started
        self.history = DeviceHistory(clock)

    # -- terminal and devices --

    def info(self) -> TerminalInfo:
        """Identity of the terminal, app version and uptime."""
        cfg = self.cfg
        return TerminalInfo(
            cfg.terminal_id,
            cfg.hall_name,
            cfg.region_code,
            __version__,
            max(0.0, self.monotonic() - self.started),
            str(cfg.source) if cfg.source is not None else "",
            cfg.demo,
        )

    def devices(self, engine_devices: Mapping[str, str]) -> list[DeviceRow]:
        """One row per device from the engine's reasons ("" = ok) and the remembered faults."""
        rows = []
        for name in DEVICES:
            dev = getattr(self.cfg, name)
            reason = engine_devices.get(name, "")
            if not dev.enabled and not reason:
                reason = DISABLED
            last = self.history.last(name)
            rows.append(
                DeviceRow(
                    name,
                    dev.enabled,
                    dev.url,
                    dev.enabled and not reason,
                    reason,
                    last[0] if last else "",
                    last[1] if last else None,
                )
            )
        return rows

    def observe(self, event: object) -> None:
        """Feed every device event here (UI thread); faults are remembered per device."""
        self.history.record(event)

    def print_test_page(self, lang: str = "zh_CN") -> PrintCheck:
        """Print the test page through the kiosk's own printer port."""
        printer = self.services.printer
        if printer is None:
            return PrintCheck(False, NOT_CONFIGURED)
        try:
            outcome = printer.print_receipt(self.test_page(lang))
        except (DriverError, KioskError, OSError) as exc:
            log.warning("test page not printed: %s: %s", type(exc).__name__, exc)
            return PrintCheck(False, "error")
        log.info("test page: %s", "printed" if outcome.printed else outcome.reason)
        return (
            PrintCheck(True) if outcome.printed else PrintCheck(False, outcome.reason or "failed")
        )

    def test_page(self, lang: str = "zh_CN") -> ReceiptDoc:
        """The test page: identity, time, version, a CJK + ASCII line, a QR of the terminal id."""
        text = TEST_PAGE_TEXT.get(lang, TEST_PAGE_TEXT["zh_CN"])
        now = datetime.fromtimestamp(self.clock()).strftime("%Y-%m-%d %H:%M:%S")
        lines = (
            (text["terminal"], self.cfg.terminal_id),
            (text["hall"], self.cfg.hall_name),
            (text["time"], now),
            (text["version"], __version__),
            (text["charset"], CHARSET_LINE),
        )
        return ReceiptDoc(
            title=text["title"], lines=lines, qr=self.cfg.terminal_id, footer=text["footer"]
        )

    # -- central --

    def heartbeat(self) -> HeartbeatCheck:
        """Send a real signed heartbeat (the live device snapshot, catalogue version, outbox depth)."""
        client, sync = self.services.client, self.services.sync
        if client is None or sync is None:
            return HeartbeatCheck(False, error="no central service configured", code=NOT_CONFIGURED)
        body = sync.heartbeat_body()
        if body is None:
            return HeartbeatCheck(
                False, error="heartbeat content invalid (see the log)", code="invalid"
            )
        t0 = self.clock()
        try:
            reply = client.heartbeat(body)
        except CentralClientError as exc:
            code = (
                "timeout"
                if isinstance(exc, CentralTimeout)
                else "unreachable"
                if isinstance(exc, NetworkError)
                else "auth"
                if isinstance(exc, AuthError)
                else "refused"
                if isinstance(exc, Rejected)
                else "server"
                if isinstance(exc, ServerError)
                else "protocol"
                if isinstance(exc, ProtocolError)
                else "error"
            )
            hint = " (check terminal id, secret and clock)" if code == "auth" else ""
            return HeartbeatCheck(False, error=scrub_text(str(exc))[:300] + hint, code=code)
        t1 = self.clock()
        reading = clock_reading(t0, t1, reply.server_time)
        return HeartbeatCheck(
            True,
            rtt_ms=reading.rtt_ms,
            skew_s=reading.skew_s,
            skew_level=reading.level.value,
            commands=tuple(reply.commands),
        )

    # -- outbox --

    def outbox(self) -> OutboxReport:
        """Pending, dead and delivered rows, the oldest pending age and the last error."""
        box = self.services.outbox
        if box is None:
            return OutboxReport(False, error="no outbox (central not configured)")
        try:
            stats = box.stats()
        except (KioskError, sqlite3.Error) as exc:
            return OutboxReport(False, error=f"outbox unreadable: {exc}")
        return OutboxReport(
            True,
            stats.count(State.PENDING),
            stats.count(State.DEAD),
            stats.count(State.DELIVERED),
            stats.oldest_pending_age_s,
            stats.last_error,
        )

    def retry_dead(self) -> int:
        """Make every dead row pending again and wake the sync worker; how many."""
        box = self.services.outbox
        if box is None:
            return 0
        try:
            n = box.retry_dead()
        except (KioskError, sqlite3.Error) as exc:
            log.warning("retry of dead outbox rows failed: %s", exc)
            return 0
        if self.services.sync is not None:
            self.services.sync.wake()
        return n

    # -- catalogue --

    def catalogue(self) -> CatalogueReport:
        """Version, item count, signing key and expiry of the active catalogue."""
        cat = self.services.catalogue
        if cat is None:
            return CatalogueReport(False, error="no catalogue installed")
        expires = cat.expires_at
        days = (expires - datetime.fromtimestamp(self.clock(), UTC)).total_seconds() / 86400
        return CatalogueReport(
            True, cat.version, len(cat.items), cat.key_id, expires, days, days <= 0
        )

    def refresh_catalogue(self) -> RefreshCheck:
        """Fetch the catalogue from central now; install it if it is newer."""
        sync = self.services.sync
        if sync is None:
            return RefreshCheck(
                False,
                version=self._version(),
                error="no central service configured",
                code=NOT_CONFIGURED,
            )
        installed, error = sync.try_refresh_catalogue()
        after = self._version()
        if error:
            return RefreshCheck(False, False, after, scrub_text(error)[:300], "failed")
        return RefreshCheck(True, installed, after)

    def _version(self) -> int:
        cat = self.services.catalogue
        return int(cat.version) if cat is not None else 0

    # -- log --

    def log_file(self) -> Path:
        """Path of the kiosk log (`<logging dir>/kiosk.log`)."""
        log_dir = self.cfg.resolve(self.cfg.logging.dir, base="data")
        return (log_dir or self.cfg.data_path) / "kiosk.log"

    def log_tail(self, n: int = 200) -> list[str]:
        """The last n lines of the kiosk log (scrubbed when written; scrubbed again here)."""
        return [scrub_text(line) for line in log_tail(self.log_file(), n)]


# ---- masking for the live card and scan tests -----------------------------------------------


def _cap(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def mask_holder(holder: CardHolder) -> MaskedCard:
    """A card holder for the screen: masked name and ID number, birth year only; no address, no photo."""
    name = holder.name.strip()
    masked = mask_name(name)
    if masked == name:  # one character, or Latin initials only: nothing left to keep
        masked = "*" * len(name)
    birth = holder.birth[:4] if holder.birth[:4].isdigit() else ""
    return MaskedCard(
        _cap(masked, MAX_NAME_CHARS),
        _cap(mask_id_number(holder.id_number.strip()), MAX_ID_CHARS),
        holder.card_type,
        _cap(holder.sex, 8),
        birth,
        bool(holder.photo),
    )


def _shown(ch: str) -> str:
    return ch if ch.isascii() and ch.isprintable() else "*"


def mask_scan(text: str) -> str:
    """A scanned code for the screen: a few ASCII characters at each end ("" for an empty scan;
    the screen adds the length in its own language)."""
    clean = scrub_text(text)
    k = min(SCAN_SHOWN, len(clean) // 4)
    if k:
        head = "".join(_shown(c) for c in clean[:k])
        tail = "".join(_shown(c) for c in clean[-k:])
        return f"{head}…{tail}"
    return "…" if text else ""

"""`kiosk doctor`: one table of checks, each ok / warn / fail with the fix in one line."""

from __future__ import annotations

import enum
import logging
import shutil
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kiosk import config as config_mod
from kiosk.errors import ConfigError, KioskError
from kiosk.payment.doctor import check_payments

log = logging.getLogger(__name__)

DISK_WARN_BYTES = 500 * 1024 * 1024
DISK_FAIL_BYTES = 50 * 1024 * 1024


class Level(enum.Enum):
    """Outcome of one check."""

    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class Result:
    """One row of the doctor table."""

    name: str
    level: Level
    detail: str
    fix: str = ""


Check = Callable[[config_mod.TerminalConfig], Iterator[Result]]


def check_font(cfg: config_mod.TerminalConfig) -> Iterator[Result]:
    """A CJK font is configured or found by fontconfig."""
    from kiosk.ui.fonts import find_cjk_font

    font = find_cjk_font(cfg.resolve(cfg.font_path))
    if font is None:
        yield Result(
            "CJK font",
            Level.FAIL,
            "no Chinese font found",
            "apt install fonts-wqy-microhei, or set font_path",
        )
    else:
        yield Result("CJK font", Level.OK, str(font))


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_disk(cfg: config_mod.TerminalConfig) -> Iterator[Result]:
    """Free space where the outbox and the logs are written; below the reserve intake pauses."""
    reserve = cfg.outbox.reserve_mb * 1024 * 1024
    places = {
        "outbox": cfg.resolve(cfg.outbox.path, base="data"),
        "logs": cfg.resolve(cfg.logging.dir, base="data"),
    }
    for what, path in places.items():
        assert path is not None
        free = shutil.disk_usage(_nearest_existing(path)).free
        mib = free // (1024 * 1024)
        if what == "outbox" and free < max(reserve, 1):
            yield Result(
                f"disk ({what})",
                Level.FAIL,
                f"{mib} MiB free at {path.parent}, below the reserve of {cfg.outbox.reserve_mb} "
                f"MiB: new requests and ratings are paused",
                "free disk space (old logs, core dumps); intake resumes by itself within 30 s",
            )
        elif free < DISK_FAIL_BYTES:
            yield Result(
                f"disk ({what})",
                Level.FAIL,
                f"{mib} MiB free at {path.parent}",
                "free disk space: purge old logs, check retention_days",
            )
        elif free < DISK_WARN_BYTES:
            yield Result(
                f"disk ({what})",
                Level.WARN,
                f"{mib} MiB free at {path.parent}",
                "free disk space soon",
            )
        else:
            yield Result(f"disk ({what})", Level.OK, f"{mib} MiB free")


def check_secret(cfg: config_mod.TerminalConfig) -> Iterator[Result]:
    """The terminal secret file exists, passes the same rule as the client and central
    (hex, ≥ 16 bytes: kiosk.central_api.parse_secret), and is not readable by others."""
    from kiosk.central_api import parse_secret

    path = cfg.resolve(cfg.central.secret_file)
    assert path is not None
    try:
        raw = parse_secret(path.read_text(encoding="ascii"))
    except FileNotFoundError:
        yield Result(
            "terminal secret",
            Level.FAIL,
            f"{path} missing",
            "put the secret from `kiosk central terminal add` there, chmod 600",
        )
        return
    except (OSError, UnicodeDecodeError) as exc:
        yield Result(
            "terminal secret",
            Level.FAIL,
            f"{path} unreadable ({exc.__class__.__name__})",
            "write the hex secret on one line",
        )
        return
    except ValueError as exc:
        yield Result(
            "terminal secret",
            Level.FAIL,
            f"{path}: {exc}",
            "register the terminal again (kiosk central terminal add … writes a 32-byte "
            "secret) and put the new hex secret in this file",
        )
        return
    mode = path.stat().st_mode & 0o077
    if mode and not cfg.demo:
        yield Result(
            "terminal secret", Level.WARN, f"{path} readable by group/others", f"chmod 600 {path}"
        )
    else:
        yield Result("terminal secret", Level.OK, f"{len(raw)} bytes")


PRINTER_FIXES = {
    "paper_out": "load a new paper roll",
    "cover_open": "close the printer cover",
    "offline": "check the printer's power and error light, then its cable",
    "error": "clear the jam / cutter error, power-cycle the printer",
    "unknown": "no status reply: check cable, URL and baud rate (kiosk printer status --device URL)",
}


def check_idcard(cfg: config_mod.TerminalConfig) -> Iterator[Result]:
    """The reader opens and its SAM passes the self-test."""
    from drivers.idcard.errors import IdCardError
    from kiosk.devices import idcard_reader

    if not cfg.idcard.enabled:
        yield Result(
            "ID card reader",
            Level.WARN,
            "disabled in config",
            "items needing an ID card are greyed",
        )
        return
    reader = idcard_reader(cfg)
    try:
        reader.open()
        sam = reader.sam_id()
    except IdCardError as exc:
        yield Result(
            "ID card reader",
            Level.FAIL,
            f"{cfg.idcard.url}: {exc}",
            f"check cable and power; kiosk card sam --device {cfg.idcard.url}",
        )
        return
    finally:
        reader.close()
    yield Result("ID card reader", Level.OK, f"{cfg.idcard.url}: SAM ok, id {sam}")


def check_printer(cfg: config_mod.TerminalConfig) -> Iterator[Result]:
    """The printer answers DLE EOT with paper loaded and cover closed."""
    from drivers.printer.errors import PrinterError
    from kiosk.devices import receipt_printer

    if not cfg.printer.enabled:
        yield Result(
            "printer", Level.WARN, "disabled in config", "receipts are shown on screen only"
        )
        return
    try:
        printer = receipt_printer(cfg)
        status = printer.status()
        printer.close()
    except PrinterError as exc:
        yield Result(
            "printer", Level.FAIL, f"{cfg.printer.url}: {exc}", "check printer.url and profile"
        )
        return
    if status.value == "ok":
        yield Result("printer", Level.OK, f"{cfg.printer.url}: ok")
    elif status.value == "near_end":
        yield Result(
            "printer", Level.WARN, f"{cfg.printer.url}: paper near end", "replace the roll soon"
        )
    else:
        yield Result(
            "printer", Level.FAIL, f"{cfg.printer.url}: {status.value}", PRINTER_FIXES[status.value]
        )


A4_FIXES = {
    "media_empty": "load A4 paper, then resume the queue (cupsenable QUEUE)",
    "door_open": "close the printer's doors",
    "media_jam": "clear the paper jam, then resume the queue",
    "toner_empty": "replace the toner cartridge",
    "offline": "check the printer's power and network, then `lpstat -p`",
    "stopped": "the CUPS queue is stopped: cupsenable QUEUE (and find out why in the CUPS log)",
    "not_accepting": "the queue refuses jobs: cupsaccept QUEUE",
    "unreachable": "cupsd or the queue does not answer: check a4printer.url and `lpstat -v`",
}


def check_a4printer(cfg: config_mod.TerminalConfig) -> Iterator[Result]:
    """The A4 printer's CUPS queue answers IPP, is not stopped and accepts jobs."""
    from drivers.a4printer import A4PrinterError
    from kiosk.devices import a4printer

    if not cfg.a4printer.enabled:
        yield Result(
            "A4 printer",
            Level.WARN,
            "none configured",
            "print items (certificates) are greyed; set [a4printer] to offer them",
        )
        return
    try:
        st = a4printer(cfg).status()
    except A4PrinterError as exc:
        yield Result("A4 printer", Level.FAIL, f"{cfg.a4printer.url}: {exc}", "check a4printer.url")
        return
    reasons = ", ".join(st.reasons) or "none"
    if st.can_print and st.value in ("ok", "toner_low", "media_low"):
        level = Level.OK if st.value == "ok" else Level.WARN
        yield Result(
            "A4 printer",
            level,
            f"{cfg.a4printer.url}: {st.value} (reasons: {reasons})",
            "" if level == Level.OK else "order toner / paper soon",
        )
    elif st.can_print:
        yield Result(
            "A4 printer",
            Level.WARN,
            f"{cfg.a4printer.url}: idle, reports {st.value}",
            A4_FIXES.get(st.value, "see `kiosk a4printer status`"),
        )
    else:
        yield Result(
            "A4 printer",
            Level.FAIL,
            f"{cfg.a4printer.url}: {st.value} (reasons: {reasons})",
            A4_FIXES.get(st.value, "see `kiosk a4printer status`"),
        )


def check_scanner(cfg: config_mod.TerminalConfig) -> Iterator[Result]:
    """The scanner's port opens (a scanner has no status command)."""
    from drivers.scanner.errors import ScannerError
    from kiosk.devices import scanner

    if not cfg.scanner.enabled:
        yield Result(
            "scanner", Level.WARN, "disabled in config", "QR identification and case scans are off"
        )
        return
    dev = scanner(cfg)
    try:
        dev.start()
    except ScannerError as exc:
        yield Result(
            "scanner",
            Level.FAIL,
            f"{cfg.scanner.url}: {exc}",
            f"check cable; kiosk scanner read --device {cfg.scanner.url} --timeout 10",
        )
        return
    finally:
        dev.stop()
    yield Result("scanner", Level.OK, f"{cfg.scanner.url}: port open")


def check_camera(cfg: config_mod.TerminalConfig) -> Iterator[Result]:
    """The camera delivers a frame (looked at for light only, then dropped) and the face models
    load; needed by id_card+face items (人证比对)."""
    from drivers.camera import CameraBusy, CameraError
    from kiosk.devices import camera

    if not cfg.camera.enabled:
        yield Result(
            "camera", Level.WARN, "disabled in config", "id_card+face items (人证比对) are greyed"
        )
        return
    dev = camera(cfg)
    try:
        dev.open()
        frame = dev.read()
        h, w = frame.shape[:2]
        luma = float(frame.mean())
        del frame
    except ImportError as exc:
        yield Result(
            "camera",
            Level.FAIL,
            f"face extra not installed ({exc.name})",
            "pip install 'selfservice-kiosk[face]', or camera.enabled = false",
        )
        return
    except CameraBusy as exc:
        yield Result(
            "camera",
            Level.WARN,
            f"{cfg.camera.url}: {exc}",
            "the kiosk may be in a face step; else: fuser -v /dev/video*",
        )
        return
    except CameraError as exc:
        yield Result(
            "camera",
            Level.FAIL,
            f"{cfg.camera.url}: {exc}",
            "check the USB cable; v4l2-ctl --list-devices; kiosk camera status",
        )
        return
    finally:
        dev.close()
    try:
        from kiosk.identity import models

        models.get()
    except Exception as exc:  # noqa: BLE001 - a broken install is reported, not raised
        yield Result(
            "camera",
            Level.FAIL,
            f"face models: {exc}",
            "reinstall the face extra: pip install 'selfservice-kiosk[face]'",
        )
        return
    detail = f"{cfg.camera.url}: {w}×{h}, mean brightness {luma:.0f}/255"
    if luma < 40:
        yield Result(
            "camera",
            Level.WARN,
            detail,
            "very dark: check the lens cover and the light above the terminal",
        )
    else:
        yield Result("camera", Level.OK, detail)


CATALOGUE_EXPIRY_WARN_DAYS = 30


def check_sscard(cfg: config_mod.TerminalConfig) -> Iterator[Result]:
    """The PC/SC service answers, the configured 社保卡 reader is there, a card in it or not."""
    from kiosk.commands.sscard import status_of
    from kiosk.devices import sscard_reader

    if not cfg.sscard.enabled:
        yield Result(
            "sscard",
            Level.WARN,
            "disabled in config",
            "社保卡 not offered; items taking only 社保卡 are greyed",
        )
        return
    st = status_of(sscard_reader(cfg))
    err = str(st.get("error", ""))
    if err.startswith("ServiceError"):
        yield Result(
            "sscard",
            Level.FAIL,
            f"{cfg.sscard.url}: {err}",
            "start the PC/SC service: systemctl start pcscd (package pcscd)",
        )
    elif err:
        yield Result(
            "sscard",
            Level.FAIL,
            f"{cfg.sscard.url}: {err}",
            "check the reader's USB cable; pcsc_scan lists the readers; kiosk sscard status",
        )
    else:
        card = "card in the slot" if st["card"] else "no card"
        yield Result("sscard", Level.OK, f"{st['reader']}: {card}")


def check_catalogue(cfg: config_mod.TerminalConfig) -> Iterator[Result]:
    """The active catalogue (or the default bundle) verifies with a trusted key and is not expiring."""

    from kiosk.catalogue.errors import CatalogueError, KeyFileError
    from kiosk.catalogue.signing import verify_bundle
    from kiosk.catalogue.trust import trusted_keys_from_config
    from kiosk.services import catalogue_store

    try:
        trusted = trusted_keys_from_config(cfg)
    except KeyFileError as exc:
        yield Result(
            "catalogue",
            Level.FAIL,
            str(exc),
            "install the city's public key file named in catalogue.trusted_keys "
            "(kiosk config check lists every missing file)",
        )
        return
    if not trusted:
        yield Result(
            "catalogue",
            Level.FAIL,
            "no trusted catalogue key",
            "add catalogue.trusted_keys (the city's staff signing keys)",
        )
        return
    store_dir = cfg.resolve(cfg.catalogue.store_dir, base="data")
    try:
        store = catalogue_store(cfg, trusted)
        catalogue = store.active()
        where = f"store {store_dir}"
        floor = store.floor.get().version
        if catalogue is None and store.problem:
            yield Result(
                "catalogue",
                Level.FAIL,
                f"{store.problem}; the kiosk keeps the catalogue it has in memory (none "
                f"after a restart) and refuses anything below v{floor}",
                f"kiosk catalogue install BUNDLE --config … with the current bundle "
                f"(v{floor} or newer), or have central staff publish a newer version "
                f"(it arrives with the next heartbeat)",
            )
            return
        if catalogue is None and cfg.catalogue.default_bundle:
            default = cfg.resolve(cfg.catalogue.default_bundle)
            assert default is not None
            catalogue = verify_bundle(default.read_bytes(), trusted)
            where = f"default bundle {default} (not installed yet)"
    except (CatalogueError, OSError) as exc:
        yield Result(
            "catalogue",
            Level.FAIL,
            f"{type(exc).__name__}: {exc}",
            "publish a bundle signed by a trusted key (kiosk catalogue verify BUNDLE --config …)",
        )
        return
    if catalogue is None:
        yield Result(
            "catalogue",
            Level.FAIL,
            f"no catalogue in {store_dir} and no default_bundle",
            "install one: kiosk catalogue install BUNDLE --config …",
        )
        return
    now = datetime.now(UTC)
    days = (catalogue.expires_at - now).total_seconds() / 86400
    summary = f"v{catalogue.version}, {len(catalogue.items)} items, key {catalogue.key_id or '?'}, {where}"
    if days <= 0:
        yield Result(
            "catalogue",
            Level.FAIL,
            f"expired {catalogue.expires_at:%Y-%m-%d}: {summary}",
            "central staff must publish a new version",
        )
    elif days < CATALOGUE_EXPIRY_WARN_DAYS:
        yield Result(
            "catalogue",
            Level.WARN,
            f"expires in {days:.0f} days: {summary}",
            "ask central staff to publish a new version",
        )
    else:
        yield Result("catalogue", Level.OK, summary)


SKEW_WARN_S = 30.0
SKEW_FAIL_S = 240.0  # central refuses signatures beyond 300 s
OUTBOX_PENDING_WARN_S = 3600.0


@dataclass(frozen=True)
class ClockReading:
    """Round trip and clock skew of one request to central, and how bad the skew is."""

    rtt_ms: float
    skew_s: float
    level: Level


def clock_reading(sent_at: float, answered_at: float, server_time: datetime) -> ClockReading:
    """Skew = central's time minus the midpoint of our send/answer wall-clock times."""
    skew = server_time.timestamp() - (sent_at + answered_at) / 2
    level = (
        Level.FAIL
        if abs(skew) >= SKEW_FAIL_S
        else Level.WARN
        if abs(skew) >= SKEW_WARN_S
        else Level.OK
    )
    return ClockReading(max(0.0, (answered_at - sent_at) * 1000), skew, level)


def check_central(cfg: config_mod.TerminalConfig) -> Iterator[Result]:
    """A signed heartbeat reaches central: reachable, authenticating, clock skew, round trip."""
    import time

    from kiosk import __version__
    from kiosk.central_client import CentralClient
    from kiosk.central_errors import AuthError, CentralClientError, NetworkError

    handle = None
    try:
        if cfg.central.url == "embedded":
            try:
                from central.demo import start_embedded
                from central.errors import CentralError
            except ImportError as exc:
                yield Result(
                    "central",
                    Level.FAIL,
                    f"embedded sandbox not installed ({exc.name})",
                    "the embedded demo needs the central extra: pip install "
                    "'selfservice-kiosk[terminal,central]'; or set central.url",
                )
                return
            try:
                handle = start_embedded(cfg)
            except CentralError as exc:
                yield Result(
                    "central",
                    Level.FAIL,
                    f"embedded sandbox: {exc}",
                    "check central.secret_file (kiosk config check lists missing files)",
                )
                return
            client = CentralClient.from_config(cfg, base_url=handle.url)
            where = "embedded sandbox"
        else:
            client = CentralClient.from_config(cfg)
            where = cfg.central.url
        t0 = time.time()
        try:
            reply = client.heartbeat(
                {
                    "devices": {},
                    "catalogue_version": 0,
                    "outbox_depth": 0,
                    "app_version": f"{__version__} (doctor)",
                    "uptime_s": 0,
                }
            )
        finally:
            client.close()
        t1 = time.time()
    except AuthError as exc:
        yield Result(
            "central",
            Level.FAIL,
            f"refused our signature: {exc}",
            "check terminal_id and the secret file match central's registration; check the clock",
        )
        return
    except NetworkError as exc:
        yield Result(
            "central",
            Level.FAIL,
            f"unreachable: {exc}",
            "check network, DNS, proxy and central.url; the outbox keeps requests meanwhile",
        )
        return
    except CentralClientError as exc:
        yield Result("central", Level.FAIL, str(exc), "check the central section of the config")
        return
    finally:
        if handle is not None:
            handle.stop()
    reading = clock_reading(t0, t1, reply.server_time)
    skew = reading.skew_s
    yield Result(
        "central",
        Level.OK,
        f"{where}: heartbeat signed and accepted, {reading.rtt_ms:.0f} ms round trip",
    )
    if reading.level is Level.FAIL:
        yield Result(
            "clock skew",
            Level.FAIL,
            f"{skew:+.0f} s from central",
            "set the clock (timedatectl set-ntp true); past 300 s central refuses every request",
        )
    elif reading.level is Level.WARN:
        yield Result(
            "clock skew",
            Level.WARN,
            f"{skew:+.0f} s from central",
            "enable NTP: timedatectl set-ntp true",
        )
    else:
        yield Result("clock skew", Level.OK, f"{skew:+.1f} s")


def check_outbox(cfg: config_mod.TerminalConfig) -> Iterator[Result]:
    """Queue intact (quick_check, identity marker, high-water marks); pending / dead rows."""
    from kiosk.errors import KioskError
    from kiosk.outbox import OutboxDamaged, State, open_existing

    refused = "new requests and ratings are refused until it is repaired"
    try:
        box = open_existing(cfg)
        if box is None:
            yield Result("outbox", Level.OK, "empty (nothing queued yet)")
            return
        with box:
            damage = box.check()
            if damage is not None:
                raise damage
            stats = box.stats()
    except OutboxDamaged as exc:
        yield Result(
            "outbox", Level.FAIL, f"damaged ({exc.kind}): {exc.detail}; {refused}", exc.fix
        )
        return
    except KioskError as exc:
        yield Result(
            "outbox",
            Level.FAIL,
            str(exc),
            "restore the outbox key file from backup, or see docs/outbox.md",
        )
        return
    pending, dead = stats.count(State.PENDING), stats.count(State.DEAD)
    age = stats.oldest_pending_age_s or 0.0
    detail = f"{pending} pending, {dead} dead" + (
        f", oldest pending {age / 60:.0f} min" if pending else ""
    )
    if dead:
        yield Result(
            "outbox",
            Level.WARN,
            detail,
            "central refused rows: kiosk outbox status, fix, kiosk outbox retry-dead --all",
        )
    elif pending and age > OUTBOX_PENDING_WARN_S:
        yield Result(
            "outbox", Level.WARN, detail, "rows are not leaving: check the central line above"
        )
    else:
        yield Result("outbox", Level.OK, detail + ", integrity ok")


def check_admin_pin(cfg: config_mod.TerminalConfig) -> Iterator[Result]:
    """The maintenance PIN: set, a hash this software wrote, not the demo PIN, not locked out now."""
    from kiosk.admin.errors import BadPinHash
    from kiosk.admin.maintenance import MaintenanceMode
    from kiosk.admin.pin import DEMO_PIN, verify_pin

    fix = "kiosk config set-pin"
    if not cfg.admin_pin_hash:
        yield Result(
            "maintenance PIN", Level.WARN, "not set: the maintenance screen cannot be opened", fix
        )
        return
    try:
        demo = verify_pin(DEMO_PIN, cfg.admin_pin_hash)
    except BadPinHash as exc:
        yield Result("maintenance PIN", Level.FAIL, str(exc), fix)
        return
    if demo and not cfg.demo:
        yield Result("maintenance PIN", Level.FAIL, f"still the demo PIN {DEMO_PIN}", fix)
        return
    locked = MaintenanceMode.from_config(cfg).guard.remaining_lockout()
    if locked:
        yield Result(
            "maintenance PIN",
            Level.WARN,
            f"locked for {locked:.0f} s after wrong PINs",
            "wait; every attempt is in data_dir/admin/audit.jsonl",
        )
        return
    yield Result("maintenance PIN", Level.OK, "set (scrypt)" + (" — demo PIN" if demo else ""))


def check_file_modes(cfg: config_mod.TerminalConfig) -> Iterator[Result]:
    """The data directory and everything in it are private (dirs 0700, files 0600)."""
    from kiosk.admin.filemodes import MAX_LISTED, loose_paths

    root = cfg.data_path
    loose = loose_paths(root)
    if not root.exists():
        yield Result("file modes", Level.OK, f"{root} not created yet (kiosk run creates it 0700)")
        return
    if not loose:
        yield Result("file modes", Level.OK, f"{root}: dirs 0700, files 0600")
        return
    shown = ", ".join(
        f"{p.relative_to(root) if p != root else p} {m:04o}" for p, m in loose[:MAX_LISTED]
    )
    more = f" and {len(loose) - MAX_LISTED} more" if len(loose) > MAX_LISTED else ""
    yield Result(
        "file modes",
        Level.WARN if cfg.demo else Level.FAIL,
        f"{len(loose)} path(s) open to group/others: {shown}{more}",
        f"chmod -R go-rwx {root} (kiosk run also tightens them at start)",
    )


def check_timezone(cfg: config_mod.TerminalConfig) -> Iterator[Result]:
    """terminal.timezone against the system's zone (screen, receipts and logs use the former)."""
    from kiosk import clock

    want = cfg.terminal.timezone
    system = clock.system_zone_name()
    if system == want or (system and clock.same_offsets(system, clock.zone_from_name(want))):
        yield Result("time zone", Level.OK, f"{want} (system {system})")
        return
    yield Result(
        "time zone",
        Level.WARN,
        f"terminal.timezone is {want} but the system zone is {system or 'unknown'}: the "
        f"kiosk shows and prints {want} time, other tools (journalctl, cron) the system's",
        f"timedatectl set-timezone {want}",
    )


CHECKS: list[Check] = [
    check_font,
    check_secret,
    check_disk,
    check_file_modes,
    check_timezone,
    check_admin_pin,
    check_idcard,
    check_printer,
    check_a4printer,
    check_scanner,
    check_camera,
    check_sscard,
    check_catalogue,
    check_central,
    check_outbox,
    check_payments,
]
from kiosk.voice.doctor import check_voice  # noqa: E402  (issue 22)

CHECKS.append(check_voice)


def run_checks(config_path: str | None, checks: list[Check] | None = None) -> list[Result]:
    """Load the config and run every check; a crashing check is a fail row, never a traceback."""
    try:
        cfg = config_mod.load(config_path)
    except ConfigError as exc:
        return [
            Result(
                "config",
                Level.FAIL,
                f"{len(exc.problems)} problem(s): {exc.problems[0]}",
                f"kiosk config check {exc.path}",
            )
        ]
    results = [Result("config", Level.OK, f"{cfg.source} (terminal {cfg.terminal_id})")]
    for check in checks if checks is not None else CHECKS:
        try:
            results.extend(check(cfg))
        except KioskError as exc:  # a known failure the check did not word: still one line
            log.error("doctor check %s: %s", check.__name__, exc)
            results.append(
                Result(
                    check.__name__.removeprefix("check_"),
                    Level.FAIL,
                    f"{exc.__class__.__name__}: {exc}",
                    "see the log for the cause",
                )
            )
        except Exception as exc:  # a broken check must not hide the others
            log.exception("doctor check %s crashed", check.__name__)
            results.append(
                Result(
                    check.__name__.removeprefix("check_"),
                    Level.FAIL,
                    f"check crashed: {exc.__class__.__name__}: {exc}",
                    "report this with the log file",
                )
            )
    return results


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def format_table(results: list[Result]) -> str:
    """Aligned plain-text table (CJK counted as two columns)."""
    name_w = max(_width(r.name) for r in results)
    lines = []
    for r in results:
        line = f"{r.level.value.upper():4}  {r.name}{' ' * (name_w - _width(r.name))}  {r.detail}"
        if r.fix and r.level is not Level.OK:
            line += f"\n{'':4}  {'':{name_w}}  → {r.fix}"
        lines.append(line)
    return "\n".join(lines)

"""`kiosk doctor`: one table of checks, each ok / warn / fail with the fix in one line."""
from __future__ import annotations

import enum
import logging
import shutil
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kiosk import config as config_mod
from kiosk.errors import ConfigError

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
        yield Result("CJK font", Level.FAIL, "no Chinese font found",
                     "apt install fonts-wqy-microhei, or set font_path")
    else:
        yield Result("CJK font", Level.OK, str(font))


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_disk(cfg: config_mod.TerminalConfig) -> Iterator[Result]:
    """Free space where the outbox and the logs are written."""
    places = {"outbox": cfg.resolve(cfg.outbox.path, base="data"),
              "logs": cfg.resolve(cfg.logging.dir, base="data")}
    for what, path in places.items():
        assert path is not None
        free = shutil.disk_usage(_nearest_existing(path)).free
        mib = free // (1024 * 1024)
        if free < DISK_FAIL_BYTES:
            yield Result(f"disk ({what})", Level.FAIL, f"{mib} MiB free at {path.parent}",
                         "free disk space: purge old logs, check retention_days")
        elif free < DISK_WARN_BYTES:
            yield Result(f"disk ({what})", Level.WARN, f"{mib} MiB free at {path.parent}",
                         "free disk space soon")
        else:
            yield Result(f"disk ({what})", Level.OK, f"{mib} MiB free")


def check_secret(cfg: config_mod.TerminalConfig) -> Iterator[Result]:
    """The terminal secret file exists, is hex, and is not readable by others."""
    path = cfg.resolve(cfg.central.secret_file)
    assert path is not None
    try:
        text = path.read_text(encoding="ascii").strip()
        bytes.fromhex(text)
    except FileNotFoundError:
        yield Result("terminal secret", Level.FAIL, f"{path} missing",
                     "put the secret from `kiosk central terminal add` there, chmod 600")
        return
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        yield Result("terminal secret", Level.FAIL, f"{path} unreadable or not hex ({exc.__class__.__name__})",
                     "write the hex secret on one line")
        return
    mode = path.stat().st_mode & 0o077
    if mode and not cfg.demo:
        yield Result("terminal secret", Level.WARN, f"{path} readable by group/others",
                     f"chmod 600 {path}")
    else:
        yield Result("terminal secret", Level.OK, f"{len(text) // 2} bytes")


CHECKS: list[Check] = [check_font, check_secret, check_disk]


def run_checks(config_path: str | None, checks: list[Check] | None = None) -> list[Result]:
    """Load the config and run every check; a crashing check is a fail row, never a traceback."""
    try:
        cfg = config_mod.load(config_path)
    except ConfigError as exc:
        return [Result("config", Level.FAIL, f"{len(exc.problems)} problem(s): {exc.problems[0]}",
                       f"kiosk config check {exc.path}")]
    results = [Result("config", Level.OK, f"{cfg.source} (terminal {cfg.terminal_id})")]
    for check in checks if checks is not None else CHECKS:
        try:
            results.extend(check(cfg))
        except Exception as exc:  # a broken check must not hide the others
            log.exception("doctor check %s crashed", check.__name__)
            results.append(Result(check.__name__.removeprefix("check_"), Level.FAIL,
                                  f"check crashed: {exc.__class__.__name__}: {exc}",
                                  "report this with the log file"))
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

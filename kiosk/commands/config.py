"""`kiosk config`: check a terminal configuration."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from kiosk.commands import add_group
from kiosk.errors import ConfigError

if TYPE_CHECKING:
    from pathlib import Path

    from pydantic import BaseModel

    from kiosk.config import TerminalConfig

#: Path settings that need not exist yet: the kiosk creates them in data_dir on first run.
CREATED_AT_RUN = {"outbox.key_file"}
#: Settings naming a file the terminal reads (besides every `*_file` setting).
FILE_SETTINGS = {"default_bundle", "ca_bundle"}


def register(sub: argparse._SubParsersAction) -> None:
    """Register the `kiosk config` group."""
    group = add_group(sub, "config", "terminal configuration: check, set-pin")
    p = group.add_parser(
        "check",
        help="validate a terminal.toml and list every problem",
        description="Exit 0 with a summary when valid; exit 2 listing every "
        "problem as `field.path: message` when not.",
    )
    p.add_argument(
        "path",
        nargs="?",
        default=None,
        help="config file (default: config/terminal.toml, the demo)",
    )
    p.set_defaults(handler=_check, parser=p)
    p = group.add_parser(
        "set-pin",
        help="set the maintenance PIN (stored as a salted scrypt hash)",
        description="Ask for a new 4–12 digit PIN twice and write its salted "
        "scrypt hash to admin_pin_hash in the config file.",
    )
    p.add_argument("path", nargs="?", default=None, help="config file (default: the demo config)")
    p.add_argument(
        "--pin-stdin",
        action="store_true",
        help="read the PIN from one line of standard input (for provisioning scripts)",
    )
    p.set_defaults(handler=_set_pin, parser=p)


def _check(args: argparse.Namespace) -> int:
    from kiosk import config

    try:
        cfg = config.load(args.path)
    except ConfigError as exc:
        print(f"{exc.path}: {len(exc.problems)} problem(s)", file=sys.stderr)
        for line in exc.problems:
            print(f"  {line}", file=sys.stderr)
        return 2
    missing = missing_files(cfg)
    if missing:
        print(f"{cfg.source}: {len(missing)} problem(s)", file=sys.stderr)
        for line in missing:
            print(f"  {line}", file=sys.stderr)
        return 2
    devices = ", ".join(
        f"{name}={dev.url}" if dev.enabled else f"{name}=off"
        for name, dev in (
            ("idcard", cfg.idcard),
            ("printer", cfg.printer),
            ("scanner", cfg.scanner),
        )
    )
    print(
        f'ok: {cfg.source}: terminal {cfg.terminal_id} "{cfg.hall_name}" region {cfg.region_code}, '
        f"central {cfg.central.url}, {devices}"
    )
    return 0


def _file_settings(model: BaseModel, prefix: str) -> list[tuple[str, str]]:
    """(dotted.setting, value) of every file-naming setting in a config (sub-)model."""
    from pydantic import BaseModel

    found: list[tuple[str, str]] = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        where = f"{prefix}{name}"
        if isinstance(value, BaseModel):
            found += _file_settings(value, where + ".")
        elif isinstance(value, (list, tuple)):
            for i, entry in enumerate(value):
                if isinstance(entry, BaseModel):
                    found += _file_settings(entry, f"{where}[{i}].")
        elif isinstance(value, str) and (name.endswith("_file") or name in FILE_SETTINGS):
            found.append((where, value))
    return found


def missing_files(cfg: TerminalConfig) -> list[str]:
    """`setting: path: problem` for each file the config names that is missing or unreadable."""
    import os

    problems = []
    for setting, value in _file_settings(cfg, ""):
        if setting in CREATED_AT_RUN:
            continue
        path = cfg.resolve(value)
        assert path is not None
        if not path.is_file():
            problems.append(f"{setting}: {path}: file not found")
        elif not os.access(path, os.R_OK):
            problems.append(f"{setting}: {path}: not readable by this user")
    return problems


def write_pin_hash(text: str, pin_hash: str) -> str:
    """Return the TOML text with the top-level admin_pin_hash set (comments and layout kept)."""
    import tomlkit

    doc = tomlkit.parse(text)
    doc["admin_pin_hash"] = pin_hash
    return tomlkit.dumps(doc)


def replace_keeping_mode(path: Path, text: str) -> None:
    """Atomically replace `path` with `text`, keeping its mode and (as root) owner and group."""
    import os

    st = path.stat()
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, st.st_mode & 0o7777)
    try:
        os.fchmod(fd, st.st_mode & 0o7777)  # O_CREAT's mode is filtered by the umask
        if os.geteuid() == 0:
            os.fchown(fd, st.st_uid, st.st_gid)
        data = text.encode("utf-8")
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    os.replace(tmp, path)


def _set_pin(args: argparse.Namespace) -> int:
    import getpass
    from pathlib import Path

    from kiosk import config
    from kiosk.admin.pin import hash_pin

    path = Path(args.path) if args.path else config.DEFAULT_CONFIG
    try:
        config.load(path)
    except ConfigError as exc:
        print(f"{exc.path}: fix the config first:", *exc.problems, sep="\n  ", file=sys.stderr)
        return 2
    if args.pin_stdin:
        pin = sys.stdin.readline().strip()
    else:
        pin = getpass.getpass("new maintenance PIN (4–12 digits): ")
        if getpass.getpass("again: ") != pin:
            print("the two PINs differ; nothing changed", file=sys.stderr)
            return 1
    try:
        pin_hash = hash_pin(pin)
    except ValueError as exc:
        print(f"{exc}; nothing changed", file=sys.stderr)
        return 1
    text = write_pin_hash(path.read_text(encoding="utf-8"), pin_hash)
    try:
        replace_keeping_mode(path, text)
    except OSError as exc:
        print(f"{path}: cannot write: {exc.strerror or exc}; nothing changed", file=sys.stderr)
        return 1
    config.load(path)
    print(f"maintenance PIN set in {path}")
    return 0

"""`kiosk config`: check a terminal configuration."""
from __future__ import annotations

import argparse
import sys

from kiosk.commands import add_group
from kiosk.errors import ConfigError


def register(sub: argparse._SubParsersAction) -> None:
    """Register the `kiosk config` group."""
    group = add_group(sub, "config", "terminal configuration: check, set-pin")
    p = group.add_parser("check", help="validate a terminal.toml and list every problem",
                         description="Exit 0 with a summary when valid; exit 2 listing every "
                                     "problem as `field.path: message` when not.")
    p.add_argument("path", nargs="?", default=None,
                   help="config file (default: config/terminal.toml, the demo)")
    p.set_defaults(handler=_check, parser=p)
    p = group.add_parser("set-pin", help="set the maintenance PIN (stored as a salted scrypt hash)",
                         description="Ask for a new 4–12 digit PIN twice and write its salted "
                                     "scrypt hash to admin_pin_hash in the config file.")
    p.add_argument("path", nargs="?", default=None, help="config file (default: the demo config)")
    p.add_argument("--pin-stdin", action="store_true",
                   help="read the PIN from one line of standard input (for provisioning scripts)")
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
    devices = ", ".join(
        f"{name}={dev.url}" if dev.enabled else f"{name}=off"
        for name, dev in (("idcard", cfg.idcard), ("printer", cfg.printer), ("scanner", cfg.scanner))
    )
    print(f"ok: {cfg.source}: terminal {cfg.terminal_id} \"{cfg.hall_name}\" region {cfg.region_code}, "
          f"central {cfg.central.url}, {devices}")
    return 0


def write_pin_hash(text: str, pin_hash: str) -> str:
    """Return the TOML text with the top-level admin_pin_hash set (comments kept)."""
    import re

    line = f'admin_pin_hash = "{pin_hash}"'
    lines = text.splitlines()
    first_table = next((i for i, l in enumerate(lines) if re.match(r"\s*\[", l)), len(lines))
    for i in range(first_table):
        if re.match(r"\s*admin_pin_hash\s*=", lines[i]):
            lines[i] = line
            break
    else:
        lines.insert(first_table, line)
        if first_table < len(lines) - 1:
            lines.insert(first_table + 1, "")
    return "\n".join(lines) + "\n"


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
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    config.load(path)
    print(f"maintenance PIN set in {path}")
    return 0

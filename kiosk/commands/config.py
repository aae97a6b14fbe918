"""`kiosk config`: check a terminal configuration."""
from __future__ import annotations

import argparse
import sys

from kiosk.commands import add_group
from kiosk.errors import ConfigError


def register(sub: argparse._SubParsersAction) -> None:
    """Register the `kiosk config` group."""
    group = add_group(sub, "config", "terminal configuration: check")
    p = group.add_parser("check", help="validate a terminal.toml and list every problem",
                         description="Exit 0 with a summary when valid; exit 2 listing every "
                                     "problem as `field.path: message` when not.")
    p.add_argument("path", nargs="?", default=None,
                   help="config file (default: config/terminal.toml, the demo)")
    p.set_defaults(handler=_check, parser=p)


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

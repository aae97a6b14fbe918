"""`kiosk sim KIND`: run a device simulator stand-alone (one module kiosk/commands/sim_KIND.py each)."""

from __future__ import annotations

import argparse
import importlib

from kiosk.commands import add_group

KINDS = ("idcard", "printer", "scanner")


def register(sub: argparse._SubParsersAction) -> None:
    """Register the `kiosk sim` group and each simulator found in kiosk.commands.sim_<kind>."""
    group = add_group(sub, "sim", "run a device simulator stand-alone (pty or TCP)")
    for kind in KINDS:
        try:
            module = importlib.import_module(f"kiosk.commands.sim_{kind}")
        except ModuleNotFoundError as exc:
            if exc.name != f"kiosk.commands.sim_{kind}":
                raise
            continue
        module.register(group)

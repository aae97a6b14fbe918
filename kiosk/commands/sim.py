"""`kiosk sim`: run a device simulator stand-alone."""
from __future__ import annotations

import argparse

from kiosk.commands import add_group


def register(sub: argparse._SubParsersAction) -> None:
    """Register the `kiosk sim` group."""
    add_group(sub, "sim", "run a device simulator stand-alone")

"""`kiosk printer`: receipt printer: status, test page."""
from __future__ import annotations

import argparse

from kiosk.commands import add_group


def register(sub: argparse._SubParsersAction) -> None:
    """Register the `kiosk printer` group."""
    add_group(sub, "printer", "receipt printer: status, test page")

"""`kiosk scanner`: QR/barcode scanner: read a code."""
from __future__ import annotations

import argparse

from kiosk.commands import add_group


def register(sub: argparse._SubParsersAction) -> None:
    """Register the `kiosk scanner` group."""
    add_group(sub, "scanner", "QR/barcode scanner: read a code")

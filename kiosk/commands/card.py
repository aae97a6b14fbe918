"""`kiosk card`: ID card reader: read a card, SAM status."""
from __future__ import annotations

import argparse

from kiosk.commands import add_group


def register(sub: argparse._SubParsersAction) -> None:
    """Register the `kiosk card` group."""
    add_group(sub, "card", "ID card reader: read a card, SAM status")

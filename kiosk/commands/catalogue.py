"""`kiosk catalogue`: item catalogue: keygen, sign, verify, install, show."""
from __future__ import annotations

import argparse

from kiosk.commands import add_group


def register(sub: argparse._SubParsersAction) -> None:
    """Register the `kiosk catalogue` group."""
    add_group(sub, "catalogue", "item catalogue: keygen, sign, verify, install, show")

"""`kiosk central`: reference central service: serve, terminals, tokens, publish."""
from __future__ import annotations

import argparse

from kiosk.commands import add_group


def register(sub: argparse._SubParsersAction) -> None:
    """Register the `kiosk central` group."""
    add_group(sub, "central", "reference central service: serve, terminals, tokens, publish")

"""`kiosk outbox`: store-and-forward queue: status, retry, flush."""
from __future__ import annotations

import argparse

from kiosk.commands import add_group


def register(sub: argparse._SubParsersAction) -> None:
    """Register the `kiosk outbox` group."""
    add_group(sub, "outbox", "store-and-forward queue: status, retry, flush")

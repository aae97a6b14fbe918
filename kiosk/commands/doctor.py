"""`kiosk doctor`: check config, font, devices, central, disk and catalogue (issue 9)."""
from __future__ import annotations

import argparse

from kiosk.commands import add_group


def register(sub: argparse._SubParsersAction) -> None:
    """Register the `kiosk doctor` group."""
    add_group(sub, "doctor", "check config, font, devices, central, disk and catalogue (issue 9)")

"""`kiosk run`: start the kiosk application."""

from __future__ import annotations

import argparse

from kiosk.commands import add_config_option


def register(sub: argparse._SubParsersAction) -> None:
    """Register `kiosk run`."""
    p = sub.add_parser(
        "run",
        help="start the kiosk (demo config by default)",
        description="Start the kiosk full screen.",
    )
    add_config_option(p)
    p.add_argument("--windowed", action="store_true", help="a window instead of full screen")
    p.add_argument("--size", metavar="WxH", default=None, help="window size, e.g. 1080x1920")
    p.add_argument(
        "--exit-after",
        type=float,
        metavar="S",
        default=None,
        help="quit after S seconds (smoke tests)",
    )
    p.set_defaults(handler=_run, parser=p)


def _run(args: argparse.Namespace) -> int:
    from kiosk.app import run

    return run(
        config_path=args.config, windowed=args.windowed, size=args.size, exit_after=args.exit_after
    )

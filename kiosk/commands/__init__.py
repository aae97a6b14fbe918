"""Subcommand groups of the `kiosk` CLI, one module each (see kiosk.cli.GROUPS)."""

from __future__ import annotations

import argparse


def add_group(sub: argparse._SubParsersAction, name: str, help: str) -> argparse._SubParsersAction:
    """Add a group parser (`kiosk NAME …`) and return its own sub-parsers collection."""
    parser = sub.add_parser(name, help=help, description=help)
    parser.set_defaults(handler=None, parser=parser)
    return parser.add_subparsers(dest=f"{name}_command", metavar="ACTION")


def add_config_option(parser: argparse.ArgumentParser) -> None:
    """--config PATH (default: the demo config/terminal.toml)."""
    parser.add_argument(
        "--config",
        metavar="PATH",
        default=None,
        help="terminal config file (default: config/terminal.toml, the demo)",
    )

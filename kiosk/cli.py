"""`kiosk` command line: one subcommand group per module in kiosk/commands/.

argparse (stdlib) rather than click: no extra dependency on the terminal image, usage errors
exit 2 by itself, and each group module registers its own sub-parsers without import magic.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from kiosk import __version__

# Group name → module in kiosk.commands; each module has register(subparsers).
GROUPS = (
    "run",
    "config",
    "doctor",
    "card",
    "printer",
    "scanner",
    "sim",
    "catalogue",
    "outbox",
    "central",
    "maintenance",
    "document",
    "a4printer",
    "camera",
    "face",
    "sscard",
)


def build_parser() -> argparse.ArgumentParser:
    """The full `kiosk` parser with every group registered."""
    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="Self-service terminal (政务服务 24小时自助终端): run the kiosk and service it.",
    )
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in GROUPS:
        try:
            importlib.import_module(f"kiosk.commands.{name.replace('-', '_')}").register(sub)
        except ModuleNotFoundError as exc:
            # A central server installs without the terminal extra (and a terminal without the
            # central one): that group's command says what to install instead of a traceback.
            if (exc.name or "").split(".")[0] in ("kiosk", "drivers", "central"):
                raise
            _unavailable(sub, name, exc.name or "?")
    return parser


def _unavailable(sub: argparse._SubParsersAction, name: str, missing: str) -> None:
    def handler(_args: argparse.Namespace) -> int:
        print(
            f"kiosk {name}: not installed here ({missing} is missing): install the extra that "
            f"brings it, e.g. pip install 'selfservice-kiosk[terminal]' or '[central]'",
            file=sys.stderr,
        )
        return 2

    p = sub.choices.get(name)  # the group may have registered before a sub-command failed
    if p is None:
        p = sub.add_parser(name, help=f"(not installed: needs {missing})", add_help=False)
        p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(handler=handler, parser=p)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `kiosk` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        args.parser.print_help(sys.stderr)
        return 2
    try:
        return int(handler(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `kiosk … | head`: the reader went away; silence the flush at exit too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())

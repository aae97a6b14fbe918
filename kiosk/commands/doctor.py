"""`kiosk doctor`: check config, font, secret, disk (devices, central, outbox, catalogue as they land)."""

from __future__ import annotations

import argparse

from kiosk.commands import add_config_option


def register(sub: argparse._SubParsersAction) -> None:
    """Register `kiosk doctor`."""
    p = sub.add_parser(
        "doctor",
        help="check this terminal: each item ok / warn / fail with the fix",
        description="One table of checks; exit 0 only if nothing failed.",
    )
    add_config_option(p)
    p.set_defaults(handler=_doctor, parser=p)


def _doctor(args: argparse.Namespace) -> int:
    from kiosk.doctor import Level, format_table, run_checks

    results = run_checks(args.config)
    print(format_table(results))
    return 1 if any(r.level is Level.FAIL for r in results) else 0

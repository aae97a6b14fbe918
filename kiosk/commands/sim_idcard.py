"""`kiosk sim idcard`: run the ID card reader simulator stand-alone on a pty or a TCP port."""

from __future__ import annotations

import argparse
import sys
import threading

from drivers.sim.base import serve
from drivers.sim.idcard import DEMO_CARDS, IdCardSimulator

HELP = (
    "commands on stdin: insert KIND | remove | silence on|off | sam_fault HEX|none | "
    "noise P | quit   (KIND: " + ", ".join(DEMO_CARDS) + ")"
)


def register(group: argparse._SubParsersAction) -> None:
    """Add `kiosk sim idcard` to the `kiosk sim` group."""
    parser = group.add_parser(
        "idcard",
        help="ID card reader simulator (GA 467 SAM protocol)",
        description="Run the ID card reader simulator. The first line printed is the device URL "
        "to give to `kiosk card read --device` or config [idcard] url. " + HELP,
    )
    parser.add_argument(
        "--tcp",
        type=int,
        metavar="PORT",
        default=None,
        help="serve on 127.0.0.1:PORT (0 = any free port) instead of a pty",
    )
    parser.add_argument(
        "--card",
        choices=sorted(DEMO_CARDS),
        default=None,
        help="demo card placed on the reader at start",
    )
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="simulator option as in sim://idcard?KEY=VALUE (noise, silence, "
        "drop_after, sam_fault, pace_baud, seed); repeatable",
    )
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    options: dict[str, str] = {}
    for item in args.option:
        key, sep, value = item.partition("=")
        options[key.strip()] = value.strip() if sep else ""
    if args.card:
        options["card"] = args.card
    try:
        sim = IdCardSimulator.from_options(options)
    except ValueError as exc:
        print(f"kiosk sim idcard: {exc}", file=sys.stderr)
        return 2
    try:
        server, url = serve(sim, args.tcp)
    except OSError as exc:
        print(f"kiosk sim idcard: cannot listen on port {args.tcp}: {exc}", file=sys.stderr)
        return 4
    print(url, flush=True)
    print(f"ID card simulator on {url}; Ctrl-C to stop. {HELP}", file=sys.stderr, flush=True)
    try:
        _console(sim)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def _console(sim: IdCardSimulator) -> None:
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        cmd, rest = words[0].lower(), words[1:]
        try:
            if cmd == "quit":
                return
            if cmd == "insert":
                sim.insert(rest[0] if rest else "mainland")
            elif cmd == "remove":
                sim.remove()
            elif cmd == "silence":
                sim.silence = bool(rest) and rest[0] == "on"
            elif cmd == "sam_fault":
                sim.sam_fault = None if not rest or rest[0] == "none" else int(rest[0], 16)
            elif cmd == "noise":
                sim.noise = float(rest[0])
            else:
                raise ValueError(f"unknown command {cmd!r}")
        except (ValueError, IndexError) as exc:
            print(f"? {exc}. {HELP}", file=sys.stderr, flush=True)
            continue
        print(f"ok {cmd}", file=sys.stderr, flush=True)
    threading.Event().wait()  # stdin closed: serve until interrupted

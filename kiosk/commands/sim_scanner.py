"""`kiosk sim scanner`: run the simulated scanner; each line typed on stdin is scanned."""

from __future__ import annotations

import argparse
import sys


def register(group: argparse._SubParsersAction) -> None:
    """Add `kiosk sim scanner` to the `kiosk sim` group."""
    parser = group.add_parser(
        "scanner", help="simulated QR scanner: lines typed on stdin are scanned"
    )
    parser.add_argument(
        "--tcp", type=int, metavar="PORT", help="listen on 127.0.0.1:PORT (default: a pty)"
    )
    parser.add_argument("--terminator", choices=("CR", "LF", "CRLF"), default="CR")
    parser.add_argument("--encoding", choices=("utf-8", "gbk"), default="utf-8")
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from drivers.sim.base import serve
    from drivers.sim.scanner import ScannerSimulator

    sim = ScannerSimulator(args.terminator)
    try:
        server, where = serve(sim, args.tcp)
    except OSError as exc:
        print(f"error: cannot listen: {exc}", file=sys.stderr)
        return 4
    print(
        f"simulated scanner on {where}; type a code and Enter to scan it (Ctrl-D stops)", flush=True
    )
    try:
        for line in sys.stdin:
            code = line.rstrip("\n")
            if code:
                if not sim.connected:
                    print("(no host connected: code not sent)", flush=True)
                    continue
                sim.scan(code, args.encoding)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0

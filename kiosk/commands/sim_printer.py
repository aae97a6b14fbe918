"""`kiosk sim printer`: run the simulated receipt printer on a pty or a TCP port."""

from __future__ import annotations

import argparse
import sys
import threading


def register(group: argparse._SubParsersAction) -> None:
    """Add `kiosk sim printer` to the `kiosk sim` group."""
    parser = group.add_parser("printer", help="simulated ESC/POS printer; pages become PNG files")
    parser.add_argument(
        "--tcp", type=int, metavar="PORT", help="listen on 127.0.0.1:PORT (default: a pty)"
    )
    parser.add_argument(
        "--out", metavar="DIR", default="sim-printer-out", help="directory for page PNGs"
    )
    parser.add_argument("--paper", choices=("ok", "near_end", "out"), default="ok")
    parser.add_argument("--paper-mm", type=int, choices=(58, 80), default=80)
    parser.add_argument(
        "--paper-lines", type=int, metavar="N", help="run out of paper after N lines"
    )
    parser.add_argument("--cover-open", action="store_true")
    parser.add_argument("--offline", action="store_true")
    parser.add_argument("--silent", action="store_true", help="never answer status requests")
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace, stop: threading.Event | None = None) -> int:
    from drivers.sim.base import serve
    from drivers.sim.printer import PrinterSimulator

    sim = PrinterSimulator(
        paper=args.paper,
        cover_open=args.cover_open,
        offline=args.offline,
        silent=args.silent,
        paper_lines=args.paper_lines,
        out_dir=args.out,
        paper_mm=args.paper_mm,
    )
    try:
        server, where = serve(sim, args.tcp, scheme="tcp")
    except OSError as exc:
        print(f"error: cannot listen: {exc}", file=sys.stderr)
        return 4
    print(f"simulated printer on {where}; pages go to {args.out}/ (Ctrl-C stops)", flush=True)
    stop = stop or threading.Event()
    seen = 0
    try:
        while not stop.is_set():
            pages = sim.wait_for_pages(seen + 1, timeout=0.5)
            for page in pages[seen:]:
                print(
                    f"page {seen + 1}: {len(page.lines)} lines, cut={page.cut}, png={page.png}",
                    flush=True,
                )
                seen += 1
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0

"""`kiosk scanner`: QR/barcode scanner: read a code."""

from __future__ import annotations

import argparse
import sys

from kiosk.commands import add_group

EXIT_NO_SCAN = 1
EXIT_DEVICE = 4


def register(sub: argparse._SubParsersAction) -> None:
    """Register the `kiosk scanner` group."""
    group = add_group(sub, "scanner", "QR/barcode scanner: read a code")
    read = group.add_parser("read", help="wait for one scanned code and print it")
    read.add_argument(
        "--device",
        required=True,
        metavar="URL",
        help="scanner URL: /dev/ttyACM0, socket://HOST:PORT, sim://scanner",
    )
    read.add_argument("--timeout", type=float, default=10.0, metavar="S", help="seconds to wait")
    read.add_argument("--terminator", choices=("CR", "LF", "CRLF"), default="CR")
    read.add_argument("--baudrate", type=int, default=9600)
    read.set_defaults(handler=_read)


def _read(args: argparse.Namespace) -> int:
    from drivers.scanner import Scanner
    from drivers.scanner.errors import ScannerError

    try:
        scanner = Scanner(args.device, terminator=args.terminator, baudrate=args.baudrate).start()
    except ScannerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_DEVICE
    try:
        scanner.new_step()
        scan = scanner.read(args.timeout)
    finally:
        scanner.stop()
    if scan is None:
        print(f"no code scanned within {args.timeout:g} s", file=sys.stderr)
        return EXIT_NO_SCAN
    print(scan.text)
    return 0

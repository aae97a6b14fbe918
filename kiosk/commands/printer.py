"""`kiosk printer`: receipt printer: status, test page."""

from __future__ import annotations

import argparse
import sys

from kiosk import clock as terminal_clock
from kiosk.commands import add_group

EXIT_NOT_READY = 4
HALL_NAME = "政务服务中心 24小时自助服务区"


def register(sub: argparse._SubParsersAction) -> None:
    """Register the `kiosk printer` group."""
    group = add_group(sub, "printer", "receipt printer: status, test page")
    status = group.add_parser(
        "status", help="print the printer status (exit 0 ok/near_end, 4 otherwise)"
    )
    _device_options(status)
    status.set_defaults(handler=_status)
    test = group.add_parser("test", help="print a Chinese test page (exit 0 only if it printed)")
    _device_options(test)
    test.add_argument("--paper", type=int, choices=(58, 80), default=80, help="paper width in mm")
    test.set_defaults(handler=_test)


def _device_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--device",
        required=True,
        metavar="URL",
        help="printer URL: /dev/ttyUSB0, tcp://HOST:9100, usb://VID:PID, "
        "file:///dev/usb/lp0, sim://printer?paper=near_end",
    )
    parser.add_argument(
        "--profile", default="default", help="python-escpos profile (default: default)"
    )
    parser.add_argument(
        "--baudrate", type=int, default=115200, help="serial speed (default 115200)"
    )
    parser.add_argument(
        "--timeout", type=float, default=1.0, metavar="S", help="status reply timeout"
    )


def _printer(args: argparse.Namespace, paper_mm: int = 80):  # noqa: ANN202
    from drivers.printer import ReceiptPrinter
    from drivers.printer.errors import PrinterError

    try:
        return ReceiptPrinter(
            args.device,
            profile=args.profile,
            paper_mm=paper_mm,
            baudrate=args.baudrate,
            timeout_s=args.timeout,
        )
    except PrinterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None


def test_receipt():  # noqa: ANN201
    """The Chinese test page: hall name, full-width punctuation, digits, a QR code."""
    from drivers.printer import Receipt

    return Receipt(
        title=HALL_NAME,
        lines=(
            ("测试", "打印机自检（中文，标点。冒号：）"),
            ("数字", "0123456789"),
            ("时间", terminal_clock.strftime("%Y-%m-%d %H:%M:%S")),
        ),
        qr="https://zwfw.example.gov.cn/kiosk/selftest",
        footer="如能看清以上文字和二维码，打印机工作正常。",
    )


def _status(args: argparse.Namespace) -> int:
    from drivers.printer.errors import PrinterConnectionError, PrinterError

    printer = _printer(args)
    if printer is None:
        return EXIT_NOT_READY
    try:
        printer._link()
        state = printer.status()
    except (PrinterConnectionError, PrinterError) as exc:
        print("unknown")
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_NOT_READY
    finally:
        printer.close()
    print(state.value)
    return 0 if state.can_print else EXIT_NOT_READY


def _test(args: argparse.Namespace) -> int:
    printer = _printer(args, args.paper)
    if printer is None:
        return EXIT_NOT_READY
    try:
        result = printer.print_receipt(test_receipt())
    finally:
        printer.close()
    if result.printed:
        print(
            f"printed ({result.bytes_sent} bytes, printer {result.after.value if result.after else '?'})"
        )
        return 0
    print(f"not printed: {result.outcome.value}: {result.message}", file=sys.stderr)
    return EXIT_NOT_READY

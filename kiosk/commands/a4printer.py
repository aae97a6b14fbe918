"""`kiosk a4printer`: the A4 document printer (CUPS): status, test page."""

from __future__ import annotations

import argparse
import sys

from kiosk.commands import add_config_option, add_group

EXIT_NOT_READY = 4


def register(sub: argparse._SubParsersAction) -> None:
    """Register the `kiosk a4printer` group."""
    group = add_group(sub, "a4printer", "A4 document printer (CUPS): status, test page")
    status = group.add_parser(
        "status", help="printer-state and its reasons (exit 0 ready, 4 otherwise)"
    )
    _options(status)
    status.set_defaults(handler=_status)
    test = group.add_parser(
        "test", help="print an A4 test page (exit 0 only once CUPS completed it)"
    )
    _options(test)
    test.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        metavar="S",
        help="give up (and cancel the job) after S seconds (default 60)",
    )
    test.set_defaults(handler=_test)


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--device",
        metavar="URL",
        default=None,
        help="ipp://host[:port]/printers/NAME, cups://QUEUE[?server=…] or "
        "sim://a4printer (default: a4printer.url of the config)",
    )
    add_config_option(parser)


def _printer(args: argparse.Namespace, timeout: float = 60.0):  # noqa: ANN202
    from drivers.a4printer import A4PrinterError, open_a4printer
    from kiosk import config as config_mod
    from kiosk.errors import ConfigError

    data_dir = None
    url = args.device
    if url is None:
        try:
            cfg = config_mod.load(args.config)
        except ConfigError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return None
        if not cfg.a4printer.enabled:
            print(
                "error: this terminal has no A4 printer (a4printer.enabled = false)",
                file=sys.stderr,
            )
            return None
        url, data_dir = cfg.a4printer.url, str(cfg.data_path)
    try:
        return open_a4printer(url, job_timeout_s=timeout, data_dir=data_dir)
    except A4PrinterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None


def _status(args: argparse.Namespace) -> int:
    printer = _printer(args)
    if printer is None:
        return EXIT_NOT_READY
    st = printer.status()
    print(st.value)
    print(f"  {printer.describe()}")
    print(
        f"  printer-state: {st.state.name.lower() if st.state else 'unknown'}; "
        f"reasons: {', '.join(st.reasons) or 'none'}; accepting jobs: {'yes' if st.accepting else 'no'}"
    )
    if st.message:
        print(f"  message: {st.message}")
    return 0 if st.can_print else EXIT_NOT_READY


def _test(args: argparse.Namespace) -> int:
    from kiosk.documents.testpage import test_page_pdf

    printer = _printer(args, args.timeout)
    if printer is None:
        return EXIT_NOT_READY
    res = printer.test_page(test_page_pdf())
    if res.printed:
        print(f"printed (job {res.job_id} completed)")
        return 0
    print(
        f"not printed: {res.reason}" + (f" (job {res.job_id} cancelled)" if res.job_id else ""),
        file=sys.stderr,
    )
    return EXIT_NOT_READY

"""Build the device drivers from the terminal configuration (one place for every caller)."""

from __future__ import annotations

from drivers.camera import Camera
from drivers.idcard.reader import IdCardReader
from drivers.printer.printer import ReceiptPrinter
from drivers.scanner.scanner import Scanner
from kiosk.config import TerminalConfig

#: A vanished reader or scanner tries its URL again this often (a `hwgrep://` URL is looked up
#: afresh each time): a replugged device is back well inside the 5 s hot-plug budget.
RECONNECT_S = 1.0


def idcard_reader(cfg: TerminalConfig) -> IdCardReader:
    """The ID card reader of `cfg` (not opened)."""
    d = cfg.idcard
    return IdCardReader(
        d.url,
        baudrate=d.baudrate,
        timeout=d.timeout_s,
        poll_interval=d.poll_interval_s,
        reconnect_interval=RECONNECT_S,
    )


def receipt_printer(cfg: TerminalConfig) -> ReceiptPrinter:
    """The receipt printer of `cfg` (opened on first use)."""
    d = cfg.printer
    return ReceiptPrinter(
        d.url,
        profile=d.profile,
        paper_mm=d.paper_width_mm,
        chinese_mode=d.chinese_mode,
        baudrate=d.baudrate,
        timeout_s=d.timeout_s,
        confirm_printed=d.confirm_printed,
        print_timeout_s=cfg.timeouts.print_s,
    )


def scanner(cfg: TerminalConfig) -> Scanner:
    """The QR/barcode scanner of `cfg` (not started)."""
    d = cfg.scanner
    return Scanner(
        d.url, terminator=d.terminator, baudrate=d.baudrate, reconnect_interval_s=RECONNECT_S
    )


def camera(cfg: TerminalConfig) -> Camera:
    """The camera of `cfg` (not opened: it runs only during a face step)."""
    d = cfg.camera
    return Camera(d.url, width=d.width, height=d.height, fps=d.fps, reconnect_interval=RECONNECT_S)


def sscard_reader(cfg: TerminalConfig):  # type: ignore[no-untyped-def]
    """The 社保卡 reader of `cfg` (drivers.sscard.SSCardReader, not started)."""
    from drivers.sscard import SSCardReader

    d = cfg.sscard
    return SSCardReader(d.url, poll_interval=d.poll_interval_s, reconnect_interval=RECONNECT_S)


def a4printer(cfg: TerminalConfig):  # type: ignore[no-untyped-def]
    """The A4 document printer of `cfg` (CupsPrinter or SimA4Printer), or None when disabled.

    Its job timeout stays under the engine's print timeout, so the driver (which cancels the job)
    always decides before the screen gives up."""
    from drivers.a4printer import open_a4printer

    d = cfg.a4printer
    if not d.enabled:
        return None
    return open_a4printer(
        d.url,
        job_timeout_s=max(1.0, min(d.job_timeout_s, cfg.timeouts.print_s - 3)),
        data_dir=str(cfg.data_path),
    )

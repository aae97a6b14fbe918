"""Print jobs against the simulated printer over a real pty and TCP: success and every fault."""

from __future__ import annotations

import os
import socket
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from drivers import sim as sim_pkg
from drivers.printer import PrinterStatus, PrintOutcome, Receipt, ReceiptPrinter
from drivers.sim.base import serve_tcp
from drivers.sim.printer import PrinterSimulator

RECEIPT = Receipt(
    title="政务服务中心回执",
    lines=(("办件编号", "2026112500001"), ("姓名", "张*"), ("事项", "社保参保缴费证明打印")),
    qr="https://zwfw.example.gov.cn/p?c=2026112500001",
    footer="请妥善保管本回执。",
)


def sim_printer(query: str, **kw: object) -> tuple[ReceiptPrinter, PrinterSimulator]:
    printer = ReceiptPrinter(f"sim://printer?{query}", timeout_s=0.2, **kw)  # type: ignore[arg-type]
    printer._link()
    return printer, sim_pkg.running["printer"]  # type: ignore[return-value]


@pytest.fixture
def closing() -> Iterator[list[ReceiptPrinter]]:
    printers: list[ReceiptPrinter] = []
    yield printers
    for p in printers:
        p.close()


def test_receipt_printed_to_sim_and_png_checked(tmp_path: Path, closing: list) -> None:
    printer, sim = sim_printer(f"paper_mm=58&out_dir={tmp_path}", paper_mm=58)
    closing.append(printer)
    result = printer.print_receipt(RECEIPT)
    assert result.printed and result.outcome is PrintOutcome.printed
    assert result.before is PrinterStatus.ok and result.after is PrinterStatus.ok
    assert result.confirmed is True  # GS r 1 answered after the last line
    (page,) = sim.wait_for_pages(1)
    assert page.lines[0:2] == ["政务服务中心回执", "-" * 32]
    assert "办件编号：2026112500001" in page.lines and "请妥善保管本回执。" in page.lines
    assert page.qr_codes[0].payload == RECEIPT.qr
    assert page.wrapped == 0 and not page.truncated
    with Image.open(tmp_path / "page-0001.png") as img:
        assert img.width == 384 and img.height > 300


def test_near_end_still_prints(closing: list) -> None:
    printer, sim = sim_printer("paper=near_end")
    closing.append(printer)
    result = printer.print_receipt(RECEIPT)
    assert result.printed and result.after is PrinterStatus.near_end
    assert len(sim.wait_for_pages(1)) == 1


def test_paper_out_before_job_sends_nothing(closing: list) -> None:
    printer, sim = sim_printer("paper=out")
    closing.append(printer)
    result = printer.print_receipt(RECEIPT)
    assert not result.printed and result.outcome is PrintOutcome.not_ready
    assert result.before is PrinterStatus.paper_out and result.bytes_sent == 0
    assert b"\x1b@" not in sim.received


def test_paper_runs_out_during_job_is_a_failure(closing: list) -> None:
    printer, sim = sim_printer("paper_lines=6")
    closing.append(printer)
    result = printer.print_receipt(RECEIPT)
    assert not result.printed and result.outcome is PrintOutcome.failed
    assert result.before is PrinterStatus.ok and result.after is PrinterStatus.paper_out
    assert result.confirmed is False  # DLE EOT 2 said "stopped by paper end" before GS r came
    assert sim.wait_for_pages(1, timeout=0.5)[0].truncated


def test_printer_without_gs_r_still_prints_unconfirmed(closing: list) -> None:
    printer, sim = sim_printer("", print_timeout_s=0.3)
    closing.append(printer)
    sim.answers_gs_r = False
    result = printer.print_receipt(RECEIPT)
    assert result.printed and result.confirmed is None


def test_confirmation_can_be_disabled(closing: list) -> None:
    printer, sim = sim_printer("", confirm_printed=False)
    closing.append(printer)
    result = printer.print_receipt(RECEIPT)
    assert result.printed and result.confirmed is None
    assert b"\x1dr\x01" not in sim.received


def test_cover_open(closing: list) -> None:
    printer, _ = sim_printer("cover=open")
    closing.append(printer)
    assert printer.status() is PrinterStatus.cover_open
    result = printer.print_receipt(RECEIPT)
    assert not result.printed and result.before is PrinterStatus.cover_open


def test_cover_opened_during_job(closing: list) -> None:
    """The sim state changes between the before- and after-status (as a citizen lifting the lid)."""
    printer, sim = sim_printer("")
    closing.append(printer)
    original = sim.on_data

    def lid_opens(data: bytes) -> None:
        original(data)
        if b"\x1b@" in data:
            sim.cover_open = True

    sim.on_data = lid_opens  # type: ignore[method-assign]
    result = printer.print_receipt(RECEIPT)
    assert not result.printed and result.after is PrinterStatus.cover_open


def test_offline(closing: list) -> None:
    printer, _ = sim_printer("offline=1")
    closing.append(printer)
    assert printer.status() is PrinterStatus.offline
    assert not printer.print_receipt(RECEIPT).printed


def test_silent_printer_is_unknown_and_gone(closing: list) -> None:
    printer, sim = sim_printer("silent=1")
    closing.append(printer)
    result = printer.print_receipt(RECEIPT)
    assert not result.printed and result.before is PrinterStatus.unknown
    assert printer.tracker.gone  # three unanswered polls
    assert b"\x1b@" not in sim.received


def test_one_missed_poll_is_not_gone(closing: list) -> None:
    printer, sim = sim_printer("")
    closing.append(printer)
    sim.silent = True
    assert printer.poll_status() is PrinterStatus.unknown
    printer.tracker.update(PrinterStatus.unknown)
    sim.silent = False
    assert printer.status() is PrinterStatus.ok
    assert not printer.tracker.gone


def test_over_tcp(closing: list) -> None:
    sim = PrinterSimulator(paper="near_end")
    server = serve_tcp(sim)
    try:
        host, port = server.address
        printer = ReceiptPrinter(f"tcp://{host}:{port}", timeout_s=0.5)
        closing.append(printer)
        assert printer.status() is PrinterStatus.near_end
        assert printer.print_receipt(RECEIPT).printed
        assert sim.wait_for_pages(1)[0].qr_codes[0].payload == RECEIPT.qr
    finally:
        server.stop()


def test_tcp_connection_refused(closing: list) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()  # nothing listens there now
    printer = ReceiptPrinter(f"tcp://127.0.0.1:{port}", timeout_s=0.2)
    closing.append(printer)
    result = printer.print_receipt(RECEIPT)
    assert not result.printed and result.outcome is PrintOutcome.unreachable
    assert result.before is PrinterStatus.unknown and "refused" in result.message
    assert printer.status() is PrinterStatus.unknown


def _resetting_server(answer_polls: int) -> tuple[socket.socket, threading.Thread]:
    """A 9100 peer that answers `answer_polls` status polls, then resets the connection (RST)."""
    listener = socket.create_server(("127.0.0.1", 0))

    def run() -> None:
        conn, _ = listener.accept()
        answered = 0
        while answered < answer_polls * 3:
            data = conn.recv(64)
            if not data:
                break
            for _ in range(data.count(b"\x10\x04")):
                conn.sendall(b"\x12")
                answered += 1
        conn.recv(64)  # the receipt starts arriving
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()
        listener.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return listener, thread


def test_tcp_connection_reset_mid_job(closing: list) -> None:
    listener, thread = _resetting_server(answer_polls=1)
    port = listener.getsockname()[1]
    printer = ReceiptPrinter(f"tcp://127.0.0.1:{port}", timeout_s=0.3)
    closing.append(printer)
    result = printer.print_receipt(RECEIPT)
    thread.join(2)
    assert not result.printed
    assert result.before is PrinterStatus.ok
    assert result.outcome in (PrintOutcome.failed, PrintOutcome.unreachable)
    assert result.after in (None, PrinterStatus.unknown)


def test_reconnects_after_link_loss(closing: list) -> None:
    sim = PrinterSimulator()
    server = serve_tcp(sim)
    try:
        host, port = server.address
        printer = ReceiptPrinter(f"tcp://{host}:{port}", timeout_s=0.5)
        closing.append(printer)
        assert printer.status() is PrinterStatus.ok
        printer._device.sock.shutdown(socket.SHUT_RDWR)  # the cable is pulled
        assert printer.print_receipt(RECEIPT).printed  # a fresh connection is opened
    finally:
        server.stop()


def test_bad_urls_are_clear() -> None:
    from drivers.printer.errors import PrinterConnectionError, PrinterUrlError
    from drivers.printer.transport import open_link

    with pytest.raises(PrinterUrlError, match="VID:PID"):
        open_link("usb://nonsense")
    with pytest.raises(PrinterUrlError):
        open_link("tcp://")
    with pytest.raises(PrinterConnectionError, match="No such file"):
        open_link("file:///nonexistent/lp0")
    with pytest.raises(PrinterConnectionError):
        open_link("/dev/ttyNOSUCHPORT")


def test_wire_log_shows_status_bytes_but_not_receipt_content(
    closing: list, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    printer, _ = sim_printer("")
    closing.append(printer)
    with caplog.at_level(logging.DEBUG, logger="kiosk.wire"):
        assert printer.print_receipt(Receipt("回执", (("姓名", "张三丰"),))).printed
    wire = "\n".join(r.getMessage() for r in caplog.records if r.name == "kiosk.wire")
    assert "printer >> 10 04 01" in wire and "printer << 12" in wire
    assert " bytes>" in wire
    assert "张三丰".encode("gb18030").hex(" ") not in wire and "张三丰" not in wire


def test_gone_printer_is_polled_once_per_status_call(closing: list) -> None:
    printer, sim = sim_printer("silent=1")
    closing.append(printer)
    assert printer.status() is PrinterStatus.unknown and printer.tracker.gone
    before = sim.status_queries
    assert printer.status() is PrinterStatus.unknown
    assert sim.status_queries == before + 1  # one DLE EOT 1, not three unanswered polls
    sim.silent = False
    assert printer.status() is PrinterStatus.ok and not printer.tracker.gone


def test_serial_printer_unplugged_and_replugged_on_another_node(
    tmp_path: Path, closing: list
) -> None:
    """A USB-serial printer pulled out: the hung-up tty fails termios calls with termios.error
    (no OSError); that is a lost link, not a crash, and the printer's by-id name then leads to
    its new node."""
    from drivers.sim.base import serve_pty

    link = tmp_path / "usb-printer"
    server = serve_pty(PrinterSimulator())
    os.symlink(server.port, link)
    printer = ReceiptPrinter(str(link), timeout_s=0.3)
    closing.append(printer)
    spare = None
    try:
        assert printer.status() is PrinterStatus.ok
        old = server.port
        server.stop()  # unplug: the pty closes under the open port
        link.unlink()
        assert printer.status() is PrinterStatus.unknown
        assert not printer._device  # the dead handle was dropped
        sim2 = PrinterSimulator()
        server = serve_pty(sim2)
        if server.port == old:  # the kernel reused the number: take the next one
            spare, server = server, serve_pty(sim2)
        os.symlink(server.port, link)
        assert printer.print_receipt(RECEIPT).printed
        assert printer._device.port.port == str(link) and len(sim2.pages) == 1
    finally:
        server.stop()
        if spare is not None:
            spare.stop()

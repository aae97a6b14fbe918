"""Issue 17 part 6: status replies that come late or twice are matched to their own DLE EOT
query, and a printer without GS r no longer blocks a receipt for the whole print timeout.

Before the fix a doubled reply shifted every later answer by one query (cover open → offline),
and a printer silent to GS r 1 held each receipt for print_timeout_s (30 s in production).
"""

from __future__ import annotations

import time

import pytest

from drivers import sim as sim_pkg
from drivers.printer import PrinterStatus, Receipt, ReceiptPrinter
from drivers.printer.printer import NO_GS_R_CONFIRM_S

RECEIPT = Receipt(
    title="政务服务中心回执", lines=(("办件编号", "2026112500001"),), footer="请妥善保管本回执。"
)


@pytest.fixture
def make():
    printers: list[ReceiptPrinter] = []

    def _make(query: str, **kw):
        printer = ReceiptPrinter(f"sim://printer?{query}", **{"timeout_s": 0.6, **kw})
        printer._link()
        printers.append(printer)
        return printer, sim_pkg.running["printer"]

    yield _make
    for p in printers:
        p.close()


@pytest.mark.parametrize("mode", ["twice", "late"])
@pytest.mark.parametrize(
    "fault, expected",
    [
        ("cover=open", PrinterStatus.cover_open),
        ("paper=out", PrinterStatus.paper_out),
        ("paper=near_end", PrinterStatus.near_end),
        ("error=1", PrinterStatus.error),
        ("", PrinterStatus.ok),
    ],
)
def test_late_or_doubled_replies_give_the_right_cause(
    make, mode: str, fault: str, expected: PrinterStatus
) -> None:
    printer, sim = make(f"status={mode}&late_ms=120&{fault}")
    for _ in range(2):  # stale bytes of one poll must not leak into the next either
        assert printer.poll_status() is expected
    assert sim.status_queries >= 6


def test_reply_later_than_the_timeout_is_unknown_then_dropped(make) -> None:
    printer, sim = make("status=late&late_ms=400&cover=open", timeout_s=0.2)
    assert printer.poll_status() is PrinterStatus.unknown  # never "paper OK"
    sim.status_mode = "normal"
    time.sleep(0.5)  # the late byte is now waiting in the input buffer
    assert printer.poll_status() is PrinterStatus.cover_open


def test_never_answering_status_is_unknown(make) -> None:
    printer, _ = make("status=never", timeout_s=0.2)
    assert printer.poll_status() is PrinterStatus.unknown


def test_printer_without_gs_r_is_detected_and_does_not_block(make) -> None:
    printer, sim = make("gs_r=0", print_timeout_s=30.0)
    t0 = time.monotonic()
    result = printer.print_receipt(RECEIPT)
    took = time.monotonic() - t0
    assert result.printed and result.confirmed is None
    assert printer.answers_gs_r is False
    assert took <= 3.0 + 0.5, took  # probe + ≤ 2 s of status polling, not the 30 s timeout
    assert NO_GS_R_CONFIRM_S <= 3.0
    assert len(sim.wait_for_pages(1)) == 1


def test_printer_with_gs_r_is_confirmed_and_probed_once_per_connection(make) -> None:
    printer, sim = make("")
    assert printer.print_receipt(RECEIPT).confirmed is True
    assert printer.print_receipt(RECEIPT).confirmed is True
    assert printer.answers_gs_r is True
    assert sim.received.count(b"\x1dr\x01") == 3  # one probe + one barrier per receipt


def test_paper_out_during_a_job_on_a_printer_without_gs_r_is_a_failure(make) -> None:
    printer, _ = make("gs_r=0&paper_lines=3", print_timeout_s=30.0)
    result = printer.print_receipt(RECEIPT)
    assert not result.printed and result.after is PrinterStatus.paper_out

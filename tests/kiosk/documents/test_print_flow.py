"""Done-when of issue 14: at the demo terminal, 社保参保缴费证明 comes out of a real CUPS queue as an
A4 PDF with issuer, seal, unmasked name, masked ID, 核验码 and a QR that opens central's page
showing the same document; nothing CUPS did not complete is shown as printed."""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from kiosk import config as config_mod
from kiosk import devices, services
from kiosk.documents.flow import DocumentPrinting
from kiosk.session.engine import SessionEngine
from kiosk.session.ports import CardHolder, CardRead, PrintOutcome
from kiosk.session.states import State
from tests.cupsd import PrivateCupsd
from tests.kiosk.documents import pdfcheck

ROOT = Path(__file__).resolve().parents[3]
HOLDER = CardHolder(name="王小明", id_number="610902199101010010")


class NoReceipts:
    """The receipt printer must not be used for a print item (it fails the test if it is)."""

    def print_receipt(self, receipt: Any) -> PrintOutcome:
        raise AssertionError("a print item went to the receipt printer")


@pytest.fixture(scope="module")
def terminal(cupsd: PrivateCupsd) -> Iterator[Any]:
    """The demo terminal's services (embedded central) with its A4 printer on the private cupsd."""
    tmp = Path(tempfile.mkdtemp(prefix="kiosk-doc-test-"))
    cupsd.add_queue("A4")
    cfg = config_mod.load(ROOT / "config" / "terminal.toml")
    cfg = cfg.model_copy(
        update={
            "data_dir": str(tmp),
            "a4printer": cfg.a4printer.model_copy(
                update={"url": f"ipp://127.0.0.1:{cupsd.port}/printers/A4", "job_timeout_s": 6.0}
            ),
        }
    )
    svc = services.build(cfg, devices=False)
    assert not svc.problems, svc.problems
    printer = devices.a4printer(cfg)
    printer.fault_grace_s = 1.0
    svc.documents = DocumentPrinting(printer, svc.central)
    try:
        yield svc
    finally:
        svc.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def session(svc: Any) -> SessionEngine:
    """Walk RS-0101 to the print: select, card, form, confirm (central answers inline)."""
    eng = SessionEngine(
        svc.catalogue,
        central=svc.central,
        printer=NoReceipts(),
        terminal_id=svc.cfg.terminal_id,
        hall_name=svc.cfg.hall_name,
        documents=svc.documents,
    )
    eng.select("RS-0101")
    eng.proceed()
    eng.handle(CardRead(HOLDER))
    eng.set_value("insurance", "all")
    eng.set_value("period", "m24")
    assert eng.submit_form()
    eng.confirm()
    return eng


def test_the_certificate_comes_out_of_cups_and_verifies(terminal: Any, cupsd: PrivateCupsd) -> None:
    before = len(cupsd.jobs("A4"))
    eng = session(terminal)
    assert eng.state == State.PRINTING and eng.session.print_state == "printed", (
        eng.session.print_reason
    )
    jobs = cupsd.jobs("A4")
    assert len(jobs) == before + 1
    pdf = jobs[-1]
    doc = eng.session.outcome.answer.document
    info = pdfcheck.info(pdf)
    assert "(A4)" in info["Page size"] and int(info["Pages"]) == 2  # 24 months: the table runs over
    text = pdfcheck.text(pdf)
    assert "社会保险参保缴费证明" in text
    assert "王小明" in text  # the holder's name in full, as a bank checks it
    assert "610902********0010" in text and "610902199101010010" not in text
    assert "出具单位：安康市人力资源和社会保障局" in text and "演示专用章" in text
    flat = re.sub(r"\s+", "", text)  # pdftotext drops or adds spaces between CJK characters
    assert flat.count(f"核验码：{doc.code}") == 2 and "第1页共2页" in flat and "第2页共2页" in flat
    # the watermark: 12 rotated 自助终端打印 per page (pdftotext reads rotated text char by char)
    assert all(flat.count(ch) >= 24 for ch in "自助终端") and "样张" not in text
    rows = pdfcheck.fonts(pdf)
    assert rows and all(r[-5] == "yes" for r in rows), rows  # every font embedded
    assert pdfcheck.qr_codes(pdf, 1) == [doc.verify_url] == pdfcheck.qr_codes(pdf, 2)
    # the phone opens the QR: central's page shows the same document, digest of these bytes
    page = requests.get(doc.verify_url, timeout=10)
    assert (
        page.status_code == 200 and "核验通过" in page.text and "社会保险参保缴费证明" in page.text
    )
    assert hashlib.sha256(pdf.read_bytes()).hexdigest() in page.text
    assert "王**" in page.text and "王小明" not in page.text  # masked on the public page
    eng.finish()
    assert eng.state == State.RATING


def test_a_stopped_queue_sends_nothing(terminal: Any, cupsd: PrivateCupsd) -> None:
    cupsd.run("cupsdisable", "A4")
    before = len(cupsd.jobs("A4"))
    try:
        eng = session(terminal)
    finally:
        cupsd.run("cupsenable", "A4")
    assert eng.session.print_state == "failed" and eng.session.print_reason == "stopped"
    assert len(cupsd.jobs("A4")) == before


@pytest.mark.parametrize("fault, reason", [("media-empty", "media_empty"), ("cancel", "canceled")])
def test_a_job_cups_did_not_complete_is_never_shown_as_printed(
    terminal: Any, cupsd: PrivateCupsd, fault: str, reason: str
) -> None:
    cupsd.set_fault("A4", fault)
    before = len(cupsd.jobs("A4"))
    try:
        eng = session(terminal)
    finally:
        cupsd.set_fault("A4", "")
        cupsd.run("cupsenable", "A4")
    assert eng.session.print_state == "failed" and eng.session.print_reason == reason
    assert len(cupsd.jobs("A4")) == before
    if reason == "media_empty":
        assert eng.devices["a4printer"] == "media_empty"  # print items greyed until it recovers
        assert eng.unavailable_reason(eng.catalogue.item("RS-0101")) == "device:a4printer"
    # the code was registered before printing: the screen shows it and sends to the window
    from kiosk.ui.viewmodels.result import PrintingViewModel

    doc = eng.session.outcome.answer.document
    vm = PrintingViewModel(eng)
    vm.update(eng)
    assert vm.title == "打印证明" and vm.message == "证明未能打印"
    assert vm.number_label == "核验码" and vm.case_no == doc.code and vm.qr == doc.verify_url
    assert vm.reason_text == {"media_empty": "打印机缺纸", "canceled": "打印任务被取消"}[reason]
    assert "服务窗口补打" in vm.where_text
    assert requests.get(f"{doc.verify_url}", timeout=10).status_code == 200  # it verifies


def test_a_certificate_central_could_not_register_is_not_printed(
    terminal: Any, cupsd: PrivateCupsd
) -> None:
    from kiosk.session.ports import run_inline
    from kiosk.ui.viewmodels.result import PrintingViewModel

    before = len(cupsd.jobs("A4"))
    parked: list[Any] = []
    eng = SessionEngine(
        terminal.catalogue,
        central=terminal.central,
        printer=NoReceipts(),
        terminal_id=terminal.cfg.terminal_id,
        documents=terminal.documents,
        runner=lambda fn, done: parked.append((fn, done)),
    )
    eng.select("RS-0101")
    eng.proceed()
    eng.handle(CardRead(HOLDER))
    eng.set_value("insurance", "all")
    eng.set_value("period", "m6")
    assert eng.submit_form()
    eng.confirm()
    run_inline(*parked.pop())  # central answers with the issued document
    assert eng.state == State.PRINTING
    terminal.set_network(False)  # then the network drops before the digest is registered
    try:
        run_inline(*parked.pop())
    finally:
        terminal.set_network(True)
    assert eng.session.print_state == "failed" and eng.session.print_reason == "not_registered"
    assert len(cupsd.jobs("A4")) == before  # an unverifiable certificate is never printed
    vm = PrintingViewModel(eng)
    vm.update(eng)
    assert vm.number_label == "办件编号" and vm.case_no == eng.session.service_id  # not the code
    assert vm.reason_text == "网络中断，证明未登记，未打印" and "服务窗口" in vm.where_text


def test_without_an_a4_printer_print_items_are_greyed_with_the_reason() -> None:
    from tests.kiosk.session.fixtures import FakeCentral, FakePrinter, catalogue

    events: list[Any] = []
    docs = DocumentPrinting(None, FakeCentral())
    docs.start(events.append)
    eng = SessionEngine(catalogue(), central=FakeCentral(), printer=FakePrinter(), documents=docs)
    for e in events:
        eng.handle(e)
    assert eng.devices["a4printer"] == "not_configured"
    assert eng.unavailable_reason(eng.catalogue.item("P-0001")) == "device:a4printer"
    assert eng.unavailable_reason(eng.catalogue.item("Q-0001")) == ""

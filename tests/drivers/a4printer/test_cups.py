"""CupsPrinter against a real private cupsd: jobs tracked to completed, faults never "printed"."""

from __future__ import annotations

import io

import cups
import pytest

from drivers.a4printer import open_a4printer
from drivers.a4printer.cups_printer import CupsPrinter
from drivers.a4printer.status import JobState
from drivers.a4printer.url import parse_url
from tests.cupsd import PrivateCupsd


def small_pdf(text: str = "test") -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4)
    c.drawString(100, 700, text)
    c.showPage()
    c.save()
    return buf.getvalue()


def printer(
    cupsd: PrivateCupsd, queue: str, *, timeout: float = 10.0, via: str = "ipp"
) -> CupsPrinter:
    url = (
        f"ipp://127.0.0.1:{cupsd.port}/printers/{queue}"
        if via == "ipp"
        else f"cups://{queue}?server={cupsd.socket}"
    )
    p = open_a4printer(url, job_timeout_s=timeout)
    assert isinstance(p, CupsPrinter)
    p.fault_grace_s = 1.0
    return p


def job_state(cupsd: PrivateCupsd, job_id: int) -> int:
    conn = cups.Connection(host=cupsd.socket)
    return conn.getJobAttributes(job_id, requested_attributes=["job-state"])["job-state"]


def test_a_job_is_printed_only_when_cups_completed_it(cupsd: PrivateCupsd) -> None:
    out = cupsd.add_queue("ok")
    pdf = small_pdf("hello")
    p = printer(cupsd, "ok")
    assert p.status().can_print and p.status().value == "ok"
    res = p.print_pdf(pdf, "title")
    assert res.printed and res.state == JobState.COMPLETED
    assert job_state(cupsd, res.job_id) == cups.IPP_JOB_COMPLETED
    assert [f.read_bytes() for f in cupsd.jobs("ok")] == [pdf]  # byte for byte what was sent
    assert out.exists()


def test_cups_url_over_the_unix_socket(cupsd: PrivateCupsd) -> None:
    cupsd.add_queue("sock")
    res = printer(cupsd, "sock", via="cups").print_pdf(small_pdf(), "t")
    assert res.printed and len(cupsd.jobs("sock")) == 1


def test_media_empty_cancels_the_job_and_says_why(cupsd: PrivateCupsd) -> None:
    cupsd.add_queue("nopaper")
    cupsd.set_fault("nopaper", "media-empty")
    p = printer(cupsd, "nopaper")
    res = p.print_pdf(small_pdf(), "t")
    assert not res.printed and res.reason == "media_empty"
    # cancelled, so it never comes out for the next person once paper is loaded
    assert job_state(cupsd, res.job_id) == cups.IPP_JOB_CANCELED
    st = p.status()
    assert not st.can_print and st.value == "media_empty" and "media-empty-error" in st.reasons
    assert cupsd.jobs("nopaper") == []
    cupsd.set_fault("nopaper", "")
    cupsd.run("cupsenable", "nopaper")
    assert p.print_pdf(small_pdf(), "t").printed  # paper loaded, queue resumed: prints again


def test_a_stopped_queue_gets_no_job(cupsd: PrivateCupsd) -> None:
    cupsd.add_queue("stopped")
    cupsd.run("cupsdisable", "stopped")
    p = printer(cupsd, "stopped")
    res = p.print_pdf(small_pdf(), "t")
    assert not res.printed and res.reason == "stopped" and res.job_id == 0
    conn = cups.Connection(host=cupsd.socket)
    assert conn.getJobs(which_jobs="all", requested_attributes=["job-printer-uri"]) == {} or all(
        "stopped" not in str(v) for v in conn.getJobs(which_jobs="all").values()
    )


def test_a_held_job_is_cancelled_not_left_waiting(cupsd: PrivateCupsd) -> None:
    cupsd.add_queue("held", "-o", "job-hold-until-default=indefinite")
    res = printer(cupsd, "held").print_pdf(small_pdf(), "t")
    assert not res.printed and res.reason == "held"
    assert job_state(cupsd, res.job_id) == cups.IPP_JOB_CANCELED
    assert cupsd.jobs("held") == []


def test_a_job_the_device_cancels_is_not_printed(cupsd: PrivateCupsd) -> None:
    cupsd.add_queue("refuse")
    cupsd.set_fault("refuse", "cancel")
    res = printer(cupsd, "refuse").print_pdf(small_pdf(), "t")
    assert not res.printed and res.reason in ("canceled", "aborted")


def test_a_stuck_job_is_cancelled_on_the_timeout(cupsd: PrivateCupsd) -> None:
    cupsd.add_queue("slow")
    cupsd.set_fault("slow", "slow")
    res = printer(cupsd, "slow", timeout=2.0).print_pdf(small_pdf(), "t")
    assert not res.printed and res.reason == "timeout"
    assert job_state(cupsd, res.job_id) in (cups.IPP_JOB_CANCELED, cups.IPP_JOB_ABORTED)
    assert cupsd.jobs("slow") == []


def test_no_cupsd_is_unreachable_never_ready() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    p = CupsPrinter(parse_url(f"ipp://127.0.0.1:{port}/printers/x"), job_timeout_s=2)
    st = p.status()
    assert st.state is None and not st.can_print and st.value == "unreachable"
    res = p.print_pdf(small_pdf(), "t")
    assert not res.printed and res.reason == "unreachable"


def test_unknown_queue_is_unreachable(cupsd: PrivateCupsd) -> None:
    st = printer(cupsd, "nosuchqueue").status()
    assert not st.can_print and st.value == "unreachable"


@pytest.mark.parametrize("fault", ["media-empty"])
def test_status_names_the_reason_the_queue_stopped(cupsd: PrivateCupsd, fault: str) -> None:
    cupsd.add_queue("reason")
    cupsd.set_fault("reason", fault)
    p = printer(cupsd, "reason")
    p.print_pdf(small_pdf(), "t")
    assert p.status().value == "media_empty"

"""A4 printer URLs, IPP status parsing and the demo simulator (property tests where they parse)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.a4printer import open_a4printer
from drivers.a4printer.errors import BadPrinterUrl
from drivers.a4printer.status import A4Status, JobState, PrinterState
from drivers.a4printer.url import parse_url
from drivers.sim.a4printer import SimA4Printer

QUEUE = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}", fullmatch=True)


def test_urls() -> None:
    u = parse_url("ipp://printhost:8631/printers/Laser_A4")
    assert (u.scheme, u.server, u.port, u.queue) == ("ipp", "printhost", 8631, "Laser_A4")
    assert parse_url("ipp://printhost/printers/A4").port == 631
    u = parse_url("cups://A4?server=/run/cups/cups.sock")
    assert (u.scheme, u.queue, u.server, u.port) == ("cups", "A4", "/run/cups/cups.sock", None)
    u = parse_url("cups://A4?server=printhost:631")
    assert (u.server, u.port) == ("printhost", 631)
    assert parse_url("cups://A4").server is None
    assert parse_url("sim://a4printer?fault=media_empty").options == {"fault": "media_empty"}
    for bad in (
        "",
        "lp0",
        "ipp://host/queues/A4",
        "ipp:///printers/A4",
        "cups://a b",
        "sim://printer",
        "tcp://host:9100",
        "cups://A4?server=host:x",
        "ipp://host:99999/printers/A4",
    ):
        with pytest.raises(BadPrinterUrl):
            parse_url(bad)


@given(st.text(max_size=60))
def test_any_text_is_a_url_or_a_clear_error(text: str) -> None:
    try:
        u = parse_url(text)
    except BadPrinterUrl as exc:
        assert str(exc)
    else:
        assert u.scheme in ("ipp", "cups", "sim") and u.queue


@given(QUEUE, st.integers(1, 65535))
def test_ipp_urls_round_trip(queue: str, port: int) -> None:
    u = parse_url(f"ipp://127.0.0.1:{port}/printers/{queue}")
    assert (u.queue, u.port, u.server) == (queue, port, "127.0.0.1")


REASONS = [
    "none",
    "media-empty-error",
    "media-empty-warning",
    "toner-low-report",
    "toner-low-warning",
    "door-open-error",
    "offline-report",
    "paused",
    "media-jam-error",
    "marker-supply-low-warning",
    "connecting-to-device",
    "cups-insecure-filter-warning",
    "other",
]


@given(
    st.one_of(st.none(), st.integers(0, 9)),
    st.lists(st.one_of(st.sampled_from(REASONS), st.text(max_size=20)), max_size=6),
    st.booleans(),
)
def test_status_parsing_never_says_ready_when_it_is_not(
    state: int | None, reasons: list[str], accepting: bool
) -> None:
    st_ = A4Status.from_attributes(state, reasons, accepting)
    if state not in (3, 4, 5) or not accepting or state == 5:
        assert not st_.can_print
    assert st_.value == (st_.codes[0] if st_.codes else "ok")
    assert "none" not in st_.reasons


def test_status_codes() -> None:
    st_ = A4Status.from_attributes(5, ["media-empty-error"])
    assert st_.value == "media_empty" and not st_.can_print and st_.state == PrinterState.STOPPED
    assert A4Status.from_attributes(5, []).value == "stopped"
    warn = A4Status.from_attributes(3, ["toner-low-warning"])
    assert warn.can_print and warn.value == "toner_low" and warn.fatal == ()
    assert A4Status.from_attributes(3, ["none"]).value == "ok"
    assert A4Status.from_attributes(3, [], accepting=False).value == "not_accepting"
    assert A4Status.from_attributes(None, []).value == "unreachable"
    assert A4Status.from_attributes(4, ["door-open-error"]).fatal == ("door_open",)
    assert JobState.COMPLETED.final and not JobState.HELD.final


def test_the_demo_simulator_keeps_a_private_pdf_and_preview(tmp_path: Path) -> None:
    from tests.drivers.a4printer.test_cups import small_pdf

    p = open_a4printer(f"sim://a4printer?dir={tmp_path / 'a4'}")
    assert isinstance(p, SimA4Printer) and p.status().can_print
    pdf = small_pdf("样")
    res = p.print_pdf(pdf)
    assert res.printed and p.last_pdf is not None and p.last_pdf.read_bytes() == pdf
    assert stat.S_IMODE(os.stat(p.last_pdf).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "a4").st_mode) == 0o700
    assert p.last_png is not None and p.last_png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for fault, reason in (
        ("media_empty", "media_empty"),
        ("door_open", "door_open"),
        ("offline", "offline"),
        ("stopped", "stopped"),
        ("held", "held"),
    ):
        p.set_fault(fault)
        out = p.print_pdf(pdf)
        assert not out.printed and out.reason == reason
    p.set_fault("toner_low")
    assert p.print_pdf(pdf).printed and p.status().value == "toner_low"

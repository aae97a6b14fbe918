"""Line-mode scanner against the simulated scanner over a pty and TCP."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from drivers import sim as sim_pkg
from drivers.scanner import Scanner
from drivers.scanner.decode import clean_packet, decode_payload, terminator_bytes
from drivers.scanner.errors import ScannerConfigError, ScannerConnectionError
from drivers.sim.base import serve_pty, serve_tcp
from drivers.sim.scanner import ScannerSimulator


def wait_until(cond, timeout: float = 5.0) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def pty_scanner() -> Iterator[tuple[Scanner, ScannerSimulator]]:
    scanner = Scanner("sim://scanner?terminator=CRLF", terminator="CRLF").start()
    yield scanner, sim_pkg.running["scanner"]  # type: ignore[misc]
    scanner.stop()


def test_decode_utf8_and_gbk() -> None:
    assert decode_payload("办件2026".encode()) == ("办件2026", "utf-8")
    assert decode_payload("办件2026".encode("gbk")) == ("办件2026", "gbk")
    assert decode_payload(b"ABC-123") == ("ABC-123", "utf-8")
    assert decode_payload(b"\xff\xfe\xff") == ("\xff\xfe\xff", "latin-1")


def test_terminators() -> None:
    assert [terminator_bytes(t) for t in ("CR", "lf", "CRLF")] == [b"\r", b"\n", b"\r\n"]
    with pytest.raises(ScannerConfigError):
        terminator_bytes("NUL")
    assert clean_packet(b"\nABC\r") == b"ABC"


@settings(max_examples=100, deadline=None)
@given(
    hs.text(hs.characters(codec="gbk", exclude_categories=("Cc", "Cs")), min_size=1, max_size=30)
)
def test_gbk_or_utf8_round_trip(text: str) -> None:
    assert decode_payload(text.encode("utf-8"))[0] == text
    got, enc = decode_payload(text.encode("gbk"))
    if enc == "gbk":
        assert got == text  # (a GBK byte string that is also valid UTF-8 is read as UTF-8)


def test_scans_over_pty(pty_scanner: tuple[Scanner, ScannerSimulator]) -> None:
    scanner, sim = pty_scanner
    scanner.new_step()
    sim.scan("https://zwfw.example.gov.cn/p?c=2026112500001")
    sim.scan("办件编号2026", encoding="gbk")
    first, second = scanner.read(2.0), scanner.read(2.0)
    assert first is not None and first.text == "https://zwfw.example.gov.cn/p?c=2026112500001"
    assert second is not None and (second.text, second.encoding) == ("办件编号2026", "gbk")
    assert scanner.read(0.1) is None


def test_stale_scans_are_dropped(pty_scanner: tuple[Scanner, ScannerSimulator]) -> None:
    scanner, sim = pty_scanner
    sim.scan("OLD-CODE")
    assert wait_until(lambda: scanner._queue.qsize() == 1)
    scanner.new_step()
    sim.scan("NEW-CODE")
    scan = scanner.read(2.0)
    assert scan is not None and scan.text == "NEW-CODE"


@pytest.mark.parametrize(
    "sent, expected", [("CR", "CR"), ("LF", "LF"), ("CRLF", "CRLF"), ("CRLF", "CR")]
)
def test_each_terminator(sent: str, expected: str) -> None:
    """Every terminator; a CRLF scanner read in CR mode gives no empty or LF-prefixed codes."""
    scanner = Scanner(f"sim://scanner?terminator={sent}", terminator=expected).start()
    try:
        sim = sim_pkg.running["scanner"]
        sim.scan("A1")  # type: ignore[attr-defined]
        sim.scan("B2")  # type: ignore[attr-defined]
        assert [scanner.read(2.0).text, scanner.read(2.0).text] == ["A1", "B2"]  # type: ignore[union-attr]
    finally:
        scanner.stop()


def test_recovers_after_unplug() -> None:
    sim = ScannerSimulator()
    server = serve_tcp(sim)
    host, port = server.address
    scanner = Scanner(f"socket://{host}:{port}", reconnect_interval_s=0.05).start()
    try:
        assert wait_until(lambda: sim.connected)
        sim.scan("BEFORE")
        assert scanner.read(2.0).text == "BEFORE"  # type: ignore[union-attr]
        sim.unplug()
        assert wait_until(lambda: scanner.reconnects >= 1 and sim.connected)
        scanner.new_step()
        sim.scan("AFTER")
        scan = scanner.read(2.0)
        assert scan is not None and scan.text == "AFTER"
    finally:
        scanner.stop()
        server.stop()


def test_absent_at_start_keeps_trying_and_reports_each_change(tmp_path: Path) -> None:
    """Hot-plug: a scanner plugged in after the start is picked up; loss and return are reported."""
    link = tmp_path / "usb-scanner"
    changes: list[bool] = []
    scanner = Scanner(str(link), reconnect_interval_s=0.05, on_connection=changes.append)
    servers = []
    try:
        scanner.start(retry=True)  # nothing there yet: no exception, a False report
        assert changes == [False] and not scanner.connected.is_set()
        sim = ScannerSimulator()
        servers.append(serve_pty(sim))
        os.symlink(servers[-1].port, link)
        assert wait_until(scanner.connected.is_set) and changes == [False, True]
        sim.scan("FIRST")
        assert scanner.read(2.0).text == "FIRST"  # type: ignore[union-attr]
        servers[-1].stop()  # unplug
        link.unlink()
        assert wait_until(lambda: changes == [False, True, False])
        servers.append(serve_pty(sim))  # replug
        os.symlink(servers[-1].port, link)
        assert wait_until(lambda: changes == [False, True, False, True])
    finally:
        scanner.stop()
        for server in servers:
            server.stop()
    assert changes == [False, True, False, True]  # stopping is not reported as a loss


def test_open_failure_is_clear() -> None:
    with pytest.raises(ScannerConnectionError, match="cannot open"):
        Scanner("/dev/ttyNOSUCHSCANNER").start()


def test_sim_options() -> None:
    assert ScannerSimulator.from_options({"terminator": "LF"}).terminator == b"\n"
    with pytest.raises(ValueError):
        ScannerSimulator.from_options({"terminator": "TAB"})
    with pytest.raises(ValueError):
        ScannerSimulator.from_options({"speed": "1"})


@settings(max_examples=60, deadline=None)
@given(
    hs.lists(
        hs.text(hs.sampled_from(list("AZ09-/:?=办件号")), min_size=1, max_size=20),
        min_size=1,
        max_size=5,
    ),
    hs.sampled_from(["CR", "LF", "CRLF"]),
    hs.lists(hs.integers(1, 400), max_size=8),
)
def test_line_splitting_any_chunking(codes: list[str], term: str, cuts: list[int]) -> None:
    """Bytes split anywhere by the serial driver give the same codes (the protocol run directly)."""
    from drivers.scanner.scanner import _LineProtocol

    scanner = Scanner("loop://", terminator=term)
    proto = _LineProtocol(scanner)
    stream = b"".join(c.encode() + terminator_bytes(term) for c in codes)
    edges = sorted({0, len(stream), *(c for c in cuts if c < len(stream))})
    for a, b in zip(edges, edges[1:]):
        proto.data_received(stream[a:b])
    got = [scanner._queue.get_nowait().text for _ in codes]
    assert got == codes and scanner._queue.empty()

"""DLE EOT status decoding: every bit pattern, empty and malformed replies, flap tolerance."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from drivers.printer.status import PrinterStatus, StatusTracker, decode, query, valid_reply

OK = b"\x12"


def replies(p1: bytes | None = OK, p2: bytes | None = OK, p4: bytes | None = OK) -> dict:
    return {1: p1, 2: p2, 4: p4}


def test_query_bytes() -> None:
    assert query(1) == b"\x10\x04\x01"
    assert query(2) == b"\x10\x04\x02"
    assert query(4) == b"\x10\x04\x04"
    with pytest.raises(ValueError):
        query(5)


@pytest.mark.parametrize(
    ("p1", "p2", "p4", "expected"),
    [
        (0x12, 0x12, 0x12, PrinterStatus.ok),
        (0x12, 0x12, 0x1E, PrinterStatus.near_end),  # bits 2+3
        (0x12, 0x12, 0x16, PrinterStatus.near_end),  # bit 2 alone
        (0x12, 0x12, 0x1A, PrinterStatus.near_end),  # bit 3 alone
        (0x1A, 0x32, 0x72, PrinterStatus.paper_out),  # offline, paper stop, bits 5+6
        (0x1A, 0x12, 0x7E, PrinterStatus.paper_out),  # near end + out → out
        (0x12, 0x12, 0x32, PrinterStatus.paper_out),  # bit 5 alone
        (0x12, 0x12, 0x52, PrinterStatus.paper_out),  # bit 6 alone
        (0x12, 0x32, 0x12, PrinterStatus.paper_out),  # stopped by paper end (n=2 bit 5)
        (0x1A, 0x16, 0x12, PrinterStatus.cover_open),
        (0x1A, 0x36, 0x72, PrinterStatus.cover_open),  # cover wins over paper
        (0x1A, 0x52, 0x12, PrinterStatus.error),
        (0x1A, 0x12, 0x12, PrinterStatus.offline),
        (0x1A, 0x12, 0x1E, PrinterStatus.offline),  # offline wins over near end
        (0x12, 0x1A, 0x12, PrinterStatus.ok),  # n=2 bit 3 = feed button pressed: harmless
    ],
)
def test_decode_table(p1: int, p2: int, p4: int, expected: PrinterStatus) -> None:
    assert decode(replies(bytes((p1,)), bytes((p2,)), bytes((p4,)))) is expected


@pytest.mark.parametrize("missing", [1, 2, 4])
@pytest.mark.parametrize("reply", [None, b"", b"\x12\x12", b"\x00", b"\xff", b"\x13", b"\x92"])
def test_missing_empty_or_malformed_reply_is_unknown(missing: int, reply: bytes | None) -> None:
    r = replies()
    r[missing] = reply
    assert decode(r) is PrinterStatus.unknown


def test_python_escpos_paper_status_pitfall_is_not_ours() -> None:
    """python-escpos 3.1 paper_status() says "adequate" (2) on an empty read; we say unknown."""
    from escpos.printer import Dummy

    class EmptyRead(Dummy):
        def _read(self) -> bytes:
            return b""

    assert EmptyRead().paper_status() == 2
    assert decode(replies(p4=b"")) is PrinterStatus.unknown


@settings(max_examples=300, deadline=None)
@given(hs.integers(0, 255), hs.integers(0, 255), hs.integers(0, 255))
def test_every_bit_pattern(p1: int, p2: int, p4: int) -> None:
    status = decode(replies(bytes((p1,)), bytes((p2,)), bytes((p4,))))
    fixed_ok = all(v & 0x93 == 0x12 for v in (p1, p2, p4))
    if not fixed_ok:
        assert status is PrinterStatus.unknown
    elif p2 & 0x04:
        assert status is PrinterStatus.cover_open
    elif p4 & 0x60 or p2 & 0x20:
        assert status is PrinterStatus.paper_out
    elif p2 & 0x40:
        assert status is PrinterStatus.error
    elif p1 & 0x08:
        assert status is PrinterStatus.offline
    elif p4 & 0x0C:
        assert status is PrinterStatus.near_end
    else:
        assert status is PrinterStatus.ok
    assert status.can_print == (status in (PrinterStatus.ok, PrinterStatus.near_end))


def test_valid_reply() -> None:
    assert valid_reply(b"\x12") and valid_reply(b"\x7e")
    assert not valid_reply(None) and not valid_reply(b"")


def test_one_or_two_misses_keep_last_status_three_mark_gone() -> None:
    t = StatusTracker()
    assert t.status is PrinterStatus.unknown  # nothing known yet
    assert t.update(PrinterStatus.near_end) is PrinterStatus.near_end
    assert t.update(PrinterStatus.unknown) is PrinterStatus.near_end
    assert t.update(PrinterStatus.unknown) is PrinterStatus.near_end
    assert not t.gone
    assert t.update(PrinterStatus.unknown) is PrinterStatus.unknown
    assert t.gone
    assert t.update(PrinterStatus.ok) is PrinterStatus.ok
    assert not t.gone and t.misses == 0


def test_flap_resets_miss_count() -> None:
    t = StatusTracker()
    for _ in range(10):
        t.update(PrinterStatus.ok)
        t.update(PrinterStatus.unknown)
        t.update(PrinterStatus.unknown)
    assert not t.gone and t.status is PrinterStatus.ok

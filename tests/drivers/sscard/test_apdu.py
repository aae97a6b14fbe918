"""APDU encoding, status words and record decoders (property tests) and the in-process card."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.sim.sscard import SimTransport, SSCardSimulator
from drivers.sscard import apdu as a
from drivers.sscard.errors import CardDataError, PinRequiredError, UnknownCardError
from drivers.sscard.reader import SSCardReader, read_card


def test_select_is_the_documented_bytes() -> None:
    assert (
        bytes(a.select_df_name(a.SSSE_NAME)).hex().upper()
        == "00A404000F7378312E73682EC9E7BBE1B1A3D5CF"
    )
    assert bytes(a.select_ef(0xEF05)).hex().upper() == "00A4020002EF05"
    assert bytes(a.read_record(7)).hex().upper() == "00B2070400"
    assert bytes(a.read_record(7).with_le(11)).hex().upper() == "00B207040B"


@given(st.integers(1, 254), st.binary(max_size=255))
def test_record_round_trip(tag: int, value: bytes) -> None:
    assert a.record_value(a.encode_record(tag, value), tag) == value


@given(st.binary(max_size=300), st.integers(1, 254))
def test_record_value_never_crashes(raw: bytes, tag: int) -> None:
    try:
        a.record_value(raw, tag)
    except CardDataError:
        pass


@given(st.dates(dt.date(1900, 1, 1), dt.date(2099, 12, 31)))
def test_bcd_date_round_trip(d: dt.date) -> None:
    assert a.bcd_date(a.bcd_encode(d.strftime("%Y%m%d"))) == d


@given(st.binary(min_size=4, max_size=4))
def test_bcd_date_rejects_or_parses(raw: bytes) -> None:
    try:
        out = a.bcd_date(raw)
    except CardDataError:
        return
    assert out is None or isinstance(out, dt.date)


@given(st.binary(max_size=40))
def test_text_is_str_or_card_data_error(raw: bytes) -> None:
    try:
        assert isinstance(a.text(raw), str)
    except CardDataError:
        pass


@given(st.binary(max_size=260))
def test_parse_response(raw: bytes) -> None:
    if len(raw) < 2:
        with pytest.raises(CardDataError):
            a.parse_response(raw)
    else:
        data, sw = a.parse_response(raw)
        assert data + sw.to_bytes(2, "big") == raw


def test_sw_texts() -> None:
    assert "PIN" in a.sw_text(0x6982) and "not found" in a.sw_text(0x6A82)
    assert "GET RESPONSE" in a.sw_text(0x6113) and "exact length 11" in a.sw_text(0x6C0B)


def test_sim_url_reads_the_same_card() -> None:
    r = SSCardReader("sim://sscard?t0=1")
    card = r.read_now(1)
    assert card is not None and card.name == "王小明" and card.region_code == "610900"


@pytest.mark.parametrize(
    "opts, exc", [({"app": False}, UnknownCardError), ({"pin": True}, PinRequiredError)]
)
def test_sim_faults(opts: dict, exc: type) -> None:
    t = SimTransport(SSCardSimulator(**opts))
    with pytest.raises(exc):
        read_card(t.connect(t.pick()))


def test_sim_reader_unplugged_and_back_in_the_poll_loop() -> None:
    import threading
    import time

    from drivers.sscard.reader import ReaderState

    t = SimTransport(SSCardSimulator(inserted=False))
    r = SSCardReader("sim://sscard", poll_interval=0.02, reconnect_interval=0.05, transport=t)
    errors: list[str] = []
    read = threading.Event()
    r.on_error(lambda e: errors.append(type(e).__name__))
    r.on_card(lambda c: read.set())
    r.start()
    try:
        deadline = time.monotonic() + 3
        while r.state is not ReaderState.IDLE and time.monotonic() < deadline:
            time.sleep(0.01)
        t.connected = False  # USB reader pulled
        while r.state is not ReaderState.DISCONNECTED and time.monotonic() < deadline:
            time.sleep(0.01)
        assert r.state is ReaderState.DISCONNECTED and errors == ["NoReaderError"]
        t.connected = True
        t.card.insert()
        assert read.wait(3) and errors == ["NoReaderError"]  # reported once, then recovered
    finally:
        r.close()

"""The 社保卡 driver against a real pcscd: vpcd's virtual reader, our card simulator on its socket."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator

import pytest

from drivers.sim.sscard import DEMO_HOLDERS, SSCardSimulator
from drivers.sim.vpcd import VpcdCard
from drivers.sscard.errors import (
    CardRemovedError,
    NoCardError,
    NoReaderError,
    PinRequiredError,
    UnknownCardError,
)
from drivers.sscard.reader import ReaderState, SSCardReader

URL = "pcsc://?reader=Virtual PCD 00 00"


@pytest.fixture
def slot(pcscd) -> Iterator[tuple[SSCardSimulator, VpcdCard]]:  # type: ignore[no-untyped-def]
    card = SSCardSimulator(inserted=False)
    link = VpcdCard(card, pcscd.port)
    link.start()
    yield card, link
    card.remove()
    link.stop()
    _wait(lambda: not SSCardReader(URL).transport.present(SSCardReader(URL).transport.pick()))


def _wait(cond, timeout: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    return False


def test_reads_the_public_records_through_pcscd(slot, pcscd) -> None:  # type: ignore[no-untyped-def]
    card, _ = slot
    card.t0 = True  # 61xx / 6Cxx as T=0 cards answer: the driver chains GET RESPONSE / exact Le
    card.insert("demo")
    got = SSCardReader(URL).read_now(10)
    assert got is not None
    assert (got.name, got.id_number, got.card_number) == (
        "王小明",
        "610902199101010010",
        "A61090201",
    )
    assert (got.region_code, got.card_version, got.generation) == ("610900", "3.00", "第三代")
    assert got.valid_until == dt.date(2031, 6, 1) and got.issued_on == dt.date(2021, 6, 1)
    assert got.sex_text == "男" and got.atr.startswith(b"\x3b\x68")
    # the documented sequence, as the card saw it
    assert card.commands[0] == bytes.fromhex("00A404000F") + "sx1.sh.社会保障".encode("gbk")
    assert card.commands[1] == bytes.fromhex("00C0000013")
    assert bytes.fromhex("00A4020002EF05") in card.commands
    assert bytes.fromhex("00A4020002EF06") in card.commands
    assert bytes.fromhex("00B207040B") in card.commands  # 6C0B answered: card number asked again
    # and pcscd logged the same APDUs (-a): it really went through PC/SC
    assert "00 A4 04 00 0F 73 78 31 2E 73 68 2E" in pcscd.log_text()
    assert "王小明" not in repr(got) and "610902199101010010" not in repr(got)


def test_expired_card_is_read_with_its_date(slot) -> None:  # type: ignore[no-untyped-def]
    card, _ = slot
    card.insert("expired")
    got = SSCardReader(URL).read_now(10)
    assert got is not None and got.expired(dt.date(2026, 12, 2)) and got.generation == "第二代"


def test_wrong_application_is_an_unknown_card(slot) -> None:  # type: ignore[no-untyped-def]
    card, _ = slot
    card.app = False  # SELECT SSSE → 6A82 (a bank card, a SIM …)
    card.insert()
    reader = SSCardReader(URL)
    assert _wait(lambda: reader.transport.present(reader.transport.pick()))
    with pytest.raises(UnknownCardError, match="6A82"):
        reader.poll_once()
    assert reader.state is ReaderState.CARD_PRESENT
    assert reader.poll_once() is None  # not hammered: it must be taken out first


def test_pin_protected_holder_data(slot) -> None:  # type: ignore[no-untyped-def]
    card, _ = slot
    card.pin = True  # EF06 records answer 6982
    card.insert()
    reader = SSCardReader(URL)
    assert _wait(lambda: reader.transport.present(reader.transport.pick()))
    with pytest.raises(PinRequiredError, match="6982"):
        reader.poll_once()


def test_card_pulled_mid_read(slot) -> None:  # type: ignore[no-untyped-def]
    card, _ = slot
    card.pull_after = 6  # gone after the EF05 card number request
    card.insert()
    reader = SSCardReader(URL)
    assert _wait(lambda: reader.transport.present(reader.transport.pick()))
    with pytest.raises(CardRemovedError):
        reader.poll_once()
    assert reader.state is ReaderState.IDLE
    assert _wait(lambda: not reader.transport.present(reader.transport.pick()))
    assert reader.poll_once() is None  # nothing half-read is ever reported


def test_no_card_and_no_reader(slot) -> None:  # type: ignore[no-untyped-def]
    reader = SSCardReader(URL)
    assert reader.poll_once() is None and reader.state is ReaderState.IDLE
    with pytest.raises(NoCardError):
        reader.transport.connect(reader.transport.pick())
    with pytest.raises(NoReaderError, match="Elsewhere"):
        SSCardReader("pcsc://?reader=Elsewhere").poll_once()


def test_hot_plug_loop_reads_each_insertion_once(slot) -> None:  # type: ignore[no-untyped-def]
    card, _ = slot
    reader = SSCardReader(URL, poll_interval=0.1, reconnect_interval=0.2)
    cards: list[str] = []
    states: list[ReaderState] = []
    got = threading.Event()
    reader.on_card(lambda c: (cards.append(c.name), got.set()))
    reader.on_state(lambda old, new: states.append(new))
    reader.start()
    try:
        assert _wait(lambda: reader.state is ReaderState.IDLE)
        card.insert("demo")
        assert got.wait(10)
        time.sleep(0.5)
        assert cards == ["王小明"]  # a card left in the slot is read once
        card.remove()
        assert _wait(lambda: reader.state is ReaderState.IDLE)
        got.clear()
        card.insert(DEMO_HOLDERS["expired"])
        assert got.wait(10) and cards == ["王小明", "李晓红"]
        assert ReaderState.READING in states
    finally:
        reader.close()

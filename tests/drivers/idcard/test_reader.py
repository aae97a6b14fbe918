"""The reader against the simulator over a real pty: reads, faults, unplug/replug, wire log."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.idcard import protocol as p
from drivers.idcard.card import ForeignCard2023, MainlandIdCard
from drivers.idcard.errors import NoReplyError, PortError, SamError
from drivers.idcard.reader import IdCardReader, ReaderState
from drivers.sim.base import PtyServer, serve_pty
from drivers.sim.idcard import DEMO_CARDS, IdCardSimulator, demo_card

FIND = (0x20, 0x01)
READ = (0x30, 0x01)


@pytest.fixture
def rig() -> Iterator:
    """make(**sim options) → (simulator, reader opened on the simulator's pty path)."""
    servers: list[PtyServer] = []
    readers: list[IdCardReader] = []

    def make(
        reader_kw: dict | None = None, **sim_kw: object
    ) -> tuple[IdCardSimulator, IdCardReader]:
        sim = IdCardSimulator(**sim_kw)  # type: ignore[arg-type]
        server = serve_pty(sim)
        servers.append(server)
        kw = {
            "timeout": 0.3,
            "poll_interval": 0.01,
            "reconnect_interval": 0.05,
            **(reader_kw or {}),
        }
        reader = IdCardReader(server.port, **kw)
        readers.append(reader)
        return sim, reader

    yield make
    for r in readers:
        r.close()
    for s in servers:
        s.stop()


def wait_until(predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


@pytest.mark.parametrize("kind", list(DEMO_CARDS))
def test_reads_each_card_type(rig, kind: str) -> None:
    sim, reader = rig(card=demo_card(kind))
    reader.open()
    assert reader.state is ReaderState.IDLE
    assert reader.sam_id() == "05.01-20190101-0012345678-1234567890"
    card = reader.wait_for_card(2.0)
    assert card == demo_card(kind)
    assert reader.state is ReaderState.CARD_PRESENT


def test_card_must_leave_before_next_read(rig) -> None:
    sim, reader = rig(card=demo_card("mainland"))
    reader.open()
    assert reader.poll_once() == demo_card("mainland")
    assert [reader.poll_once() for _ in range(3)] == [None, None, None]
    assert reader.state is ReaderState.IDLE  # the halted card no longer answers find
    sim.remove()
    assert reader.poll_once() is None
    sim.insert(demo_card("foreign_2023"))
    assert isinstance(reader.poll_once(), ForeignCard2023)


def test_no_card_times_out_with_none(rig) -> None:
    sim, reader = rig()
    reader.open()
    t0 = time.monotonic()
    assert reader.wait_for_card(0.3) is None
    assert 0.25 < time.monotonic() - t0 < 1.5


def test_sam_fault_on_open(rig) -> None:
    sim, reader = rig(sam_fault=0x60)
    with pytest.raises(SamError) as info:
        reader.open()
    assert info.value.sw3 == 0x60 and "0x60" in str(info.value) and "self-test" in str(info.value)


def test_silence_raises_no_reply_after_bounded_retries(rig) -> None:
    sim, reader = rig(reader_kw={"timeout": 0.15, "retries": 2}, silence=True)
    t0 = time.monotonic()
    with pytest.raises(NoReplyError, match="no reply to SAM_STATUS"):
        reader.open()
    assert 0.4 < time.monotonic() - t0 < 2.0
    assert sim.requests == [(0x11, 0xFF)] * 3  # heard all 3 attempts, answered none
    sim.silence = False
    reader.open()
    assert reader.state is ReaderState.IDLE


def test_noise_is_survived_by_retries(rig) -> None:
    sim, reader = rig(reader_kw={"retries": 8}, card=demo_card("mainland"), noise=0.0004, seed=6)
    reader.open()
    card = reader.wait_for_card(5.0)
    assert card == demo_card("mainland")
    assert sim.requests.count(READ) >= 2, (
        "the seed is chosen so at least one read answer is damaged"
    )


def test_heavy_noise_ends_in_no_reply(rig) -> None:
    sim, reader = rig(
        reader_kw={"timeout": 0.1, "retries": 2}, card=demo_card("mainland"), noise=0.6, seed=1
    )
    with pytest.raises(NoReplyError):
        reader.open()


def test_drop_after_mid_read(rig) -> None:
    # status (11) + find (15) + select (19) go out whole, the 1295-byte read answer is cut
    sim, reader = rig(
        reader_kw={"timeout": 0.1, "read_timeout": 0.2, "retries": 1},
        card=demo_card("mainland"),
        drop_after=11 + 15 + 19 + 500,
    )
    reader.open()
    with pytest.raises(NoReplyError, match="READ_TEXT_PHOTO"):
        reader.poll_once()
    assert reader.state is ReaderState.READING


def test_poll_loop_states_callbacks_and_recovery_from_sam_fault(rig) -> None:
    sim, reader = rig(sam_fault=0x60)
    states: list[tuple[str, str]] = []
    cards, errors = [], []
    reader.on_state(lambda old, new: states.append((old.value, new.value)))
    reader.on_card(cards.append)
    reader.on_error(errors.append)
    reader.start()
    assert wait_until(lambda: reader.state is ReaderState.ERROR)
    assert isinstance(errors[0], SamError)
    sim.sam_fault = None
    assert wait_until(lambda: reader.state is ReaderState.IDLE)
    sim.insert(demo_card("mainland"))
    assert wait_until(lambda: len(cards) == 1)
    time.sleep(0.2)
    assert len(cards) == 1, "a card left on the reader is read once"
    sim.remove()
    sim.insert(demo_card("hk_mo_tw"))
    assert wait_until(lambda: len(cards) == 2)
    reader.stop()
    assert cards == [demo_card("mainland"), demo_card("hk_mo_tw")]
    assert ("disconnected", "error") in states
    assert ("idle", "card_present") in states and ("card_present", "reading") in states
    assert ("reading", "card_present") in states


def test_unplug_and_replug(tmp_path: Path) -> None:
    """The port vanishes (pty closed, by-id symlink removed) and comes back as a new pty."""
    link = tmp_path / "ttyIDCARD"
    sim = IdCardSimulator(card=demo_card("mainland"))
    server = serve_pty(sim)
    os.symlink(server.port, link)
    reader = IdCardReader(str(link), timeout=0.2, poll_interval=0.01, reconnect_interval=0.05)
    cards: list = []
    errors: list = []
    reader.on_card(cards.append)
    reader.on_error(errors.append)
    reader.start()
    server2 = None
    try:
        assert wait_until(lambda: len(cards) == 1)
        server.stop()  # unplug
        link.unlink()
        assert wait_until(lambda: reader.state is ReaderState.DISCONNECTED)
        assert isinstance(errors[-1], PortError)
        time.sleep(0.2)
        assert reader.state is ReaderState.DISCONNECTED
        sim2 = IdCardSimulator(card=demo_card("foreign_2023"))
        server2 = serve_pty(sim2)  # replug: a new device node behind the same symlink
        os.symlink(server2.port, link)
        assert wait_until(lambda: len(cards) == 2)
        assert isinstance(cards[1], ForeignCard2023)
    finally:
        reader.close()
        server.stop()
        if server2 is not None:
            server2.stop()


def test_reader_absent_at_start_is_reported_once(tmp_path: Path) -> None:
    """The poll loop reports a reader missing from the start like an unplug (once, not per retry)."""
    reader = IdCardReader(str(tmp_path / "ttyIDCARD"), reconnect_interval=0.02)
    errors: list = []
    reader.on_error(errors.append)
    reader.start()
    try:
        assert wait_until(lambda: len(errors) == 1)
        time.sleep(0.2)  # ~10 more failed attempts
        assert len(errors) == 1 and isinstance(errors[0], PortError)
        assert reader.state is ReaderState.DISCONNECTED
    finally:
        reader.close()


def test_open_missing_port_raises_port_error(tmp_path: Path) -> None:
    reader = IdCardReader(str(tmp_path / "nope"))
    with pytest.raises(PortError, match="cannot open"):
        reader.open()
    assert reader.state is ReaderState.DISCONNECTED


def test_sim_url_reader() -> None:
    reader = IdCardReader("sim://idcard?card=mainland", timeout=0.3, poll_interval=0.01)
    with reader:
        assert isinstance(reader.wait_for_card(2.0), MainlandIdCard)
    assert reader.state is ReaderState.DISCONNECTED


def test_wire_log_masks_personal_data(rig, caplog: pytest.LogCaptureFixture) -> None:
    card = demo_card("mainland")
    sim, reader = rig(card=card)
    wire = logging.getLogger("kiosk.wire")
    old = wire.level
    wire.setLevel(logging.DEBUG)
    try:
        with caplog.at_level(logging.DEBUG, logger="kiosk.wire"):
            reader.open()
            assert reader.wait_for_card(2.0) == card
    finally:
        wire.setLevel(old)
    messages = [r.getMessage() for r in caplog.records if r.name == "kiosk.wire"]
    text = "\n".join(messages)
    assert "idcard TX aa aa aa 96 69 00 03 20 01 22" in text
    assert "idcard RX body 00 00 9f 00 00 00 00" in text
    assert "00 00 90 01 00 04 00 +1280 bytes personal data (masked)" in text
    for secret in (card.id_number, card.name, card.address):
        assert secret.encode("utf-16-le").hex(" ")[:20] not in text
        assert secret not in text


def test_wire_log_silent_by_default(rig, caplog: pytest.LogCaptureFixture) -> None:
    sim, reader = rig(card=demo_card("mainland"))
    logging.getLogger("kiosk.wire").setLevel(logging.CRITICAL + 1)
    try:
        with caplog.at_level(logging.INFO):
            reader.open()
            reader.wait_for_card(2.0)
    finally:
        logging.getLogger("kiosk.wire").setLevel(logging.NOTSET)
    assert not [r for r in caplog.records if r.name == "kiosk.wire"]
    assert demo_card("mainland").id_number not in caplog.text


def test_callback_errors_do_not_stop_the_reader(rig) -> None:
    sim, reader = rig(card=demo_card("mainland"))

    def boom(card: object) -> None:
        raise RuntimeError("listener bug")

    reader.on_card(boom)
    got = threading.Event()
    reader.on_card(lambda c: got.set())
    reader.open()
    assert reader.poll_once() is not None and got.is_set()


def test_transact_rejects_closed_port() -> None:
    reader = IdCardReader("/dev/null")
    with pytest.raises(PortError):
        reader.transact(p.Command.FIND_CARD)


def test_late_answer_to_an_earlier_request_is_not_taken(rig) -> None:
    """A find answer arriving while select waits is dropped, not read as the select answer.

    Patches the simulator's dispatch: a late answer cannot be produced through its options.
    """
    sim, reader = rig(card=demo_card("mainland"))
    reader.open()
    # a stale 'card found' answer lands on the line right after the select request goes out
    original = sim._dispatch

    def late_find_then_answer(req: p.Request) -> bytes:
        answer = original(req)
        if (req.cmd, req.para) == (0x20, 0x02):
            return p.encode_response(0x9F, bytes(4)) + answer
        return answer

    sim._dispatch = late_find_then_answer  # type: ignore[method-assign]
    assert reader.poll_once() == demo_card("mainland")


def test_failed_health_check_leaves_port_closed(rig) -> None:
    sim, reader = rig(sam_fault=0x66)
    with pytest.raises(SamError):
        reader.open()
    assert not reader.is_open


def test_reads_over_tcp_at_paced_wire_rate() -> None:
    from drivers.sim.base import serve_tcp

    server = serve_tcp(IdCardSimulator(card=demo_card("foreign_2017"), pace_baud=115200))
    host, port = server.address
    reader = IdCardReader(f"socket://{host}:{port}", timeout=0.3, poll_interval=0.01)
    try:
        reader.open()
        t0 = time.perf_counter()
        assert reader.wait_for_card(2.0) == demo_card("foreign_2017")
        assert time.perf_counter() - t0 >= 1359 * 10 / 115200 * 0.98  # never faster than the wire
    finally:
        reader.close()
        server.stop()


def test_garbage_on_the_line_is_skipped(rig) -> None:
    """Power-up noise, and noise (with broken preambles) ahead of every answer.

    Patches the simulator's dispatch to prepend the noise: its options cannot place bytes there.
    """
    sim, reader = rig(card=demo_card("mainland"))
    sim.send(b"\x00\xffboot\xaa\xaa\xaa\x96\x69\x00")  # before the host asks anything
    original = sim._dispatch
    sim._dispatch = lambda req: b"\x00\xff\xaa\xaa\xaa\x96\x13" + original(req)  # type: ignore[method-assign]
    reader.open()
    assert reader.wait_for_card(2.0) == demo_card("mainland")
    assert sim.requests == [(0x11, 0xFF), FIND, (0x20, 0x02), READ], "no retry was needed"

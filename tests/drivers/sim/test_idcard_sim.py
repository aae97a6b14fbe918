"""The ID card simulator answers the real GA 467 bytes over a pty, a TCP socket and sim://."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
import serial

from drivers.idcard import protocol as p
from drivers.idcard.card import build_text
from drivers.sim.base import serve_pty, serve_tcp
from drivers.sim.idcard import DEMO_CARDS, IdCardSimulator, demo_card
from drivers.transport import open_serial

H = "AA AA AA 96 69 "
FIND, SELECT, READ = (
    p.encode_request(c)
    for c in (p.Command.FIND_CARD, p.Command.SELECT_CARD, p.Command.READ_TEXT_PHOTO)
)


class Wire:
    """A raw serial port on the simulator's pty: send bytes, collect the answer bytes."""

    def __init__(self, sim: IdCardSimulator) -> None:
        self.sim = sim
        self.server = serve_pty(sim)
        self.port = serial.Serial(self.server.port, 115200, timeout=0.05)

    def ask(self, frame: bytes, expect: int | None = None, wait: float = 1.0) -> bytes:
        self.port.write(frame)
        out = b""
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and (expect is None or len(out) < expect):
            out += self.port.read(max(1, self.port.in_waiting))
            if expect is None and out and not self.port.in_waiting:
                time.sleep(0.03)
                if not self.port.in_waiting:
                    break
        return out

    def close(self) -> None:
        self.port.close()
        self.server.stop()


@pytest.fixture
def wire_factory() -> Iterator:
    made: list[Wire] = []

    def make(**kwargs: object) -> Wire:
        w = Wire(IdCardSimulator(**kwargs))  # type: ignore[arg-type]
        made.append(w)
        return w

    yield make
    for w in made:
        w.close()


def hx(text: str) -> bytes:
    return bytes.fromhex(text)


def test_sam_commands_exact_bytes(wire_factory) -> None:
    w = wire_factory()
    assert w.ask(p.encode_request(p.Command.SAM_STATUS), 11) == hx(H + "00 04 00 00 90 94")
    assert w.ask(p.encode_request(p.Command.RESET_SAM), 11) == hx(H + "00 04 00 00 90 94")
    answer = w.ask(p.encode_request(p.Command.SAM_ID), 27)
    assert answer[:10] == hx(H + "00 14 00 00 90")
    assert p.decode_sam_id(p.decode_frame(answer)[3:]) == "05.01-20190101-0012345678-1234567890"
    assert w.ask(p.encode_set_baud(9600), 11) == hx(H + "00 04 00 00 90 94")


def test_find_select_read_and_halt_until_removed(wire_factory) -> None:
    w = wire_factory()
    assert w.ask(FIND, 11) == hx(H + "00 04 00 00 80 84")
    assert w.ask(SELECT, 11) == hx(H + "00 04 00 00 81 85")
    assert w.ask(READ, 11) == hx(H + "00 04 00 00 41 45")
    card = demo_card("mainland")
    w.sim.insert(card)
    assert w.ask(FIND, 15) == hx(H + "00 08 00 00 9F 00 00 00 00 97")
    assert w.ask(SELECT, 19) == hx(H + "00 0C 00 00 90" + " 00" * 8 + " 9C")
    answer = w.ask(READ, 1295)
    assert len(answer) == 1295 and answer[:14] == hx(H + "05 08 00 00 90 01 00 04 00")
    assert answer[14:270] == build_text(card) and answer[270:1294] == card.photo
    assert p.checksum(answer[5:-1]) == answer[-1]
    # the card stays on the reader but is halted: find fails until it is taken away
    assert w.ask(FIND, 11) == hx(H + "00 04 00 00 80 84")
    assert w.ask(FIND, 11) == hx(H + "00 04 00 00 80 84")
    w.sim.remove()
    w.sim.insert(card)
    assert w.ask(FIND, 15)[9] == 0x9F


def test_fingerprint_read_and_newest_address(wire_factory) -> None:
    w = wire_factory(card=demo_card("hk_mo_tw"))
    w.ask(FIND, 15)
    w.ask(SELECT, 19)
    assert w.ask(p.encode_request(p.Command.READ_NEWEST_ADDRESS), 11) == hx(H + "00 04 00 00 91 95")
    w.sim.newest_address = "广东省广州市天河区"
    answer = w.ask(p.encode_request(p.Command.READ_NEWEST_ADDRESS), 81)
    assert p.decode_frame(answer)[3:].decode("utf-16-le").rstrip() == "广东省广州市天河区"
    answer = w.ask(p.encode_request(p.Command.READ_TEXT_PHOTO_FP), 1297)
    assert answer[10:16] == hx("01 00 04 00 00 00")


def test_bad_frames_from_host(wire_factory) -> None:
    w = wire_factory()
    assert w.ask(hx(H + "00 03 20 01 23"), 11) == hx(H + "00 04 00 00 10 14")
    assert w.ask(hx(H + "00 03 77 01 75"), 11) == hx(H + "00 04 00 00 21 25")
    assert w.ask(b"\x00garbage" + FIND, 11) == hx(H + "00 04 00 00 80 84")


def test_sam_fault(wire_factory) -> None:
    w = wire_factory(sam_fault=0x60, card=demo_card("mainland"))
    assert w.ask(p.encode_request(p.Command.SAM_STATUS), 11) == hx(H + "00 04 00 00 60 64")
    assert w.ask(FIND, 11) == hx(H + "00 04 00 00 60 64")


def test_silence(wire_factory) -> None:
    w = wire_factory(silence=True)
    assert w.ask(p.encode_request(p.Command.SAM_STATUS), wait=0.3) == b""
    w.sim.silence = False
    assert w.ask(p.encode_request(p.Command.SAM_STATUS), 11) == hx(H + "00 04 00 00 90 94")


def test_drop_after(wire_factory) -> None:
    w = wire_factory(drop_after=17, card=demo_card("mainland"))
    assert w.ask(p.encode_request(p.Command.SAM_STATUS), 11) == hx(H + "00 04 00 00 90 94")
    assert w.ask(FIND, wait=0.3) == hx(H + "00")  # cut mid-frame, then mute
    assert w.ask(SELECT, wait=0.3) == b""


def test_noise_corrupts_about_the_given_fraction(wire_factory) -> None:
    w = wire_factory(noise=0.1, seed=7, card=demo_card("mainland"))
    w.ask(FIND, 15)
    w.ask(SELECT, 19)
    w.sim.noise = 0.1
    answer = w.ask(READ, 1295)
    clean = p.encode_response(
        0x90, p.encode_read_data(build_text(demo_card("mainland")), demo_card("mainland").photo)
    )
    assert len(answer) == 1295
    changed = sum(a != b for a, b in zip(answer, clean))
    assert 60 < changed < 200


def test_pacing_holds_the_wire_rate(wire_factory) -> None:
    w = wire_factory(pace_baud=115200, card=demo_card("mainland"))
    w.ask(FIND, 15)
    w.ask(SELECT, 19)
    t0 = time.perf_counter()
    answer = w.ask(READ, 1295, wait=2.0)
    elapsed = time.perf_counter() - t0
    assert len(answer) == 1295
    assert elapsed >= (1295 + 10) * 10 / 115200 * 0.98  # never faster than the real line


def test_from_options() -> None:
    sim = IdCardSimulator.from_options(
        {
            "card": "foreign_2017",
            "noise": "0.01",
            "silence": "",
            "drop_after": "100",
            "sam_fault": "60",
            "pace_baud": "115200",
            "seed": "3",
        }
    )
    assert sim.card == DEMO_CARDS["foreign_2017"]
    assert (sim.noise, sim.silence, sim.drop_after, sim.sam_fault, sim.pace_baud) == (
        0.01,
        True,
        100,
        0x60,
        115200,
    )
    assert IdCardSimulator.from_options({"silence": "0"}).silence is False
    for bad in (
        {"nois": "1"},
        {"noise": "2"},
        {"card": "passport"},
        {"sam_fault": "zz"},
        {"pace_baud": "-5"},
    ):
        with pytest.raises(ValueError):
            IdCardSimulator.from_options(bad)


def test_sim_url_through_transport() -> None:
    port = open_serial("sim://idcard?card=foreign_2023", timeout=0.05)
    try:
        assert isinstance(port.simulator, IdCardSimulator)
        port.write(FIND)
        deadline, out = time.monotonic() + 1, b""
        while len(out) < 15 and time.monotonic() < deadline:
            out += port.read(15 - len(out))
        assert out == hx(H + "00 08 00 00 9F 00 00 00 00 97")
    finally:
        port.close()


def test_serves_over_tcp() -> None:
    server = serve_tcp(IdCardSimulator(card=demo_card("mainland")))
    try:
        with socket.create_connection(server.address, timeout=2) as sock:
            sock.sendall(FIND)
            out = b""
            while len(out) < 15:
                out += sock.recv(64)
        assert out == hx(H + "00 08 00 00 9F 00 00 00 00 97")
    finally:
        server.stop()

"""Device URLs: sim:// starts a simulator behind a real pty; bad URLs are TransportError."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping

import pytest
import serial

from drivers import sim
from drivers.errors import TransportError
from drivers.sim.base import Simulator, serve_tcp
from drivers.transport import open_serial


class EchoSimulator(Simulator):
    """Answers every chunk reversed; `prefix` option prepended."""

    kind = "echo"

    def __init__(self, prefix: bytes = b"") -> None:
        super().__init__()
        self.prefix = prefix
        self.received = bytearray()

    @classmethod
    def from_options(cls, options: Mapping[str, str]) -> EchoSimulator:
        unknown = set(options) - {"prefix"}
        if unknown:
            raise ValueError(f"unknown option {sorted(unknown)[0]}")
        return cls(options.get("prefix", "").encode())

    def on_data(self, data: bytes) -> None:
        self.received += data
        self.send(self.prefix + data[::-1])


@pytest.fixture(autouse=True)
def echo_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sim.FACTORIES, "echo", f"{__name__}:EchoSimulator.from_options")


def read_exactly(port: serial.SerialBase, n: int, deadline: float = 2.0) -> bytes:
    buf = b""
    end = time.monotonic() + deadline
    while len(buf) < n and time.monotonic() < end:
        buf += port.read(n - len(buf))
    return buf


def test_sim_url_opens_a_real_pty_with_the_simulator_behind_it() -> None:
    port = open_serial("sim://echo?prefix=>", baudrate=115200, timeout=0.1)
    try:
        assert port.portstr == "sim://echo?prefix=>"
        assert port.pty_path.startswith("/dev/pts/") and os.path.exists(port.pty_path)
        assert isinstance(port.simulator, EchoSimulator)
        assert sim.running["echo"] is port.simulator
        port.write(b"\xaa\xaa\xaa\x96\x69")
        assert read_exactly(port, 6) == b">\x69\x96\xaa\xaa\xaa"
        assert bytes(port.simulator.received) == b"\xaa\xaa\xaa\x96\x69"
    finally:
        port.close()


def test_sim_over_tcp_with_pyserial_socket_url() -> None:
    server = serve_tcp(EchoSimulator(b"#"))
    try:
        host, tcp_port = server.address
        port = open_serial(f"socket://{host}:{tcp_port}", timeout=0.1)
        try:
            port.write(b"abc")
            assert read_exactly(port, 4) == b"#cba"
        finally:
            port.close()
    finally:
        server.stop()


@pytest.mark.parametrize(
    "url, fragment",
    [
        ("sim://nosuchdevice", "unknown simulator"),
        ("sim://echo?colour=red", "bad option"),
        ("/dev/does-not-exist-ttyUSB9", "cannot open"),
        ("socket://127.0.0.1:1", "cannot open"),
    ],
)
def test_bad_urls_are_transport_errors(url: str, fragment: str) -> None:
    with pytest.raises(TransportError) as exc:
        open_serial(url)
    assert fragment in str(exc.value)

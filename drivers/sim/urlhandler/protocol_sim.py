"""pyserial handler for `sim://KIND?opt=val`: a simulator behind a pty, opened as a real port."""

from __future__ import annotations

import urllib.parse

import serial
from serial.serialposix import Serial as PosixSerial

from drivers import sim
from drivers.sim.base import PtyServer, Simulator, serve_pty


def parse_url(url: str) -> tuple[str, dict[str, str]]:
    """Split `sim://KIND?a=1&b=2` into KIND and its options."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "sim" or not parts.netloc:
        raise serial.SerialException(f"expected sim://KIND[?options], got {url!r}")
    options = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
    return parts.netloc, options


class Serial(PosixSerial):
    """A POSIX serial port whose other end is a simulator thread."""

    simulator: Simulator | None = None
    pty_path: str | None = None
    _server: PtyServer | None = None

    def open(self) -> None:
        """Start the simulator named by the URL and open its pty."""
        kind, options = parse_url(self._port)
        try:
            factory = sim.factory_for(kind)
        except (KeyError, ImportError, AttributeError) as exc:
            raise serial.SerialException(f"sim://{kind}: {exc}") from exc
        try:
            self.simulator = factory(options)
        except ValueError as exc:
            raise serial.SerialException(f"sim://{kind}: bad option: {exc}") from exc
        self._server = serve_pty(self.simulator)
        sim.running[kind] = self.simulator
        url = self._port
        self.pty_path = self.portstr = self._server.port
        try:
            super().open()
        finally:
            self.portstr = url

    def close(self) -> None:
        """Close the port and stop the simulator."""
        super().close()
        if self._server is not None:
            self._server.stop()
            self._server = None

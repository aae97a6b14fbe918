"""Simulated serial QR/barcode scanner: `scan(text)` sends the code and a line terminator.

`sim://scanner?terminator=CR|LF|CRLF`
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Mapping

from drivers.sim.base import Simulator, SocketLink

log = logging.getLogger(__name__)

TERMINATORS = {"CR": b"\r", "LF": b"\n", "CRLF": b"\r\n"}


class ScannerSimulator(Simulator):
    """A scanner: the host never needs to send anything; codes go out when `scan` is called."""

    kind = "scanner"

    def __init__(self, terminator: str = "CR") -> None:
        super().__init__()
        if terminator.upper() not in TERMINATORS:
            raise ValueError(f"terminator must be CR, LF or CRLF, got {terminator!r}")
        self.terminator = TERMINATORS[terminator.upper()]
        self.received = bytearray()

    @classmethod
    def from_options(cls, options: Mapping[str, str]) -> ScannerSimulator:
        """Build from `sim://scanner?terminator=CR` options."""
        extra = set(options) - {"terminator"}
        if extra:
            raise ValueError(f"unknown option(s) {', '.join(sorted(extra))}; known: terminator")
        return cls(options.get("terminator", "CR"))

    def on_data(self, data: bytes) -> None:
        self.received += data  # configuration commands from the host are accepted and ignored

    def scan(self, text: str, encoding: str = "utf-8", terminator: bytes | None = None) -> bytes:
        """Send one code (encoded with `encoding`) plus the terminator; return the bytes sent."""
        data = text.encode(encoding) + (self.terminator if terminator is None else terminator)
        self.send(data)
        return data

    @property
    def connected(self) -> bool:
        """True while a host is attached."""
        with self._link_lock:
            return self._link is not None

    def unplug(self) -> None:
        """Drop a TCP host connection as a pulled cable would (the server then accepts again)."""
        with self._link_lock:
            link = self._link
        if isinstance(link, SocketLink):
            try:
                link.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

"""vsmartcard's vpcd socket protocol, card side: serve a simulated card to a real pcscd.

vpcd (the `libifdvpcd` reader driver of pcscd) listens on a TCP port; a virtual card connects
to it. Every message both ways is a 2-byte big-endian length and a payload. A 1-byte payload
from vpcd is a control code: 00 power off, 01 power on, 02 reset, 04 "send your ATR"; any
longer payload is a command APDU, answered with the response APDU. Connected = card inserted;
closing the socket = card pulled out.
"""

from __future__ import annotations

import logging
import socket
import struct
import threading
import time

from drivers.sim.sscard import ATR, CardRemoved, SSCardSimulator

log = logging.getLogger(__name__)

POWER_OFF, POWER_ON, RESET, GET_ATR = 0, 1, 2, 4


class VpcdCard:
    """Connects `card` to vpcd at host:port while the card is inserted; follows insert/remove."""

    def __init__(self, card: SSCardSimulator, port: int, host: str = "127.0.0.1") -> None:
        self.card, self.host, self.port = card, host, port
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        card.listeners.append(self._on_slot)

    def start(self) -> None:
        """Serve in a thread (reconnecting while the card is inserted)."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="vpcd-card", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Disconnect and stop."""
        self._stop.set()
        self._drop()
        if self._thread is not None:
            self._thread.join(5)

    def _on_slot(self, inserted: bool) -> None:
        if not inserted:
            self._drop()  # vpcd sees the socket close: the card is gone

    def _drop(self) -> None:
        with self._lock:
            sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            if not self.card.inserted:
                time.sleep(0.05)
                continue
            try:
                sock = socket.create_connection((self.host, self.port), timeout=1.0)
            except OSError:
                time.sleep(0.1)  # vpcd not listening yet (pcscd still starting)
                continue
            sock.settimeout(None)
            with self._lock:
                self._sock = sock
            try:
                self._serve(sock)
            except (OSError, EOFError) as exc:
                log.debug("vpcd link closed: %s", exc)
            self._drop()

    def _serve(self, sock: socket.socket) -> None:
        while not self._stop.is_set() and self.card.inserted:
            payload = _recv_msg(sock)
            if len(payload) == 1:
                code = payload[0]
                if code in (POWER_ON, RESET):
                    self.card.power_on()
                elif code == GET_ATR:  # asked on every status query: no reset
                    _send_msg(sock, ATR)
                continue
            try:
                answer = self.card.apdu(payload)
            except CardRemoved:
                return  # closing the socket is how a pulled card looks to vpcd
            _send_msg(sock, answer)


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError("vpcd closed the connection")
        buf += chunk
    return buf


def _recv_msg(sock: socket.socket) -> bytes:
    (n,) = struct.unpack(">H", _recv_exact(sock, 2))
    return _recv_exact(sock, n)


def _send_msg(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(struct.pack(">H", len(payload)) + payload)

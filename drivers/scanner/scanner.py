"""Serial QR/barcode scanner in line mode on `serial.threaded.ReaderThread`, with reconnect."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import serial
import serial.threaded

from drivers.errors import TransportError
from drivers.scanner.decode import clean_packet, decode_payload, terminator_bytes
from drivers.scanner.errors import ScannerConnectionError
from drivers.transport import open_serial

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Scan:
    """One scanned code."""

    text: str
    raw: bytes
    encoding: str
    received_at: float  # on the scanner's clock


class _LineProtocol(serial.threaded.Packetizer):
    """Splits the byte stream on the terminator and hands each line to the scanner."""

    def __init__(self, owner: Scanner) -> None:
        super().__init__()
        self.owner = owner
        self.TERMINATOR = owner.terminator

    def handle_packet(self, packet: bytes) -> None:
        self.owner._on_packet(bytes(packet))

    def connection_lost(self, exc: BaseException | None) -> None:
        # Do not re-raise (the base class does): the owner reconnects instead.
        self.transport = None
        self.owner._on_lost(exc)


class Scanner:
    """A line-mode scanner: `start()`, `new_step()` when the screen asks for a code, `read()`."""

    def __init__(
        self,
        url: str,
        *,
        terminator: str = "CR",
        baudrate: int = 9600,
        reconnect_interval_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        on_scan: Callable[[Scan], None] | None = None,
        on_connection: Callable[[bool], None] | None = None,
    ) -> None:
        self.url = url
        self.terminator = terminator_bytes(terminator)
        self.baudrate = baudrate
        self.reconnect_interval_s = reconnect_interval_s
        self.clock = clock
        self.on_scan = on_scan
        self.on_connection = on_connection
        """Called with True after each (re)connect and False when the port is lost."""
        self._queue: queue.Queue[Scan] = queue.Queue()
        self._step_started = float("-inf")
        self._lock = threading.Lock()
        self._reader: serial.threaded.ReaderThread | None = None
        self._stop = threading.Event()
        self._lost = threading.Event()
        self._supervisor: threading.Thread | None = None
        self.connected = threading.Event()
        self.reconnects = 0

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self, *, retry: bool = False) -> Scanner:
        """Open the port and keep it open. If it cannot be opened: ScannerConnectionError, or
        with `retry` a warning and further attempts every `reconnect_interval_s` (hot-plug)."""
        try:
            self._connect()
        except ScannerConnectionError as exc:
            if not retry:
                raise
            log.warning(
                "scanner not connected (%s); retrying every %g s", exc, self.reconnect_interval_s
            )
            self._notify(False)
            self._lost.set()
        self._supervisor = threading.Thread(
            target=self._supervise, name="scanner-supervisor", daemon=True
        )
        self._supervisor.start()
        return self

    def stop(self) -> None:
        """Stop reading and close the port."""
        self._stop.set()
        self._lost.set()
        if self._supervisor is not None:
            self._supervisor.join(3.0)
        with self._lock:
            reader, self._reader = self._reader, None
        if reader is not None:
            reader.close()

    def __enter__(self) -> Scanner:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _connect(self) -> None:
        try:
            port = open_serial(self.url, baudrate=self.baudrate, timeout=0.5)
        except TransportError as exc:
            raise ScannerConnectionError(str(exc)) from exc
        reader = serial.threaded.ReaderThread(port, lambda: _LineProtocol(self))
        reader.name = "scanner-reader"
        self._lost.clear()
        with self._lock:
            self._reader = reader
        reader.start()
        self.connected.set()
        log.info("scanner connected on %s", self.url)
        self._notify(True)

    def _on_lost(self, exc: BaseException | None) -> None:
        self.connected.clear()
        if not self._stop.is_set():
            log.warning("scanner disconnected: %s", exc or "port closed")
            self._lost.set()
            self._notify(False)

    def _notify(self, up: bool) -> None:
        if self.on_connection is not None:
            try:
                self.on_connection(up)
            except Exception:  # a broken listener must not stop the reconnects
                log.exception("scanner connection callback failed")

    def _supervise(self) -> None:
        while not self._stop.is_set():
            self._lost.wait()
            if self._stop.is_set():
                return
            with self._lock:
                reader, self._reader = self._reader, None
            if reader is not None:
                try:
                    reader.serial.close()
                except (serial.SerialException, OSError):
                    pass
            while not self._stop.is_set():
                try:
                    self._connect()
                    self.reconnects += 1
                    break
                except ScannerConnectionError as exc:
                    log.debug("scanner reconnect failed: %s", exc)
                    self._stop.wait(self.reconnect_interval_s)

    # -- scans --------------------------------------------------------------------------------
    def _on_packet(self, packet: bytes) -> None:
        raw = clean_packet(packet)
        if not raw:
            return
        text, encoding = decode_payload(raw)
        scan = Scan(text, raw, encoding, self.clock())
        log.debug("scan of %d bytes (%s)", len(raw), encoding)
        self._queue.put(scan)
        if self.on_scan is not None:
            self.on_scan(scan)

    def new_step(self) -> None:
        """Start a new step: scans received before now are stale and will be dropped."""
        self._step_started = self.clock()

    def read(self, timeout: float) -> Scan | None:
        """The next scan of the current step, or None after `timeout` s."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                scan = (
                    self._queue.get(timeout=max(left, 0.0))
                    if left > 0
                    else self._queue.get_nowait()
                )
            except queue.Empty:
                return None
            if scan.received_at < self._step_started:
                log.info("dropped a stale scan from an earlier step")
                continue
            return scan

"""ID card reader over any serial transport: SAM health check, find → select → read poll loop.

The reader reconnects by itself when the port vanishes and comes back (USB-serial unplugged),
reports its state through callbacks, and writes raw traffic to the `kiosk.wire` logger with
the personal part of read answers masked.
"""

from __future__ import annotations

import logging
import termios
import threading
import time
from collections.abc import Callable
from enum import Enum
from typing import Any

import serial

from drivers.errors import TransportError
from drivers.idcard import protocol as p
from drivers.idcard.card import IdCard, parse_text
from drivers.idcard.errors import (
    CardDataError,
    CardReadFailed,
    ChecksumError,
    IdCardError,
    NoReplyError,
    PortError,
    ProtocolError,
    SamError,
)
from drivers.transport import open_serial

log = logging.getLogger(__name__)
wire = logging.getLogger("kiosk.wire")

#: Reads failing in a row, with the card still found each time, before it counts as unreadable
#: (one failure is a card lifted mid-read; the poll interval makes three about a second).
READ_FAILURES_UNREADABLE = 3
PORT_READ_TIMEOUT = 0.05  # pyserial read granularity; the per-step deadlines are ours
_PERSONAL = {
    p.Command.READ_TEXT_PHOTO.value,
    p.Command.READ_TEXT_PHOTO_FP.value,
    p.Command.READ_NEWEST_ADDRESS.value,
}
_PORT_ERRORS = (serial.SerialException, OSError, termios.error, TransportError)


# data length of a successful answer per request (None: any length, checked later)
_OK_DATA_LEN: dict[tuple[int, int], int | None] = {
    p.Command.RESET_SAM.value: None,
    p.Command.SAM_STATUS.value: 0,
    p.Command.SAM_ID.value: 16,
    p.Command.FIND_CARD.value: 4,
    p.Command.SELECT_CARD.value: 8,
}


def _plausible(key: tuple[int, int], body: bytes) -> bool:
    """Whether an answer body can belong to request `key` (answers carry no command echo)."""
    if len(body) < 3:
        return True  # let Response.from_body report it
    sw3, n = body[2], len(body) - 3
    if sw3 == p.Status.CARD_FOUND:
        return key == p.Command.FIND_CARD.value and n == 4
    if sw3 != p.Status.OK:
        return n == 0 or key not in _OK_DATA_LEN
    if key in _OK_DATA_LEN:
        expected = _OK_DATA_LEN[key]
        return expected is None or n == expected
    if key in (p.Command.READ_TEXT_PHOTO.value, p.Command.READ_TEXT_PHOTO_FP.value):
        return n >= 4
    return True


class ReaderState(Enum):
    """What the UI needs to know about the reader."""

    DISCONNECTED = "disconnected"
    IDLE = "idle"
    CARD_PRESENT = "card_present"
    READING = "reading"
    ERROR = "error"


StateCallback = Callable[[ReaderState, ReaderState], None]
CardCallback = Callable[[IdCard], None]
ErrorCallback = Callable[[IdCardError], None]


class IdCardReader:
    """One GA 467 reader on one device URL (path, pyserial URL or sim://idcard)."""

    def __init__(
        self,
        url: str,
        *,
        baudrate: int = 115200,
        timeout: float = 0.5,
        read_timeout: float | None = None,
        poll_interval: float = 0.3,
        retries: int = 2,
        reconnect_interval: float = 1.0,
        open_port: Callable[..., Any] = open_serial,
    ) -> None:
        self.url = url
        self.baudrate = baudrate
        self.timeout = timeout
        # the 1295-byte read answer alone takes 13 ms at 115200 and 1.35 s at 9600
        self.read_timeout = (
            read_timeout if read_timeout is not None else timeout + 1.0 + 15000 / baudrate
        )
        self.poll_interval = poll_interval
        self.retries = retries
        self.reconnect_interval = reconnect_interval
        self._open_port = open_port
        self._port: Any = None
        self._parser = p.StreamParser()
        self._io_lock = threading.RLock()
        self._state = ReaderState.DISCONNECTED
        self._await_removal = False
        self._read_failures = 0
        self._rearm: bool | None = None
        self._state_cbs: list[StateCallback] = []
        self._card_cbs: list[CardCallback] = []
        self._error_cbs: list[ErrorCallback] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_error: IdCardError | None = None

    # -- events ----------------------------------------------------------------------------
    def on_state(self, callback: StateCallback) -> None:
        """Call callback(old, new) on every state change (from the reader's thread)."""
        self._state_cbs.append(callback)

    def on_card(self, callback: CardCallback) -> None:
        """Call callback(card) after each successful read."""
        self._card_cbs.append(callback)

    def on_error(self, callback: ErrorCallback) -> None:
        """Call callback(error) when the reader enters ERROR or DISCONNECTED because of a fault."""
        self._error_cbs.append(callback)

    @property
    def state(self) -> ReaderState:
        """The current state."""
        return self._state

    def _set_state(self, new: ReaderState) -> None:
        old, self._state = self._state, new
        if old is not new:
            log.info("reader %s: %s -> %s", self.url, old.value, new.value)
            self._emit(self._state_cbs, old, new)

    def _fail(self, exc: IdCardError, state: ReaderState) -> None:
        self.last_error = exc
        self._set_state(state)
        self._emit(self._error_cbs, exc)

    def _emit(self, callbacks: list[Callable[..., None]], *args: Any) -> None:
        for cb in list(callbacks):
            try:
                cb(*args)
            except Exception:  # a broken listener must not stop the reader
                log.exception("reader callback %r failed", cb)

    # -- connection --------------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        """Whether the port is open."""
        return self._port is not None

    def open(self) -> None:
        """Open the port and check the SAM; PortError / SamError / NoReplyError on failure."""
        with self._io_lock:
            if self._port is None:
                try:
                    self._port = self._open_port(
                        self.url, baudrate=self.baudrate, timeout=PORT_READ_TIMEOUT
                    )
                except TransportError as exc:
                    raise PortError(str(exc)) from exc
                except _PORT_ERRORS as exc:
                    raise PortError(f"cannot open {self.url}: {exc}") from exc
                self._parser.reset()
                self._await_removal = False
            try:
                self.check_sam()
            except IdCardError:
                # open either succeeds whole or leaves nothing open; the loop reopens later
                self._drop_port()
                raise
        self._set_state(ReaderState.IDLE)

    def close(self) -> None:
        """Stop the poll thread (if any) and close the port."""
        self.stop()
        with self._io_lock:
            self._drop_port()
        self._set_state(ReaderState.DISCONNECTED)

    def _drop_port(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            try:
                port.close()
            except _PORT_ERRORS:
                pass

    def __enter__(self) -> IdCardReader:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- one request -------------------------------------------------------------------------
    def transact(
        self, command: p.Command | tuple[int, int], data: bytes = b"", timeout: float | None = None
    ) -> p.Response:
        """Send one request and return its answer; retries on checksum errors and silence."""
        key = command.value if isinstance(command, p.Command) else command
        name = command.name if isinstance(command, p.Command) else f"{key[0]:02X} {key[1]:02X}"
        frame = p.encode_request(key, data)
        timeout = self.timeout if timeout is None else timeout
        last: IdCardError | None = None
        with self._io_lock:
            if self._port is None:
                raise PortError(f"{self.url} is not open")
            for attempt in range(self.retries + 1):
                try:
                    body = self._exchange(frame, key, timeout)
                except ChecksumError as exc:
                    last = exc
                    log.info("%s: corrupt answer (attempt %d): %s", name, attempt + 1, exc)
                    continue
                if body is None:
                    last = NoReplyError(f"no reply to {name} within {timeout:g} s")
                    log.info("%s: no reply (attempt %d)", name, attempt + 1)
                    continue
                try:
                    resp = p.Response.from_body(body)
                except ProtocolError as exc:
                    last = exc
                    continue
                if resp.sw3 in (p.Status.CHECKSUM_ERROR, p.Status.LENGTH_ERROR):
                    # the reader got our frame damaged: say it again
                    last = NoReplyError(f"reader reports {resp.describe()} for {name}")
                    continue
                return resp
        assert last is not None
        if isinstance(last, ChecksumError):
            raise NoReplyError(
                f"no valid reply to {name} after {self.retries + 1} attempts (checksum errors)"
            ) from last
        if isinstance(last, NoReplyError) and self.retries:
            raise NoReplyError(f"{last} ({self.retries + 1} attempts)") from last
        raise last

    def _exchange(self, frame: bytes, key: tuple[int, int], timeout: float) -> bytes | None:
        port = self._port
        try:
            if port.in_waiting:
                port.reset_input_buffer()  # stale bytes from an earlier, abandoned answer
            self._parser.reset()
            port.write(frame)
            self._log_tx(frame)
            deadline = time.monotonic() + timeout
            while True:
                # ask for the whole rest of the frame once its length is known: pyserial then
                # returns as soon as it is in, or after PORT_READ_TIMEOUT with what came so far
                chunk = port.read(max(self._parser.wanted, port.in_waiting))
                items = self._parser.feed(chunk) if chunk else []
                if not items and time.monotonic() >= deadline:
                    items = self._parser.flush()
                    if not items:
                        return None
                for item in items:
                    if isinstance(item, p.Rejected):
                        if item.reason == "checksum":
                            self._log_rx_bad(item)
                            raise ChecksumError(f"answer of {item.size} bytes failed its checksum")
                        continue
                    if not _plausible(key, item):
                        # a late answer to an earlier, timed-out request: not ours
                        log.info("dropped an answer that does not fit %02X %02X", *key)
                        continue
                    self._log_rx(item, key)
                    return item
                if time.monotonic() >= deadline and not self._parser.pending:
                    return None
        except _PORT_ERRORS as exc:
            raise PortError(f"{self.url}: {exc}") from exc

    # -- wire log ----------------------------------------------------------------------------
    def _log_tx(self, frame: bytes) -> None:
        if wire.isEnabledFor(logging.DEBUG):
            wire.debug("idcard TX %s", frame.hex(" "))

    def _log_rx(self, body: bytes, key: tuple[int, int]) -> None:
        if not wire.isEnabledFor(logging.DEBUG):
            return
        if key in _PERSONAL and len(body) > 3:
            # SW1-3 and the u16 length fields only; everything after them is the holder's
            n_head = {
                p.Command.READ_TEXT_PHOTO.value: 7,
                p.Command.READ_TEXT_PHOTO_FP.value: 9,
            }.get(key, 3)
            head = body[:n_head]
            wire.debug(
                "idcard RX body %s +%d bytes personal data (masked)",
                head.hex(" "),
                len(body) - len(head),
            )
        else:
            wire.debug("idcard RX body %s", body.hex(" "))

    def _log_rx_bad(self, item: p.Rejected) -> None:
        if wire.isEnabledFor(logging.DEBUG):
            wire.debug("idcard RX %d bytes rejected: %s", item.size, item.reason)

    # -- SAM ---------------------------------------------------------------------------------
    def check_sam(self) -> p.Response:
        """SAM status `11 FF`; raise SamError unless it answers 0x90."""
        resp = self.transact(p.Command.SAM_STATUS)
        if not resp.ok:
            raise SamError(resp.sw3, "SAM status")
        return resp

    def reset_sam(self) -> None:
        """Reset the SAM (`10 FF`)."""
        resp = self.transact(p.Command.RESET_SAM, timeout=max(self.timeout, 1.0))
        if not resp.ok:
            raise SamError(resp.sw3, "SAM reset")

    def sam_id(self) -> str:
        """The SAM id string (`12 FF`), e.g. 05.01-20190101-0012345678-1234567890."""
        resp = self.transact(p.Command.SAM_ID)
        if not resp.ok:
            raise SamError(resp.sw3, "SAM id")
        return p.decode_sam_id(resp.data)

    # -- cards -------------------------------------------------------------------------------
    def rearm(self, read: bool = True) -> None:
        """Wake a card left on the reader at the next poll: read it again (`read`), or only
        report whether it is still there (state CARD_PRESENT until it leaves, then IDLE).

        Device quirk: a card read once is halted and ignores find until it leaves the field, so
        a card left lying there looks the same as no card. Resetting the SAM (10 FF) cycles the
        RF field, after which a halted card answers find again (as the simulator models; check
        new reader models with `kiosk device idcard` before relying on the reminder)."""
        self._rearm = read

    def poll_once(self) -> IdCard | None:
        """One find → select → read cycle; the card read, or None (no card, or not yet removed)."""
        S = p.Status
        with self._io_lock:
            rearm, self._rearm = self._rearm, None
            if rearm is not None:
                self.transact(p.Command.RESET_SAM, timeout=max(self.timeout, 1.0))
                self._await_removal = not rearm
                if self._state is ReaderState.CARD_PRESENT:
                    self._set_state(ReaderState.IDLE)  # the field dropped: found again below
            find = self.transact(p.Command.FIND_CARD)
            if find.sw3 == S.FIND_FAILED:
                self._await_removal = False
                self._read_failures = 0
                self._set_state(ReaderState.IDLE)
                return None
            if find.sw3 != S.CARD_FOUND:
                raise SamError(find.sw3, "find card")
            self._set_state(ReaderState.CARD_PRESENT)
            if self._await_removal:
                return None  # the card just read is still there: it must leave first
            sel = self.transact(p.Command.SELECT_CARD)
            if sel.sw3 == S.SELECT_FAILED:
                return None
            if not sel.ok:
                raise SamError(sel.sw3, "select card")
            self._set_state(ReaderState.READING)
            resp = self.transact(p.Command.READ_TEXT_PHOTO, timeout=self.read_timeout)
            if resp.sw3 in (
                S.READ_FAILED,
                S.SAM_AUTH_CARD_FAILED,
                S.CARD_AUTH_SAM_FAILED,
                S.VERIFY_FAILED,
                S.INFO_LENGTH_ERROR,
            ):
                # Once: the card moved away mid-read. Again and again with the card still found:
                # the card is there but cannot be read, which the citizen must be told.
                self._read_failures += 1
                log.info("read failed (%d in a row): %s", self._read_failures, resp.describe())
                self._set_state(ReaderState.CARD_PRESENT)
                if self._read_failures >= READ_FAILURES_UNREADABLE:
                    self._read_failures = 0
                    self._await_removal = True
                    raise CardReadFailed(
                        f"card present but {READ_FAILURES_UNREADABLE} reads failed "
                        f"({resp.describe()})"
                    )
                return None
            if not resp.ok:
                raise SamError(resp.sw3, "read card")
            try:
                answer = p.decode_read_data(resp.data)
                card = parse_text(answer.text, answer.photo)
            except (ProtocolError, CardDataError):
                # unreadable card: do not hammer it; it must be taken away and placed again
                self._await_removal = True
                self._set_state(ReaderState.CARD_PRESENT)
                raise
            self._await_removal = True
            self._read_failures = 0
            self._set_state(ReaderState.CARD_PRESENT)
        log.info("card read: %s", card)  # repr is masked
        self._emit(self._card_cbs, card)
        return card

    def read_newest_address(self) -> str | None:
        """Newest address (`30 03`) of the selected card, None when the card has none (0x91)."""
        resp = self.transact(p.Command.READ_NEWEST_ADDRESS, timeout=self.read_timeout)
        if resp.sw3 == p.Status.NO_CONTENT:
            return None
        if not resp.ok:
            raise SamError(resp.sw3, "read newest address")
        return resp.data.decode("utf-16-le", errors="replace").rstrip(" \x00")

    def wait_for_card(self, timeout: float) -> IdCard | None:
        """Poll until a card is read or `timeout` s pass (None); device faults raise."""
        if self._port is None:
            self.open()
        deadline = time.monotonic() + timeout
        while True:
            card = self.poll_once()
            if card is not None:
                return card
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            time.sleep(min(self.poll_interval, remaining))

    # -- background loop ---------------------------------------------------------------------
    def start(self) -> None:
        """Run the poll loop in a daemon thread (reconnecting after faults)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="idcard-reader", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the poll loop and wait for it (at most a few seconds)."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(self.read_timeout * (self.retries + 1) + 2)

    def _run(self) -> None:
        announced = False  # a reader missing from the start is reported once, like an unplug
        while not self._stop.is_set():
            pause = self.poll_interval
            try:
                if self._port is None or self._state is ReaderState.ERROR:
                    self.open()
                self.poll_once()
            except PortError as exc:
                with self._io_lock:
                    self._drop_port()
                if self._state is not ReaderState.DISCONNECTED or not announced:
                    self._fail(exc, ReaderState.DISCONNECTED)
                announced = True
                pause = self.reconnect_interval
            except CardDataError as exc:  # the card is at fault, not the reader: no reconnect
                self.last_error = exc
                self._emit(self._error_cbs, exc)
            except IdCardError as exc:
                if self._state is not ReaderState.ERROR or str(exc) != str(self.last_error):
                    self._fail(exc, ReaderState.ERROR)
                pause = self.reconnect_interval
            self._stop.wait(pause)

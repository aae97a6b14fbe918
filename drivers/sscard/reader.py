"""社保卡 reader: the SSSE read sequence over any APDU transport, and a hot-plug poll loop.

URLs: `pcsc://` (the first PC/SC reader), `pcsc://?reader=NAME` (first reader whose name holds
NAME), `sim://sscard?…` (the built-in card simulator, in process). The APDU logic is the same
on all of them; only the transport differs.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from enum import Enum
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

from drivers.sscard import apdu as a
from drivers.sscard.card import SSCard
from drivers.sscard.errors import (
    CardDataError,
    CardRemovedError,
    MuteCardError,
    NoCardError,
    NoReaderError,
    PinRequiredError,
    ServiceError,
    SSCardError,
    StatusError,
    UnknownCardError,
)

log = logging.getLogger(__name__)
wire = logging.getLogger("kiosk.wire")

#: 61xx / 6Cxx chains longer than this are a confused card, not data.
MAX_CHAIN = 4


class Connection(Protocol):
    """One card connection: the ATR and a command → response exchange."""

    atr: bytes

    def transmit(self, apdu: bytes) -> bytes: ...

    def close(self) -> None: ...


class Transport(Protocol):
    """Readers, card presence and connections (PC/SC or the simulator)."""

    def pick(self) -> str: ...

    def present(self, reader: str) -> bool: ...

    def connect(self, reader: str) -> Connection: ...

    def reset(self) -> None: ...

    def close(self) -> None: ...


def open_transport(url: str) -> Transport:
    """Device URL → transport (not yet talking to anything)."""
    parts = urlsplit(url)
    opts = dict(parse_qsl(parts.query))
    if parts.scheme == "pcsc":
        from drivers.sscard.pcsc import PcscTransport

        return PcscTransport(opts.get("reader", parts.netloc + parts.path.rstrip("/")))
    if parts.scheme == "sim" and parts.netloc == "sscard":
        from drivers.sim.sscard import SimTransport

        return SimTransport.from_options(opts)
    raise ValueError(
        f"unsupported 社保卡 reader URL {url!r} (pcsc://, pcsc://?reader=NAME, sim://sscard)"
    )


class CardSession:
    """The commands of one read on one connection, with T=0 chaining and a masked wire log."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def exchange(self, cmd: a.Apdu, *, personal: bool = False) -> tuple[bytes, int]:
        """Send `cmd`; follow 61xx with GET RESPONSE and 6Cxx with the exact Le."""
        data = b""
        current = cmd
        for _ in range(MAX_CHAIN):
            raw = bytes(current)
            if wire.isEnabledFor(logging.DEBUG):
                wire.debug("sscard TX %s", raw.hex(" "))
            resp = self.conn.transmit(raw)
            if len(resp) < 2:
                # vpcd (and some readers) hand back an empty answer when the card goes mid-command
                raise MuteCardError(f"{current.name}: {len(resp)}-byte answer, no status word")
            body, sw = a.parse_response(resp)
            if wire.isEnabledFor(logging.DEBUG):
                shown = (
                    f"+{len(body)} bytes personal data (masked)"
                    if personal and body
                    else body.hex(" ")
                )
                wire.debug("sscard RX %s SW %04X", shown, sw)
            data += body
            if sw >> 8 == 0x61:
                current = a.get_response(sw & 0xFF)
                continue
            if sw >> 8 == 0x6C:
                current = current.with_le(sw & 0xFF)
                continue
            return data, sw
        raise MuteCardError(f"{cmd.name}: answer still chained after {MAX_CHAIN} exchanges")

    def select_application(self) -> None:
        """SELECT the 社会保障 DDF; UnknownCardError when the card has none."""
        _, sw = self.exchange(a.select_df_name(a.SSSE_NAME))
        if sw in (a.SW_NOT_FOUND, 0x6A81, 0x6D00, 0x6E00, 0x6A86):
            raise UnknownCardError(f"no 社会保障 application on this card (SW {sw:04X})")
        if sw != a.SW_OK:
            raise StatusError(sw, "SELECT SSSE")

    def select(self, fid: int) -> None:
        """SELECT an EF of the application."""
        _, sw = self.exchange(a.select_ef(fid))
        if sw == a.SW_NOT_FOUND:
            raise UnknownCardError(f"the 社会保障 application has no EF {fid:04X}")
        if sw == a.SW_SECURITY:
            raise PinRequiredError(f"EF {fid:04X} needs the PIN")
        if sw != a.SW_OK:
            raise StatusError(sw, f"SELECT {fid:04X}")

    def record(self, number: int, *, required: bool = True, personal: bool = False) -> bytes | None:
        """The value of record `number` of the current EF (None: absent and not required)."""
        data, sw = self.exchange(a.read_record(number), personal=personal)
        if sw == a.SW_SECURITY:
            raise PinRequiredError(f"record {number} needs the PIN (6982)")
        if sw in (a.SW_RECORD_NOT_FOUND, a.SW_NOT_FOUND) and not required:
            return None
        if sw != a.SW_OK:
            raise StatusError(sw, f"READ RECORD {number}")
        return a.record_value(data, number)


def read_card(conn: Connection) -> SSCard:
    """The documented read: SELECT SSSE → EF05 records 1,3,5,6,7 → EF06 records 1,2,4."""
    s = CardSession(conn)
    s.select_application()
    s.select(a.EF_ISSUER)
    ident = s.record(a.REC_IDENT)
    ctype = s.record(a.REC_TYPE, required=False)
    version = s.record(a.REC_VERSION)
    issued = s.record(a.REC_ISSUED, required=False)
    valid = s.record(a.REC_VALID)
    card_no = s.record(a.REC_CARD_NO, personal=True)
    assert ident is not None and version is not None and valid is not None and card_no is not None
    s.select(a.EF_HOLDER)
    ssn = s.record(a.REC_SSN, personal=True)
    name = s.record(a.REC_NAME, personal=True)
    sex = s.record(a.REC_SEX, required=False, personal=True)
    assert ssn is not None and name is not None
    region = ident[:3].hex().upper()  # 卡识别码: the issuing region's 6-digit code, BCD
    if not region.isdigit():
        raise CardDataError("卡识别码 does not start with a region code")
    id_number = a.text(ssn).upper()
    if len(id_number) != 18:
        raise CardDataError(f"社会保障号码 has {len(id_number)} characters, not 18")
    return SSCard(
        card_number=a.text(card_no),
        id_number=id_number,
        name=a.text(name),
        region_code=region,
        card_version=a.text(version),
        valid_until=a.bcd_date(valid),
        issued_on=a.bcd_date(issued) if issued else None,
        sex=a.text(sex) if sex else "",
        card_type=a.text(ctype) if ctype else "",
        atr=conn.atr,
    )


class ReaderState(Enum):
    """What the UI needs to know about the 社保卡 reader."""

    DISCONNECTED = "disconnected"
    IDLE = "idle"
    CARD_PRESENT = "card_present"
    READING = "reading"
    ERROR = "error"


#: Card faults: the reader is fine, the card is not (no reconnect; the card must leave first).
CARD_FAULTS = (UnknownCardError, PinRequiredError, CardDataError, MuteCardError, StatusError)


class SSCardReader:
    """One 社保卡 reader on one URL, polled in a thread; reconnects when it comes back."""

    def __init__(
        self,
        url: str,
        *,
        poll_interval: float = 0.3,
        reconnect_interval: float = 1.0,
        transport: Transport | None = None,
    ) -> None:
        self.url = url
        self.poll_interval = poll_interval
        self.reconnect_interval = reconnect_interval
        self.transport = transport if transport is not None else open_transport(url)
        self._state = ReaderState.DISCONNECTED
        self._await_removal = False
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._state_cbs: list[Callable[[ReaderState, ReaderState], None]] = []
        self._card_cbs: list[Callable[[SSCard], None]] = []
        self._error_cbs: list[Callable[[SSCardError], None]] = []
        self.last_error: SSCardError | None = None
        self.reader_name = ""

    # -- events ------------------------------------------------------------------------------
    def on_state(self, cb: Callable[[ReaderState, ReaderState], None]) -> None:
        """Call cb(old, new) on every state change (from the poll thread)."""
        self._state_cbs.append(cb)

    def on_card(self, cb: Callable[[SSCard], None]) -> None:
        """Call cb(card) after each successful read."""
        self._card_cbs.append(cb)

    def on_error(self, cb: Callable[[SSCardError], None]) -> None:
        """Call cb(error) for reader faults (DISCONNECTED/ERROR) and card faults."""
        self._error_cbs.append(cb)

    @property
    def state(self) -> ReaderState:
        """The current state."""
        return self._state

    def _set_state(self, new: ReaderState) -> None:
        old, self._state = self._state, new
        if old is not new:
            log.info("sscard reader %s: %s -> %s", self.url, old.value, new.value)
            self._emit(self._state_cbs, old, new)

    def _emit(self, cbs: list[Callable[..., None]], *args: Any) -> None:
        for cb in list(cbs):
            try:
                cb(*args)
            except Exception:  # a broken listener must not stop the reader
                log.exception("sscard callback %r failed", cb)

    # -- one poll ----------------------------------------------------------------------------
    def poll_once(self) -> SSCard | None:
        """Look for a card and read it once; None when there is none (or it was read already)."""
        with self._lock:
            reader = self.transport.pick()
            self.reader_name = reader
            if self._state in (ReaderState.DISCONNECTED, ReaderState.ERROR):
                self._set_state(ReaderState.IDLE)
            if not self.transport.present(reader):
                self._await_removal = False
                self._set_state(ReaderState.IDLE)
                return None
            self._set_state(ReaderState.CARD_PRESENT)
            if self._await_removal:
                return None
            self._set_state(ReaderState.READING)
            try:
                conn = self.transport.connect(reader)
            except NoCardError:
                self._set_state(ReaderState.IDLE)  # gone between the look and the connect
                return None
            try:
                try:
                    card = read_card(conn)
                except MuteCardError as exc:
                    if isinstance(exc, CardRemovedError) or self._gone(reader):
                        raise CardRemovedError(f"card pulled out mid-read: {exc}") from exc
                    raise
            except CardRemovedError:
                self._set_state(ReaderState.IDLE)
                raise
            except CARD_FAULTS:
                self._await_removal = True  # do not hammer a card that cannot be read
                self._set_state(ReaderState.CARD_PRESENT)
                raise
            finally:
                conn.close()
            self._await_removal = True
            self._set_state(ReaderState.CARD_PRESENT)
        log.info("sscard read: %r", card)  # repr is masked
        self._emit(self._card_cbs, card)
        return card

    def _gone(self, reader: str, wait_s: float = 1.5) -> bool:
        # pcscd learns of a removal at its next slot poll: ask again for a moment before
        # calling a silent card mute
        deadline = time.monotonic() + wait_s
        while True:
            try:
                if not self.transport.present(reader):
                    return True
            except SSCardError:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)

    def rearm(self) -> None:
        """Read the card in the slot again at the next poll (a new session wants it)."""
        self._await_removal = False

    def read_now(self, timeout: float = 5.0) -> SSCard | None:
        """Poll until a card is read or `timeout` passes (technician command)."""
        deadline = time.monotonic() + timeout
        while True:
            card = self.poll_once()
            if card is not None:
                return card
            if time.monotonic() >= deadline:
                return None
            time.sleep(self.poll_interval)

    # -- loop --------------------------------------------------------------------------------
    def start(self) -> None:
        """Run the poll loop in a daemon thread."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="sscard-reader", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the poll loop."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(5)

    def close(self) -> None:
        """Stop and release the transport."""
        self.stop()
        self.transport.close()
        self._set_state(ReaderState.DISCONNECTED)

    def _run(self) -> None:
        announced = False
        while not self._stop.is_set():
            pause = self.poll_interval
            try:
                self.poll_once()
            except (ServiceError, NoReaderError) as exc:
                if isinstance(exc, ServiceError):
                    self.transport.reset()
                if self._state is not ReaderState.DISCONNECTED or not announced:
                    self.last_error = exc
                    self._set_state(ReaderState.DISCONNECTED)
                    self._emit(self._error_cbs, exc)
                announced = True
                pause = self.reconnect_interval
            except SSCardError as exc:  # the card is at fault: tell, keep polling
                self.last_error = exc
                log.info("sscard: %s: %s", type(exc).__name__, exc)
                self._emit(self._error_cbs, exc)
            except Exception:  # noqa: BLE001 - the loop must outlive any driver bug
                log.exception("sscard poll failed")
                self._set_state(ReaderState.ERROR)
                pause = self.reconnect_interval
            self._stop.wait(pause)

"""PC/SC access through pyscard's `smartcard.scard` (pcscd on Linux): readers, presence,
connect, transmit, each PC/SC error turned into one of drivers.sscard.errors."""

from __future__ import annotations

import logging
import threading
from typing import Any

from drivers.sscard.errors import (
    CardRemovedError,
    MuteCardError,
    NoCardError,
    NoReaderError,
    ServiceError,
    SSCardError,
)

log = logging.getLogger(__name__)


def _scard() -> Any:
    try:
        from smartcard import scard
    except ImportError as exc:  # pragma: no cover - pyscard is a project dependency
        raise ServiceError("pyscard is not installed (pip install pyscard)") from exc
    return scard


class PcscConnection:
    """One connection to the card in one reader (T=0 or T=1, whichever the card offers)."""

    def __init__(self, scard: Any, hcard: Any, protocol: int, atr: bytes) -> None:
        self._s, self._h, self._protocol, self.atr = scard, hcard, protocol, atr
        self._pci = (
            scard.SCARD_PCI_T0 if protocol == scard.SCARD_PROTOCOL_T0 else scard.SCARD_PCI_T1
        )

    def transmit(self, apdu: bytes) -> bytes:
        """Send one command APDU, return the response APDU (data + SW1 SW2)."""
        s = self._s
        hr, resp = s.SCardTransmit(self._h, self._pci, list(apdu))
        if hr != s.SCARD_S_SUCCESS:
            raise _error(s, hr, "transmit")
        return bytes(resp)

    def close(self) -> None:
        """Disconnect, leaving the card powered as it is."""
        try:
            self._s.SCardDisconnect(self._h, self._s.SCARD_LEAVE_CARD)
        except Exception:  # noqa: BLE001 - a card already gone cannot be disconnected twice
            pass


def _error(s: Any, hr: int, what: str) -> SSCardError:
    msg = f"{what}: {s.SCardGetErrorMessage(hr).strip()} (0x{hr & 0xFFFFFFFF:08X})"
    if hr in (s.SCARD_E_NO_SERVICE, s.SCARD_E_SERVICE_STOPPED, s.SCARD_E_INVALID_HANDLE):
        return ServiceError(msg)
    if hr in (
        s.SCARD_E_NO_READERS_AVAILABLE,
        s.SCARD_E_UNKNOWN_READER,
        s.SCARD_E_READER_UNAVAILABLE,
    ):
        return NoReaderError(msg)
    if hr == s.SCARD_E_NO_SMARTCARD:
        return NoCardError(msg)
    if hr in (s.SCARD_W_REMOVED_CARD, s.SCARD_W_RESET_CARD):
        return CardRemovedError(msg)
    if hr in (
        s.SCARD_W_UNRESPONSIVE_CARD,
        s.SCARD_W_UNPOWERED_CARD,
        s.SCARD_E_PROTO_MISMATCH,
        s.SCARD_W_UNSUPPORTED_CARD,
        s.SCARD_E_NOT_TRANSACTED,
        s.SCARD_F_COMM_ERROR,
    ):
        return MuteCardError(msg)
    return ServiceError(msg)


class PcscTransport:
    """Readers of the local PC/SC service; `reader` picks by name substring ("" = the first)."""

    def __init__(self, reader: str = "") -> None:
        self.reader_filter = reader
        self._ctx: Any = None
        self._lock = threading.Lock()

    def _context(self) -> Any:
        s = _scard()
        if self._ctx is None:
            hr, ctx = s.SCardEstablishContext(s.SCARD_SCOPE_USER)
            if hr != s.SCARD_S_SUCCESS:
                raise _error(s, hr, "establish context")
            self._ctx = ctx
        return self._ctx

    def reset(self) -> None:
        """Drop the context (after pcscd went away; the next call makes a new one)."""
        s, ctx, self._ctx = _scard(), self._ctx, None
        if ctx is not None:
            try:
                s.SCardReleaseContext(ctx)
            except Exception:  # noqa: BLE001
                pass

    def readers(self) -> list[str]:
        """Names of the readers pcscd knows now ([] when none)."""
        s = _scard()
        with self._lock:
            hr, names = s.SCardListReaders(self._context(), [])
        if hr == s.SCARD_E_NO_READERS_AVAILABLE:
            return []
        if hr != s.SCARD_S_SUCCESS:
            raise _error(s, hr, "list readers")
        return list(names)

    def pick(self) -> str:
        """The configured reader's name; NoReaderError when it is not there."""
        names = self.readers()
        match = [n for n in names if self.reader_filter.lower() in n.lower()]
        if not match:
            wanted = f" matching {self.reader_filter!r}" if self.reader_filter else ""
            raise NoReaderError(f"no PC/SC reader{wanted} (readers: {', '.join(names) or 'none'})")
        return match[0]

    def present(self, reader: str) -> bool:
        """Whether a card sits in `reader` (a mute card counts: connect reports it)."""
        s = _scard()
        with self._lock:
            hr, states = s.SCardGetStatusChange(
                self._context(), 0, [(reader, s.SCARD_STATE_UNAWARE)]
            )
        if hr != s.SCARD_S_SUCCESS:
            raise _error(s, hr, "status")
        _, event, _atr = states[0]
        if event & (s.SCARD_STATE_UNKNOWN | s.SCARD_STATE_UNAVAILABLE):
            raise NoReaderError(f"reader {reader!r} went away")
        return bool(event & s.SCARD_STATE_PRESENT)

    def connect(self, reader: str) -> PcscConnection:
        """Connect to the card in `reader` (shared, T=0 or T=1)."""
        s = _scard()
        with self._lock:
            hr, hcard, proto = s.SCardConnect(
                self._context(),
                reader,
                s.SCARD_SHARE_SHARED,
                s.SCARD_PROTOCOL_T0 | s.SCARD_PROTOCOL_T1,
            )
            if hr != s.SCARD_S_SUCCESS:
                raise _error(s, hr, "connect")
            hr, _name, _state, _proto, atr = s.SCardStatus(hcard)
        if hr != s.SCARD_S_SUCCESS:
            raise _error(s, hr, "card status")
        return PcscConnection(s, hcard, proto, bytes(atr))

    def close(self) -> None:
        """Release the PC/SC context."""
        self.reset()

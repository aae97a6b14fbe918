"""A simulated 社保卡: an ISO 7816-4 card with the 社会保障 DDF, EF05 and EF06 record files.

Written from the card's side (its own file system and status words, no import of the driver's
APDU code), so driver and simulator can disagree and a test then fails. It is served either
in process (`sim://sscard`, the demo) or over vsmartcard's vpcd socket to a real pcscd
(drivers.sim.vpcd, the tests). Faults, as URL options or attributes:
`app=missing` (no 社会保障 application: SELECT answers 6A82), `pin=1` (EF06 behind the PIN:
6982), `t0=1` (answers through 61xx / 6Cxx like many T=0 cards), `pull_after=N` (the card
leaves after N commands), `holder=demo|expired`.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass

log = logging.getLogger(__name__)

# ISO 7816-3 ATR: TS 3B, T0 68 (TB1, TC1, 8 historical bytes), T=0 only, so no TCK.
ATR = bytes.fromhex("3B68000000") + b"SSCARD30"
DF_NAME = "sx1.sh.社会保障".encode("gbk")


@dataclass(frozen=True)
class Holder:
    """The data printed on (and stored in) one card."""

    name: str
    id_number: str
    card_number: str
    region: str
    version: str = "3.00"
    issued: dt.date = dt.date(2021, 6, 1)
    valid: dt.date = dt.date(2031, 6, 1)
    sex: str = "1"
    nation: str = "01"
    birth: dt.date = dt.date(1991, 1, 1)


#: Fictional holders; the first is the demo hall's ID-card holder, so his items have data.
DEMO_HOLDERS = {
    "demo": Holder(
        name="王小明", id_number="610902199101010010", card_number="A61090201", region="610900"
    ),
    "expired": Holder(
        name="李晓红",
        id_number="330106198503030022",
        card_number="A33010602",
        region="330100",
        version="2.00",
        issued=dt.date(2012, 3, 1),
        valid=dt.date(2022, 3, 1),
        sex="2",
        birth=dt.date(1985, 3, 3),
    ),
}


def _bcd(digits: str) -> bytes:
    return bytes.fromhex(digits + ("F" if len(digits) % 2 else ""))


def _rec(tag: int, value: bytes) -> bytes:
    return bytes((tag, len(value))) + value


def card_files(h: Holder) -> dict[int, dict[int, bytes]]:
    """EF id → record number → stored record (TAG LEN VALUE)."""
    ident = _bcd(h.region) + bytes.fromhex("D15600000599") + _bcd(h.card_number[-6:].rjust(6, "0"))
    ident = (ident + b"\xff" * 16)[:16]
    return {
        0xEF05: {
            1: _rec(1, ident),
            2: _rec(2, b"3"),
            3: _rec(3, h.version.encode("ascii")),
            4: _rec(4, _bcd(h.region + "000000")),
            5: _rec(5, _bcd(h.issued.strftime("%Y%m%d"))),
            6: _rec(6, _bcd(h.valid.strftime("%Y%m%d"))),
            7: _rec(7, h.card_number.encode("ascii")),
        },
        0xEF06: {
            1: _rec(1, h.id_number.encode("ascii")),
            2: _rec(2, h.name.encode("gbk").ljust(30, b"\x00")),
            4: _rec(4, h.sex.encode("ascii")),
            5: _rec(5, bytes.fromhex(h.nation)),
            7: _rec(7, _bcd(h.birth.strftime("%Y%m%d"))),
        },
    }


class CardRemoved(Exception):
    """The simulated card left mid-command (pull_after)."""


class SSCardSimulator:
    """The card: `apdu(command) → response`, `power_on()` resets its selection."""

    kind = "sscard"

    def __init__(
        self,
        holder: Holder | None = None,
        *,
        app: bool = True,
        pin: bool = False,
        t0: bool = False,
        pull_after: int = 0,
        inserted: bool = True,
    ) -> None:
        self.holder = holder or DEMO_HOLDERS["demo"]
        self.app = app
        self.pin = pin
        self.t0 = t0
        self.pull_after = pull_after
        self.inserted = inserted
        self.commands: list[bytes] = []
        """Every command APDU received since the last insert (tests read the sequence)."""
        self._lock = threading.Lock()
        self._df = False
        self._ef: int | None = None
        self._pending = b""
        self.listeners: list = []
        """Called with True / False when the card is inserted / removed (the vpcd link)."""

    @classmethod
    def from_options(cls, options: Mapping[str, str]) -> SSCardSimulator:
        """Build from `sim://sscard?…` options."""

        def flag(key: str) -> bool:
            return options.get(key, "0").lower() in ("1", "true", "yes", "on")

        holder = DEMO_HOLDERS.get(options.get("holder", "demo"), DEMO_HOLDERS["demo"])
        return cls(
            holder,
            app=options.get("app", "ok") != "missing",
            pin=flag("pin"),
            t0=flag("t0"),
            pull_after=int(options.get("pull_after", "0") or 0),
            inserted=options.get("card", "in") != "out",
        )

    # -- the slot --------------------------------------------------------------------------
    def insert(self, holder: Holder | str | None = None) -> None:
        """Put a card (this holder) into the reader."""
        with self._lock:
            if holder is not None:
                self.holder = DEMO_HOLDERS[holder] if isinstance(holder, str) else holder
            self.inserted = True
            self.commands = []
            self.power_on()
        for cb in list(self.listeners):
            cb(True)

    def remove(self) -> None:
        """Pull the card out."""
        with self._lock:
            self.inserted = False
        for cb in list(self.listeners):
            cb(False)

    def power_on(self) -> bytes:
        """Cold reset: nothing selected; returns the ATR."""
        self._df, self._ef, self._pending = False, None, b""
        return ATR

    # -- commands --------------------------------------------------------------------------
    def apdu(self, cmd: bytes) -> bytes:
        """Answer one command APDU."""
        with self._lock:
            if not self.inserted:
                raise CardRemoved("no card")
            self.commands.append(bytes(cmd))
            if self.pull_after and len(self.commands) > self.pull_after:
                self.inserted = False
                pulled = True
            else:
                pulled = False
        if pulled:
            for cb in list(self.listeners):
                cb(False)
            raise CardRemoved(f"card pulled after {self.pull_after} commands")
        with self._lock:
            return self._answer(bytes(cmd))

    def _answer(self, cmd: bytes) -> bytes:
        if len(cmd) < 4:
            return b"\x67\x00"
        cla, ins, p1, p2 = cmd[:4]
        body = cmd[4:]
        lc = body[0] if len(body) > 1 else 0
        data = body[1 : 1 + lc] if len(body) > 1 else b""
        le = body[0] if len(body) == 1 else (body[1 + lc] if len(body) > 1 + lc else None)
        if cla != 0x00:
            return b"\x6e\x00"
        if ins == 0xC0:  # GET RESPONSE
            out, self._pending = self._pending, b""
            if not out:
                return b"\x69\x85"
            return out[: le or 256] + b"\x90\x00"
        self._pending = b""
        if ins == 0xA4:
            return self._select(p1, data)
        if ins == 0xB2:
            return self._read_record(p1, p2, le)
        if ins == 0x84:  # GET CHALLENGE
            return bytes(range(8)) + b"\x90\x00"
        return b"\x6d\x00"

    def _select(self, p1: int, data: bytes) -> bytes:
        if p1 == 0x04:
            if not self.app or data != DF_NAME:
                return b"\x6a\x82"
            self._df, self._ef = True, None
            fci = b"\x6f\x11\x84\x0f" + DF_NAME
            if self.t0:
                self._pending = fci
                return bytes((0x61, len(fci)))
            return fci + b"\x90\x00"
        if p1 in (0x00, 0x02) and len(data) == 2:
            fid = int.from_bytes(data, "big")
            if not self._df or fid not in (0xEF05, 0xEF06):
                return b"\x6a\x82"
            self._ef = fid
            return b"\x90\x00"
        return b"\x6a\x86"

    def _read_record(self, p1: int, p2: int, le: int | None) -> bytes:
        ef = self._ef
        if p2 & 0xF8:  # short EF id in P2 (SFI 5 / 6)
            ef = {5: 0xEF05, 6: 0xEF06}.get(p2 >> 3)
            if ef is None or not self._df:
                return b"\x6a\x82"
        if p2 & 0x07 != 0x04:
            return b"\x6a\x86"
        if ef is None:
            return b"\x69\x86"
        if ef == 0xEF06 and self.pin:
            return b"\x69\x82"
        rec = card_files(self.holder)[ef].get(p1)
        if rec is None:
            return b"\x6a\x83"
        if self.t0 and (le or 256) != len(rec):
            return bytes((0x6C, len(rec)))  # T=0: "ask again with Le = the record's length"
        return rec[: le or 256] + b"\x90\x00"


class SimConnection:
    """The in-process link to the simulated card (what PC/SC is to a real one)."""

    def __init__(self, card: SSCardSimulator) -> None:
        self.card = card
        self.atr = card.power_on()

    def transmit(self, apdu: bytes) -> bytes:
        """Send one command APDU to the card."""
        from drivers.sscard.errors import CardRemovedError

        try:
            return self.card.apdu(apdu)
        except CardRemoved as exc:
            raise CardRemovedError(str(exc)) from exc

    def close(self) -> None:
        """Nothing to release."""


class SimTransport:
    """One simulated reader holding a SSCardSimulator (`sim://sscard`)."""

    NAME = "Simulated 社保卡 reader 00 00"

    def __init__(self, card: SSCardSimulator) -> None:
        self.card = card
        self.connected = True
        """False models an unplugged reader."""

    @classmethod
    def from_options(cls, options: Mapping[str, str]) -> SimTransport:
        """Build from URL options and register the card for the demo dock."""
        from drivers.sim import running

        card = SSCardSimulator.from_options(options)
        running["sscard"] = card  # type: ignore[assignment]
        t = cls(card)
        t.connected = options.get("reader", "in") != "out"
        return t

    def pick(self) -> str:
        """The reader's name; NoReaderError when unplugged."""
        from drivers.sscard.errors import NoReaderError

        if not self.connected:
            raise NoReaderError("simulated reader unplugged")
        return self.NAME

    def present(self, reader: str) -> bool:
        """Whether the card is in."""
        return self.card.inserted

    def connect(self, reader: str) -> SimConnection:
        """Power the card up."""
        from drivers.sscard.errors import NoCardError

        if not self.card.inserted:
            raise NoCardError("no card")
        return SimConnection(self.card)

    def reset(self) -> None:
        """Nothing to reset."""

    def close(self) -> None:
        """Nothing to release."""

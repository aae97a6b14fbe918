"""ID card reader simulator: answers the GA 467 SAM serial protocol byte for byte.

Options (``sim://idcard?…`` query or keyword arguments): ``card=mainland|hk_mo_tw|
foreign_2017|foreign_2023`` (inserted at start), ``noise=P`` (corrupt each sent byte with
probability P), ``silence`` (never answer), ``drop_after=N`` (go mute after N sent bytes),
``sam_fault=60`` (SW3 of every answer), ``pace_baud=115200`` (send and receive at the real wire
rate, 10 bits per byte), ``seed=N`` (noise random generator).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
import time
from collections.abc import Mapping

from drivers.idcard import protocol as p
from drivers.idcard.card import (
    LONG_TERM,
    CardType,
    ForeignCard2017,
    ForeignCard2023,
    IdCard,
    MainlandIdCard,
    ResidencePermit,
    build_text,
)
from drivers.sim.base import Simulator

log = logging.getLogger(__name__)

CHUNK = 16  # bytes per paced write (1.4 ms at 115200)


def demo_photo(seed: int = 0) -> bytes:
    """1024 bytes shaped like a WLT photo (header 'WLf', then opaque bytes); never decoded."""
    rng = random.Random(seed)
    return b"WLf\x00" + bytes(rng.getrandbits(8) for _ in range(p.PHOTO_LEN - 4))


# Fictional holders; every number carries a valid GB 11643 check digit.
DEMO_MAINLAND = MainlandIdCard(
    name="王小明",
    sex="1",
    nation="01",
    birth_date=dt.date(1991, 1, 1),
    address="陕西省安康市汉滨区兴安中路100号",
    id_number="610902199101010010",
    authority="安康市公安局汉滨分局",
    valid_from=dt.date(2015, 3, 1),
    valid_to=dt.date(2035, 3, 1),
    photo=demo_photo(1),
)
DEMO_HK_MO_TW = ResidencePermit(
    name="陈大文",
    sex="1",
    birth_date=dt.date(1990, 5, 5),
    address="广东省深圳市福田区福华路1号",
    id_number="810000199005050026",
    authority="深圳市公安局福田分局",
    valid_from=dt.date(2024, 6, 1),
    valid_to=dt.date(2029, 6, 1),
    pass_number="H12345678",
    issue_count="01",
    photo=demo_photo(2),
)
DEMO_FOREIGN_2017 = ForeignCard2017(
    english_name="SMITH JOHN",
    name="史密斯",
    sex="1",
    id_number="USA330078010115",
    nationality="USA",
    birth_date=dt.date(1978, 1, 1),
    valid_from=dt.date(2018, 1, 1),
    valid_to=dt.date(2028, 1, 1),
    card_version="17",
    office_code="3300",
    photo=demo_photo(3),
)
DEMO_FOREIGN_2023 = ForeignCard2023(
    name="玛丽",
    english_name="JOHNSON MARY ANN ELIZABETH WILHELMINA",
    sex="2",
    id_number="933026198002020031",
    nationality="GBR",
    birth_date=dt.date(1980, 2, 2),
    valid_from=dt.date(2024, 1, 1),
    valid_to=dt.date(2034, 1, 1),
    renewal_count="00",
    photo=demo_photo(4),
)
DEMO_CARDS: dict[str, IdCard] = {
    CardType.MAINLAND.json_name: DEMO_MAINLAND,
    CardType.HK_MO_TW.json_name: DEMO_HK_MO_TW,
    CardType.FOREIGN_2017.json_name: DEMO_FOREIGN_2017,
    CardType.FOREIGN_2023.json_name: DEMO_FOREIGN_2023,
}
#: Edge cases of validity: a card past its valid_to (refused), and a 长期 card (never expires).
DEMO_EXPIRED = MainlandIdCard(
    name="李晓红",
    sex="2",
    nation="01",
    birth_date=dt.date(1985, 3, 3),
    address="陕西省安康市汉滨区巴山中路8号",
    id_number="330106198503030022",
    authority="安康市公安局汉滨分局",
    valid_from=dt.date(2014, 3, 1),
    valid_to=dt.date(2024, 3, 1),
    photo=demo_photo(5),
)
DEMO_LONG_TERM = MainlandIdCard(
    name="赵建国",
    sex="1",
    nation="01",
    birth_date=dt.date(1970, 7, 7),
    address="陕西省安康市汉阴县城关镇东风路6号",
    id_number="330106197007070047",
    authority="汉阴县公安局",
    valid_from=dt.date(2016, 7, 1),
    valid_to=LONG_TERM,
    photo=demo_photo(6),
)
DEMO_EDGE_CARDS: dict[str, IdCard] = {"expired": DEMO_EXPIRED, "long_term": DEMO_LONG_TERM}
DEFAULT_SAM_ID = (5, 1, 20190101, 12345678, 1234567890)


def demo_card(kind: str = "mainland") -> IdCard:
    """A demo card by type name (mainland, hk_mo_tw, foreign_2017, foreign_2023) or edge case
    (expired, long_term)."""
    try:
        return DEMO_CARDS[kind] if kind in DEMO_CARDS else DEMO_EDGE_CARDS[kind]
    except KeyError:
        known = ", ".join([*DEMO_CARDS, *DEMO_EDGE_CARDS])
        raise ValueError(f"unknown demo card {kind!r}; known: {known}") from None


def _truthy(value: str) -> bool:
    return value.strip().lower() not in ("0", "false", "no", "off")


class IdCardSimulator(Simulator):
    """A card reader with a SAM and one programmable card slot, plus fault injection."""

    kind = "idcard"
    OPTIONS = (
        "card",
        "noise",
        "silence",
        "drop_after",
        "sam_fault",
        "pace_baud",
        "seed",
        "read_fault",
    )

    def __init__(
        self,
        card: IdCard | None = None,
        *,
        noise: float = 0.0,
        silence: bool = False,
        drop_after: int | None = None,
        sam_fault: int | None = None,
        pace_baud: int | None = None,
        seed: int | None = None,
        sam_id: tuple[int, int, int, int, int] = DEFAULT_SAM_ID,
        read_fault: bool = False,
    ) -> None:
        super().__init__()
        if not 0.0 <= noise <= 1.0:
            raise ValueError("noise must be between 0 and 1")
        if pace_baud is not None and pace_baud <= 0:
            raise ValueError("pace_baud must be positive")
        self.noise = noise
        self.silence = silence
        self.drop_after = drop_after
        self.sam_fault = sam_fault
        self.pace_baud = pace_baud
        self.sam_id = sam_id
        self.read_fault = read_fault
        """A damaged chip: found and selected, but every read answers SW3 0x41."""
        self.newest_address: str | None = None
        self._rng = random.Random(seed)
        self._lock = threading.RLock()
        self._parser = p.StreamParser()
        self._card: IdCard | None = None
        self._phase = "absent"  # absent, present, found, selected, read, halted
        self._rx_free = 0.0
        self._tx_free = 0.0
        self.sent_bytes = 0
        self.requests: list[tuple[int, int]] = []
        self.inserted_at: float | None = None
        if card is not None:
            self.insert(card)

    @classmethod
    def from_options(cls, options: Mapping[str, str]) -> IdCardSimulator:
        """Build from `sim://idcard?…` options; ValueError names a bad or unknown option."""
        unknown = set(options) - set(cls.OPTIONS)
        if unknown:
            raise ValueError(
                f"unknown option(s) {', '.join(sorted(unknown))}; known: {', '.join(cls.OPTIONS)}"
            )

        def conv(key: str, parse, default=None):  # type: ignore[no-untyped-def]
            raw = options.get(key)
            if raw is None or raw == "":
                return default
            try:
                return parse(raw)
            except ValueError:
                raise ValueError(f"idcard simulator: bad value {key}={raw!r}") from None

        card = demo_card(options["card"]) if options.get("card") else None
        try:
            return cls(
                card,
                noise=conv("noise", float, 0.0),
                silence=_truthy(options["silence"]) if "silence" in options else False,
                drop_after=conv("drop_after", int),
                sam_fault=conv("sam_fault", lambda v: int(v, 16)),
                pace_baud=conv("pace_baud", int),
                seed=conv("seed", int),
                read_fault=_truthy(options["read_fault"]) if "read_fault" in options else False,
            )
        except ValueError as exc:
            msg = str(exc)
            raise ValueError(
                msg if msg.startswith("idcard simulator") else f"idcard simulator: {msg}"
            ) from None

    # -- card slot -------------------------------------------------------------------------
    def insert(self, card: IdCard | str) -> None:
        """Place a card (an IdCard or a demo card name) on the reader."""
        if isinstance(card, str):
            card = demo_card(card)
        with self._lock:
            self._card = card
            self._phase = "present"
            self.inserted_at = time.perf_counter()

    def remove(self) -> None:
        """Take the card away."""
        with self._lock:
            self._card = None
            self._phase = "absent"

    @property
    def card(self) -> IdCard | None:
        """The card on the reader, if any."""
        return self._card

    # -- wire ------------------------------------------------------------------------------
    def on_data(self, data: bytes) -> None:
        """Parse host frames and answer each (after its paced arrival time)."""
        if self.pace_baud:
            now = time.perf_counter()
            self._rx_free = max(now, self._rx_free) + len(data) * 10 / self.pace_baud
            _sleep_until(self._rx_free)
        for item in self._parser.feed(data):
            if isinstance(item, p.Rejected):
                code = (
                    p.Status.CHECKSUM_ERROR if item.reason == "checksum" else p.Status.LENGTH_ERROR
                )
                self._send_frame(p.encode_response(code))
                continue
            self._send_frame(self._answer(item))

    def _answer(self, body: bytes) -> bytes:
        try:
            req = p.Request.from_body(body)
        except p.ProtocolError:
            return p.encode_response(p.Status.LENGTH_ERROR)
        with self._lock:
            self.requests.append((req.cmd, req.para))
            return self._dispatch(req)

    def _dispatch(self, req: p.Request) -> bytes:
        S = p.Status
        fault = self.sam_fault
        key = (req.cmd, req.para)
        if fault is not None and key != p.Command.RESET_SAM.value:
            return p.encode_response(fault)
        if (
            key == p.Command.RESET_SAM.value
            and self._card is not None
            and self._phase in ("read", "halted")
        ):
            self._phase = "present"  # the reset cycles the RF field: a halted card wakes up
        if key in (
            p.Command.RESET_SAM.value,
            p.Command.SAM_STATUS.value,
            p.Command.MAX_RF_BYTES.value,
        ):
            return p.encode_response(S.OK if fault is None else fault)
        if key == p.Command.SAM_ID.value:
            return p.encode_response(S.OK, p.encode_sam_id(*self.sam_id))
        if req.cmd == 0x60 and req.para in p.BAUD_CODES.values():
            return p.encode_response(S.OK)
        if key == p.Command.FIND_CARD.value:
            if self._card is not None and self._phase in ("present", "found", "selected"):
                self._phase = "found"
                return p.encode_response(S.CARD_FOUND, bytes(4))
            if self._phase == "read":
                # GA 467 readers: after a read the card stays halted until it leaves the field
                self._phase = "halted"
            return p.encode_response(S.FIND_FAILED)
        if key == p.Command.SELECT_CARD.value:
            if self._card is not None and self._phase in ("found", "selected"):
                self._phase = "selected"
                return p.encode_response(S.OK, bytes(8))
            return p.encode_response(S.SELECT_FAILED)
        if key in (p.Command.READ_TEXT_PHOTO.value, p.Command.READ_TEXT_PHOTO_FP.value):
            if self._card is None or self._phase not in ("selected", "read") or self.read_fault:
                return p.encode_response(S.READ_FAILED)
            self._phase = "read"
            fp = b"" if key == p.Command.READ_TEXT_PHOTO_FP.value else None
            return p.encode_response(
                S.OK, p.encode_read_data(build_text(self._card), self._card.photo, fp)
            )
        if key == p.Command.READ_NEWEST_ADDRESS.value:
            if self._card is None or self._phase not in ("selected", "read"):
                return p.encode_response(S.READ_FAILED)
            if not self.newest_address:
                return p.encode_response(S.NO_CONTENT)
            raw = self.newest_address.encode("utf-16-le")[:70]
            return p.encode_response(S.OK, raw + b" \x00" * ((70 - len(raw)) // 2))
        return p.encode_response(S.BAD_COMMAND)

    def _send_frame(self, frame: bytes) -> None:
        if self.silence:
            return
        if self.drop_after is not None:
            room = max(0, self.drop_after - self.sent_bytes)
            frame = frame[:room]
        if self.noise:
            buf = bytearray(frame)
            for i in range(len(buf)):
                if self._rng.random() < self.noise:
                    buf[i] ^= self._rng.randrange(1, 256)
            frame = bytes(buf)
        if not frame:
            return
        self.sent_bytes += len(frame)
        if not self.pace_baud:
            self.send(frame)
            return
        # the UART sends the frame back to back and hands over each byte once its 10 bits are
        # on the line; one schedule per frame, so a late wake-up does not slow the rest down
        t = max(time.perf_counter(), self._tx_free)
        for i in range(0, len(frame), CHUNK):
            chunk = frame[i : i + CHUNK]
            t += len(chunk) * 10 / self.pace_baud
            _sleep_until(t)
            self.send(chunk)
        self._tx_free = t


def _sleep_until(deadline: float) -> None:
    delay = deadline - time.perf_counter()
    if delay > 0:
        time.sleep(delay)

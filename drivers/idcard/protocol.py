"""GA 467 SAM serial protocol: pure frame encode/decode and a resynchronising stream parser.

Frame: ``AA AA AA 96 69 | LEN_H LEN_L | body | CHK``; LEN counts body + CHK; CHK is the XOR of
the two LEN bytes and the body. Requests carry ``CMD PARA [data]``, responses
``SW1 SW2 SW3 [data]``. Nothing here does I/O; nothing raises except drivers.idcard.errors.
"""

from __future__ import annotations

import logging
import struct
from dataclasses import dataclass
from enum import Enum, IntEnum

from drivers.idcard.errors import ChecksumError, FrameError, LengthError, ProtocolError

log = logging.getLogger(__name__)

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
HEADER_LEN = len(PREAMBLE) + 2
MIN_LEN = 3  # a request: CMD PARA CHK
# Longest legal answer: read with fingerprint (SW×3, three u16 lengths, 256 text, 1024 photo,
# 1024 fingerprint) + CHK = 2314; anything longer is garbage that happens to follow a preamble.
MAX_LEN = 2314

TEXT_LEN = 256
PHOTO_LEN = 1024
FINGERPRINT_MAX = 1024


class Command(Enum):
    """(CMD, PARA) of every request the driver sends."""

    RESET_SAM = (0x10, 0xFF)
    SAM_STATUS = (0x11, 0xFF)
    SAM_ID = (0x12, 0xFF)
    FIND_CARD = (0x20, 0x01)
    SELECT_CARD = (0x20, 0x02)
    READ_TEXT_PHOTO = (0x30, 0x01)
    READ_NEWEST_ADDRESS = (0x30, 0x03)
    READ_TEXT_PHOTO_FP = (0x30, 0x10)
    MAX_RF_BYTES = (0x61, 0xFF)


# Baud-rate codes of the set-baud command `60 xx`.
BAUD_CODES: dict[int, int] = {115200: 0x00, 57600: 0x01, 38400: 0x02, 19200: 0x03, 9600: 0x04}


class Status(IntEnum):
    """SW3: the SAM's status byte in every answer."""

    OK = 0x90
    NO_CONTENT = 0x91
    CARD_FOUND = 0x9F
    CHECKSUM_ERROR = 0x10
    LENGTH_ERROR = 0x11
    BAD_COMMAND = 0x21
    UNAUTHORISED = 0x23
    UNRECOGNISED_ERROR = 0x24
    CARD_AUTH_SAM_FAILED = 0x31
    SAM_AUTH_CARD_FAILED = 0x32
    VERIFY_FAILED = 0x33
    FINGERPRINT_ERROR = 0x37
    INFO_LENGTH_ERROR = 0x3F
    UNKNOWN_CARD_TYPE = 0x40
    READ_FAILED = 0x41
    RANDOM_FAILED = 0x47
    SAM_SELF_TEST_FAILED = 0x60
    SAM_NOT_AUTHORISED = 0x66
    FIND_FAILED = 0x80
    SELECT_FAILED = 0x81


STATUS_TEXT: dict[int, str] = {
    0x90: "success",
    0x91: "no such item on the card",
    0x9F: "card found",
    0x10: "checksum error in terminal data",
    0x11: "length error in terminal data",
    0x21: "bad command",
    0x23: "unauthorised operation",
    0x24: "unrecognised error",
    0x31: "card failed to authenticate the SAM",
    0x32: "SAM failed to authenticate the card",
    0x33: "information verification failed",
    0x37: "fingerprint verification error",
    0x3F: "information length error",
    0x40: "unrecognised card type",
    0x41: "read failed",
    0x47: "random number failed",
    0x60: "SAM self-test failed",
    0x66: "SAM not authorised",
    0x80: "find card failed",
    0x81: "select card failed",
}


def status_text(sw3: int) -> str:
    """Human text of an SW3 status byte ("unknown status" for values outside the table)."""
    return STATUS_TEXT.get(sw3, "unknown status")


def checksum(data: bytes | bytearray) -> int:
    """XOR of all bytes (the frame checksum is taken over LEN_H LEN_L body)."""
    c = 0
    for b in data:
        c ^= b
    return c


def encode_frame(body: bytes) -> bytes:
    """Wrap a body into a complete frame (preamble, length, body, checksum)."""
    n = len(body) + 1
    if n < MIN_LEN or n > MAX_LEN:
        raise LengthError(f"body of {len(body)} bytes cannot be framed")
    head = struct.pack(">H", n)
    return PREAMBLE + head + body + bytes((checksum(head + body),))


def encode_request(command: Command | tuple[int, int], data: bytes = b"") -> bytes:
    """A request frame: CMD PARA [data]."""
    cmd, para = command.value if isinstance(command, Command) else command
    if not (0 <= cmd <= 255 and 0 <= para <= 255):
        raise FrameError(f"command bytes out of range: {cmd!r} {para!r}")
    return encode_frame(bytes((cmd, para)) + data)


def encode_set_baud(baudrate: int) -> bytes:
    """The `60 xx` request switching the reader to `baudrate`."""
    try:
        code = BAUD_CODES[baudrate]
    except KeyError:
        raise ProtocolError(
            f"baud rate {baudrate} not settable; use one of {sorted(BAUD_CODES)}"
        ) from None
    return encode_request((0x60, code))


def encode_response(sw3: int, data: bytes = b"", sw1: int = 0, sw2: int = 0) -> bytes:
    """A response frame: SW1 SW2 SW3 [data]."""
    return encode_frame(bytes((sw1, sw2, sw3)) + data)


def decode_frame(frame: bytes) -> bytes:
    """Check one complete frame and return its body; raise FrameError/LengthError/ChecksumError."""
    frame = bytes(frame)
    if not frame.startswith(PREAMBLE):
        raise FrameError("frame does not start with AA AA AA 96 69")
    if len(frame) < HEADER_LEN:
        raise FrameError(f"frame of {len(frame)} bytes is shorter than its header")
    n = (frame[5] << 8) | frame[6]
    if n < MIN_LEN or n > MAX_LEN:
        raise LengthError(f"impossible length field {n}")
    if len(frame) != HEADER_LEN + n:
        raise LengthError(f"length field says {HEADER_LEN + n} bytes, frame has {len(frame)}")
    if checksum(frame[5:-1]) != frame[-1]:
        raise ChecksumError(f"checksum {frame[-1]:02X}, expected {checksum(frame[5:-1]):02X}")
    return frame[HEADER_LEN:-1]


@dataclass(frozen=True, slots=True)
class Request:
    """A decoded request body."""

    cmd: int
    para: int
    data: bytes = b""

    @classmethod
    def from_body(cls, body: bytes) -> Request:
        """Split a request body; raise LengthError if shorter than CMD PARA."""
        if len(body) < 2:
            raise LengthError("request body shorter than CMD PARA")
        return cls(body[0], body[1], bytes(body[2:]))


@dataclass(frozen=True, slots=True)
class Response:
    """A decoded response body: SW1 SW2 SW3 and data."""

    sw1: int
    sw2: int
    sw3: int
    data: bytes = b""

    @classmethod
    def from_body(cls, body: bytes) -> Response:
        """Split a response body; raise LengthError if shorter than SW1 SW2 SW3."""
        if len(body) < 3:
            raise LengthError("response body shorter than SW1 SW2 SW3")
        return cls(body[0], body[1], body[2], bytes(body[3:]))

    @property
    def ok(self) -> bool:
        """True for SW3 0x90 (success)."""
        return self.sw3 == Status.OK

    def describe(self) -> str:
        """'0x90 success' style text for messages."""
        return f"0x{self.sw3:02X} {status_text(self.sw3)}"


@dataclass(frozen=True, slots=True)
class ReadAnswer:
    """The data of a `30 01` / `30 10` answer: text block, WLT photo, optional fingerprint."""

    text: bytes
    photo: bytes
    fingerprint: bytes = b""


def decode_read_data(data: bytes, with_fingerprint: bool = False) -> ReadAnswer:
    """Split the data of a read answer by its big-endian length fields; raise LengthError."""
    n_len = 3 if with_fingerprint else 2
    if len(data) < 2 * n_len:
        raise LengthError("read answer too short for its length fields")
    lens = struct.unpack(f">{n_len}H", data[: 2 * n_len])
    text_len, photo_len = lens[0], lens[1]
    fp_len = lens[2] if with_fingerprint else 0
    if text_len > TEXT_LEN or photo_len > PHOTO_LEN or fp_len > FINGERPRINT_MAX:
        raise LengthError(f"impossible read lengths text={text_len} photo={photo_len} fp={fp_len}")
    body = data[2 * n_len :]
    if len(body) != text_len + photo_len + fp_len:
        raise LengthError(
            f"read answer carries {len(body)} bytes, lengths say {text_len + photo_len + fp_len}"
        )
    return ReadAnswer(
        bytes(body[:text_len]),
        bytes(body[text_len : text_len + photo_len]),
        bytes(body[text_len + photo_len :]),
    )


def encode_read_data(text: bytes, photo: bytes, fingerprint: bytes | None = None) -> bytes:
    """The data of a read answer (inverse of decode_read_data)."""
    if fingerprint is None:
        return struct.pack(">HH", len(text), len(photo)) + text + photo
    return struct.pack(">HHH", len(text), len(photo), len(fingerprint)) + text + photo + fingerprint


def decode_sam_id(data: bytes) -> str:
    """SAM id text 'AA.BB-CCCCCCCC-DDDDDDDDDD-EEEEEEEEEE' from the 16 data bytes of a `12 FF` answer.

    Frame offsets 10 and 12 hold two u16, 14/18/22 three u32, all little-endian (as vendors print).
    """
    if len(data) < 16:
        raise LengthError(f"SAM id answer has {len(data)} data bytes, need 16")
    a, b, c, d, e = struct.unpack("<HHIII", data[:16])
    return f"{a:02d}.{b:02d}-{c:08d}-{d:010d}-{e:010d}"


def encode_sam_id(a: int, b: int, c: int, d: int, e: int) -> bytes:
    """The 16 data bytes of a SAM id answer (inverse of decode_sam_id)."""
    return struct.pack("<HHIII", a, b, c, d, e)


@dataclass(frozen=True, slots=True)
class Rejected:
    """A candidate frame the stream parser threw away, and why ('checksum' or 'length')."""

    reason: str
    size: int


class StreamParser:
    """Incremental frame finder: feed any byte chunks, get bodies of valid frames in order.

    Garbage before a preamble is skipped; a candidate with an impossible length or a bad
    checksum is reported as Rejected and the search resumes one byte after its preamble, so a
    valid frame hidden inside a broken one is still found. Never raises.
    """

    def __init__(self, max_len: int = MAX_LEN) -> None:
        self._buf = bytearray()
        self.max_len = max_len
        self.frames = 0
        self.rejected = 0
        self.skipped = 0

    @property
    def pending(self) -> int:
        """Bytes buffered while waiting for the rest of a frame."""
        return len(self._buf)

    @property
    def wanted(self) -> int:
        """Bytes still missing from the frame being received (1 when no length is known yet)."""
        buf = self._buf
        if len(buf) >= HEADER_LEN and buf.startswith(PREAMBLE):
            n = (buf[5] << 8) | buf[6]
            if MIN_LEN <= n <= self.max_len:
                return max(1, HEADER_LEN + n - len(buf))
        return 1

    def reset(self) -> None:
        """Forget buffered bytes (e.g. before a new request)."""
        self._buf.clear()

    def feed(self, data: bytes) -> list[bytes | Rejected]:
        """Add bytes; return the bodies of completed valid frames and Rejected markers, in order."""
        if data:
            self._buf += data
        return self._scan(final=False)

    def flush(self) -> list[bytes | Rejected]:
        """End of input (line went quiet): give up incomplete candidates and rescan past them."""
        return self._scan(final=True)

    def _scan(self, final: bool) -> list[bytes | Rejected]:
        out: list[bytes | Rejected] = []
        buf = self._buf
        while True:
            start = buf.find(PREAMBLE)
            if start < 0:
                # keep a possible partial preamble at the end
                keep = 0
                for k in range(min(len(PREAMBLE) - 1, len(buf)), 0, -1):
                    if buf.endswith(PREAMBLE[:k]):
                        keep = k
                        break
                if final:
                    keep = 0
                self.skipped += len(buf) - keep
                del buf[: len(buf) - keep]
                return out
            if start:
                self.skipped += start
                del buf[:start]
            if len(buf) < HEADER_LEN:
                if final:
                    self.skipped += len(buf)
                    buf.clear()
                return out
            n = (buf[5] << 8) | buf[6]
            if n < MIN_LEN or n > self.max_len:
                out.append(Rejected("length", HEADER_LEN))
                self.rejected += 1
                del buf[:1]
                continue
            end = HEADER_LEN + n
            if len(buf) < end:
                if not final:
                    return out
                # the rest never came: this preamble was noise or a truncated frame
                out.append(Rejected("length", len(buf)))
                self.rejected += 1
                del buf[:1]
                continue
            if checksum(buf[5 : end - 1]) != buf[end - 1]:
                out.append(Rejected("checksum", end))
                self.rejected += 1
                del buf[:1]
                continue
            out.append(bytes(buf[HEADER_LEN : end - 1]))
            self.frames += 1
            del buf[:end]

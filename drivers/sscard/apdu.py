"""ISO 7816-4 commands the 社保卡 read needs, its status words, and the record decoders.

The file layout (DDF "sx1.sh.社会保障", EF05 issuer data, EF06 holder data, one TLV per record)
is documented with its sources and its assumptions in docs/sscard.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from drivers.sscard.errors import CardDataError

#: DF name of the 社会保障 application (SSSE): "sx1.sh.社会保障" in GBK, 15 bytes.
SSSE_NAME = "sx1.sh.社会保障".encode("gbk")
EF_ISSUER = 0xEF05
"""发卡机构数据: 卡识别码, 卡类别, 规范版本, 初始化机构编号, 发卡日期, 卡有效期, 卡号."""
EF_HOLDER = 0xEF06
"""持卡人基本信息: 社会保障号码, 姓名, 性别, 民族, 出生日期."""

# EF05 record numbers (each record is TAG LEN VALUE with TAG = the record number)
REC_IDENT, REC_TYPE, REC_VERSION, REC_INIT_ORG, REC_ISSUED, REC_VALID, REC_CARD_NO = (
    1,
    2,
    3,
    4,
    5,
    6,
    7,
)
# EF06 record numbers
REC_SSN, REC_NAME, REC_SEX, REC_NATION, REC_BIRTH = 1, 2, 4, 5, 7

SW_OK = 0x9000
SW_NOT_FOUND = 0x6A82
SW_SECURITY = 0x6982
SW_RECORD_NOT_FOUND = 0x6A83

_SW_TEXT = {
    0x9000: "ok",
    0x6281: "part of the data may be corrupted",
    0x6283: "selected file invalidated",
    0x6700: "wrong length",
    0x6981: "command incompatible with file structure",
    0x6982: "security status not satisfied (PIN)",
    0x6983: "authentication method blocked (PIN locked)",
    0x6985: "conditions of use not satisfied",
    0x6986: "command not allowed (no current EF)",
    0x6A81: "function not supported",
    0x6A82: "file or application not found",
    0x6A83: "record not found",
    0x6A86: "incorrect P1 P2",
    0x6B00: "wrong parameters P1 P2",
    0x6D00: "instruction not supported",
    0x6E00: "class not supported",
    0x6F00: "no precise diagnosis",
}


def sw_text(sw: int) -> str:
    """A short English text for a status word (61xx and 6Cxx included)."""
    if sw >> 8 == 0x61:
        return f"{sw & 0xFF} bytes available (GET RESPONSE)"
    if sw >> 8 == 0x6C:
        return f"wrong Le, exact length {sw & 0xFF}"
    if sw >> 8 == 0x63 and sw & 0xF0 == 0xC0:
        return f"verification failed, {sw & 0x0F} tries left"
    return _SW_TEXT.get(sw, "unknown status")


@dataclass(frozen=True)
class Apdu:
    """One short command APDU (case 1–4)."""

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None
    name: str = ""

    def __bytes__(self) -> bytes:
        out = bytes((self.cla, self.ins, self.p1, self.p2))
        if self.data:
            if len(self.data) > 255:
                raise ValueError("short APDUs carry at most 255 data bytes")
            out += bytes((len(self.data),)) + self.data
        if self.le is not None:
            out += bytes((self.le & 0xFF,))  # Le 0 means "up to 256"
        return out

    def with_le(self, le: int) -> Apdu:
        """The same command asking for exactly `le` bytes (after a 6Cxx)."""
        return Apdu(self.cla, self.ins, self.p1, self.p2, self.data, le, self.name)


def select_df_name(name: bytes) -> Apdu:
    """SELECT by DF name (P1 04): the 社会保障 application."""
    return Apdu(0x00, 0xA4, 0x04, 0x00, name, name="SELECT SSSE")


def select_ef(fid: int) -> Apdu:
    """SELECT an EF by its file id under the current DF (P1 02)."""
    return Apdu(0x00, 0xA4, 0x02, 0x00, fid.to_bytes(2, "big"), name=f"SELECT {fid:04X}")


def read_record(number: int, le: int = 0) -> Apdu:
    """READ RECORD `number` of the current EF (P2 04: P1 is a record number)."""
    if not 1 <= number <= 0xFE:
        raise ValueError("record numbers are 1..254")
    return Apdu(0x00, 0xB2, number, 0x04, le=le, name=f"READ RECORD {number}")


def get_response(le: int) -> Apdu:
    """GET RESPONSE after a 61xx (T=0 cards)."""
    return Apdu(0x00, 0xC0, 0x00, 0x00, le=le, name="GET RESPONSE")


def parse_response(raw: bytes) -> tuple[bytes, int]:
    """A response APDU → (data, SW); CardDataError when shorter than the two status bytes."""
    if len(raw) < 2:
        raise CardDataError(f"response of {len(raw)} bytes has no status word")
    return bytes(raw[:-2]), (raw[-2] << 8) | raw[-1]


def record_value(record: bytes, tag: int) -> bytes:
    """The VALUE of a record `TAG LEN VALUE`; CardDataError when tag or length disagree."""
    if len(record) < 2:
        raise CardDataError(f"record {tag} is {len(record)} bytes long")
    if record[0] != tag:
        raise CardDataError(f"record {tag} carries tag {record[0]}")
    n = record[1]
    if n > len(record) - 2:
        raise CardDataError(f"record {tag} declares {n} bytes but holds {len(record) - 2}")
    return bytes(record[2 : 2 + n])


def encode_record(tag: int, value: bytes) -> bytes:
    """`TAG LEN VALUE` (the simulators and tests build records with this)."""
    if len(value) > 255:
        raise ValueError("a record value holds at most 255 bytes")
    return bytes((tag, len(value))) + value


def text(value: bytes) -> str:
    """ASCII / GBK text padded with 00, FF or spaces → str; CardDataError if not GBK."""
    trimmed = value.rstrip(b"\x00\xff ")
    try:
        return trimmed.decode("gbk").strip()
    except UnicodeDecodeError as exc:
        raise CardDataError("text field is not GBK") from exc


def bcd_digits(value: bytes) -> str:
    """Packed BCD → digits; F nibbles (padding) end the number; CardDataError on A–E."""
    out: list[str] = []
    for b in value:
        for nib in (b >> 4, b & 0x0F):
            if nib == 0x0F:
                return "".join(out)
            if nib > 9:
                raise CardDataError(f"byte {b:02X} is not BCD")
            out.append(str(nib))
    return "".join(out)


def bcd_date(value: bytes) -> dt.date | None:
    """YYYYMMDD in 4 BCD bytes → date; None for an all-zero / FF (unset) field."""
    if len(value) != 4:
        raise CardDataError(f"a date is 4 BCD bytes, not {len(value)}")
    if value in (b"\x00" * 4, b"\xff" * 4):
        return None
    digits = bcd_digits(value)
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except (ValueError, IndexError) as exc:
        raise CardDataError(f"{value.hex()} is not a date") from exc


def bcd_encode(digits: str) -> bytes:
    """Digits → packed BCD (odd length padded with F)."""
    if len(digits) % 2:
        digits += "F"
    return bytes.fromhex(digits)

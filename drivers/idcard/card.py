"""Immutable card records decoded from the 256-byte UCS-2LE text block, one class per card type."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, ClassVar

from drivers.idcard.errors import CardDataError
from drivers.privacy import mask_id_number, mask_name

log = logging.getLogger(__name__)

TEXT_LEN = 256
FLAG_OFFSET = 248
LONG_TERM = "长期"

# GB 3304 nation codes.
NATIONS: dict[str, str] = {
    "01": "汉",
    "02": "蒙古",
    "03": "回",
    "04": "藏",
    "05": "维吾尔",
    "06": "苗",
    "07": "彝",
    "08": "壮",
    "09": "布依",
    "10": "朝鲜",
    "11": "满",
    "12": "侗",
    "13": "瑶",
    "14": "白",
    "15": "土家",
    "16": "哈尼",
    "17": "哈萨克",
    "18": "傣",
    "19": "黎",
    "20": "傈僳",
    "21": "佤",
    "22": "畲",
    "23": "高山",
    "24": "拉祜",
    "25": "水",
    "26": "东乡",
    "27": "纳西",
    "28": "景颇",
    "29": "柯尔克孜",
    "30": "土",
    "31": "达斡尔",
    "32": "仫佬",
    "33": "羌",
    "34": "布朗",
    "35": "撒拉",
    "36": "毛南",
    "37": "仡佬",
    "38": "锡伯",
    "39": "阿昌",
    "40": "普米",
    "41": "塔吉克",
    "42": "怒",
    "43": "乌孜别克",
    "44": "俄罗斯",
    "45": "鄂温克",
    "46": "德昂",
    "47": "保安",
    "48": "裕固",
    "49": "京",
    "50": "塔塔尔",
    "51": "独龙",
    "52": "鄂伦春",
    "53": "赫哲",
    "54": "门巴",
    "55": "珞巴",
    "56": "基诺",
    "97": "其他",
    "98": "外国血统中国籍人士",
}

# GB/T 2261.1 sex codes.
SEXES: dict[str, str] = {"0": "未知", "1": "男", "2": "女", "9": "未说明"}

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"


def id_check_char(first17: str) -> str:
    """GB 11643 (ISO 7064 MOD 11-2) check character of the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("need exactly 17 ASCII digits")
    return _CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, _WEIGHTS)) % 11]


def is_valid_id_number(value: str) -> bool:
    """True if value is 17 digits plus the matching GB 11643 check character (X upper or lower)."""
    if len(value) != 18 or not value[:17].isascii() or not value[:17].isdigit():
        return False
    return id_check_char(value[:17]) == value[17].upper()


def mask_address(value: str) -> str:
    """Keep the first few characters (province/city), star the rest."""
    keep = min(6, len(value) // 2)
    return value[:keep] + "*" * (len(value) - keep)


class CardType(Enum):
    """The card-type flag at byte 248 of the text block."""

    MAINLAND = " "
    HK_MO_TW = "J"
    FOREIGN_2017 = "I"
    FOREIGN_2023 = "Y"

    @property
    def json_name(self) -> str:
        """mainland, hk_mo_tw, foreign_2017 or foreign_2023."""
        return self.name.lower()

    @classmethod
    def from_json_name(cls, name: str) -> CardType:
        """Inverse of json_name; ValueError for an unknown name."""
        for t in cls:
            if t.json_name == name:
                return t
        raise ValueError(
            f"unknown card type {name!r}; known: {', '.join(t.json_name for t in cls)}"
        )


DateOrLongTerm = dt.date | str


@dataclass(frozen=True, kw_only=True, repr=False)
class IdCard:
    """Fields common to every card type (the repr masks personal data)."""

    card_type: ClassVar[CardType]
    # (attribute, byte offset, byte length) in the text block; dates are YYYYMMDD.
    LAYOUT: ClassVar[tuple[tuple[str, int, int], ...]] = ()

    name: str
    sex: str
    birth_date: dt.date | None
    id_number: str
    valid_from: dt.date | None
    valid_to: DateOrLongTerm | None
    nation: str = ""
    address: str = ""
    authority: str = ""
    photo: bytes = field(default=b"", compare=True)

    @property
    def sex_text(self) -> str:
        """男 / 女 / 未知 / 未说明 (the raw code if outside GB/T 2261.1)."""
        return SEXES.get(self.sex, self.sex)

    @property
    def nation_name(self) -> str:
        """The GB 3304 nation name (the raw code if unknown, '' if blank)."""
        return NATIONS.get(self.nation, self.nation)

    @property
    def has_check_digit(self) -> bool:
        """Whether this card type's number carries a GB 11643 check digit."""
        return True

    @property
    def check_digit_ok(self) -> bool | None:
        """GB 11643 check of id_number; None for card types whose number has no such digit."""
        if not self.has_check_digit:
            return None
        return is_valid_id_number(self.id_number)

    @property
    def display_name(self) -> str:
        """The name to show: the Chinese name, else the English one."""
        return self.name

    def masked(self) -> IdCard:
        """A copy with name, ID number, address and other identifying fields masked, photo dropped."""
        return dataclasses.replace(self, **self._masked_fields(), photo=b"")

    def _masked_fields(self) -> dict[str, Any]:
        return {
            "name": mask_name(self.name),
            "id_number": mask_id_number(self.id_number),
            "address": mask_address(self.address),
            "birth_date": None,
        }

    def to_json(self, masked: bool = True) -> dict[str, Any]:
        """JSON-ready dict (keys as in issue 3); masked by default."""
        src = self.masked() if masked else self
        out: dict[str, Any] = {
            "card_type": self.card_type.json_name,
            "name": src.display_name,
            "sex": self.sex_text,
            "nation": self._json_nation(),
            "birth_date": _iso(src.birth_date) if not masked else _masked_date(self.birth_date),
            "address": src.address,
            "id_number": src.id_number,
            "authority": self.authority,
            "valid_from": _iso(self.valid_from),
            "valid_to": _iso(self.valid_to),
            "photo_bytes": len(self.photo),
            "check_digit_ok": self.check_digit_ok,
        }
        out.update(src._extra_json())
        return out

    def _json_nation(self) -> str:
        return self.nation_name

    def _extra_json(self) -> dict[str, Any]:
        return {}

    def __repr__(self) -> str:
        m = self.masked()
        return (
            f"{type(self).__name__}(name={m.display_name!r}, id_number={m.id_number!r}, "
            f"photo={len(self.photo)} bytes)"
        )

    __str__ = __repr__


@dataclass(frozen=True, kw_only=True, repr=False)
class MainlandIdCard(IdCard):
    """Resident identity card of the PRC (居民身份证)."""

    card_type: ClassVar[CardType] = CardType.MAINLAND
    LAYOUT: ClassVar[tuple[tuple[str, int, int], ...]] = (
        ("name", 0, 30),
        ("sex", 30, 2),
        ("nation", 32, 4),
        ("birth_date", 36, 16),
        ("address", 52, 70),
        ("id_number", 122, 36),
        ("authority", 158, 30),
        ("valid_from", 188, 16),
        ("valid_to", 204, 16),
    )


@dataclass(frozen=True, kw_only=True, repr=False)
class ResidencePermit(IdCard):
    """Residence permit for Hong Kong, Macau and Taiwan residents (港澳台居民居住证, flag 'J')."""

    card_type: ClassVar[CardType] = CardType.HK_MO_TW
    LAYOUT: ClassVar[tuple[tuple[str, int, int], ...]] = MainlandIdCard.LAYOUT + (
        ("pass_number", 220, 18),
        ("issue_count", 238, 4),
    )
    pass_number: str = ""
    issue_count: str = ""

    @property
    def region(self) -> str:
        """香港 / 澳门 / 台湾 from the 810000 / 820000 / 830000 number prefix ('' otherwise)."""
        return {"81": "香港", "82": "澳门", "83": "台湾"}.get(self.id_number[:2], "")

    def _masked_fields(self) -> dict[str, Any]:
        return super()._masked_fields() | {"pass_number": mask_id_number(self.pass_number)}

    def _extra_json(self) -> dict[str, Any]:
        return {"pass_number": self.pass_number, "issue_count": self.issue_count}


@dataclass(frozen=True, kw_only=True, repr=False)
class _ForeignCard(IdCard):
    english_name: str = ""
    nationality: str = ""

    @property
    def display_name(self) -> str:
        """The Chinese name if the card has one, else the English name."""
        return self.name or self.english_name

    def _json_nation(self) -> str:
        return self.nationality

    def _masked_fields(self) -> dict[str, Any]:
        return super()._masked_fields() | {"english_name": mask_name(self.english_name)}


@dataclass(frozen=True, kw_only=True, repr=False)
class ForeignCard2017(_ForeignCard):
    """Foreign permanent resident ID card, 2017 version (flag 'I'); 15-character number."""

    card_type: ClassVar[CardType] = CardType.FOREIGN_2017
    LAYOUT: ClassVar[tuple[tuple[str, int, int], ...]] = (
        ("english_name", 0, 120),
        ("sex", 120, 2),
        ("id_number", 122, 30),
        ("nationality", 152, 6),
        ("name", 158, 30),
        ("valid_from", 188, 16),
        ("valid_to", 204, 16),
        ("birth_date", 220, 16),
        ("card_version", 236, 4),
        ("office_code", 240, 8),
    )
    card_version: str = ""
    office_code: str = ""

    @property
    def has_check_digit(self) -> bool:
        """The 15-character 2017 number has no GB 11643 check digit."""
        return False

    def _extra_json(self) -> dict[str, Any]:
        return {
            "english_name": self.english_name,
            "card_version": self.card_version,
            "office_code": self.office_code,
        }


@dataclass(frozen=True, kw_only=True, repr=False)
class ForeignCard2023(_ForeignCard):
    """Foreign permanent resident ID card, 2023 version (flag 'Y'); 18-digit number."""

    card_type: ClassVar[CardType] = CardType.FOREIGN_2023
    # The English name is split: characters 1-35 at 52/70, 36-46 at 220/22.
    LAYOUT: ClassVar[tuple[tuple[str, int, int], ...]] = (
        ("name", 0, 30),
        ("sex", 30, 2),
        ("renewal_count", 32, 4),
        ("birth_date", 36, 16),
        ("english_name", 52, 70),
        ("id_number", 122, 36),
        ("valid_from", 188, 16),
        ("valid_to", 204, 16),
        ("english_name_ext", 220, 22),
        ("nationality", 242, 6),
        ("previous_number", 250, 6),
    )
    renewal_count: str = ""
    previous_number: str = ""

    def _extra_json(self) -> dict[str, Any]:
        return {
            "english_name": self.english_name,
            "renewal_count": self.renewal_count,
            "previous_number": self.previous_number,
        }


CARD_CLASSES: dict[CardType, type[IdCard]] = {
    cls.card_type: cls
    for cls in (MainlandIdCard, ResidencePermit, ForeignCard2017, ForeignCard2023)
}

_DATE_FIELDS = ("birth_date", "valid_from", "valid_to")


def _iso(value: DateOrLongTerm | None) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else value


def _masked_date(value: dt.date | None) -> str | None:
    return None if value is None else f"{value.year:04d}-**-**"


def _parse_date(attr: str, raw: str) -> DateOrLongTerm | None:
    if not raw:
        return None
    if raw == LONG_TERM and attr == "valid_to":
        return LONG_TERM
    if len(raw) != 8 or not raw.isascii() or not raw.isdigit():
        raise CardDataError(f"{attr}: not a YYYYMMDD date")
    try:
        return dt.date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
    except ValueError:
        raise CardDataError(f"{attr}: not a calendar date") from None


def _field(text: bytes, offset: int, length: int) -> str:
    return text[offset : offset + length].decode("utf-16-le", errors="replace").rstrip(" \x00")


def card_type_of(text: bytes) -> CardType:
    """The card type from the flag at byte 248 (NUL counts as mainland: early cards left it zero)."""
    if len(text) != TEXT_LEN:
        raise CardDataError(f"text block has {len(text)} bytes, expected {TEXT_LEN}")
    flag = _field(text, FLAG_OFFSET, 2)
    if flag in ("", " "):
        return CardType.MAINLAND
    try:
        return CardType(flag)
    except ValueError:
        raise CardDataError(f"unknown card-type flag {flag!r}") from None


def parse_text(text: bytes, photo: bytes = b"", *, strict: bool = True) -> IdCard:
    """Decode a 256-byte text block (and keep the WLT photo as bytes) into the right IdCard type.

    With strict=True a number that fails its GB 11643 check digit is refused (CardDataError).
    """
    ctype = card_type_of(text)
    cls = CARD_CLASSES[ctype]
    values: dict[str, Any] = {}
    for attr, offset, length in cls.LAYOUT:
        raw = _field(text, offset, length)
        values[attr] = _parse_date(attr, raw) if attr in _DATE_FIELDS else raw
    ext = values.pop("english_name_ext", "")
    if ext:
        # the first part is a full 35 characters when an extension follows: keep its spaces
        values["english_name"] = text[52:122].decode("utf-16-le", errors="replace") + ext
    card = cls(**values, photo=bytes(photo))
    if strict and card.check_digit_ok is False:
        raise CardDataError("ID number fails its GB 11643 check digit")
    return card


def _encode_field(attr: str, value: str, length: int) -> bytes:
    raw = value.encode("utf-16-le")
    if len(raw) > length:
        raise CardDataError(f"{attr}: {len(value)} characters do not fit in {length // 2}")
    return raw + " ".encode("utf-16-le") * ((length - len(raw)) // 2)


def build_text(card: IdCard) -> bytes:
    """Encode a card back into its 256-byte text block (used by the simulator and tests)."""
    text = bytearray(" ".encode("utf-16-le") * (TEXT_LEN // 2))
    values = {f.name: getattr(card, f.name) for f in dataclasses.fields(card)}
    if isinstance(card, ForeignCard2023):
        values["english_name"], values["english_name_ext"] = (
            card.english_name[:35],
            card.english_name[35:],
        )
    for attr, offset, length in type(card).LAYOUT:
        value = values[attr]
        if attr in _DATE_FIELDS:
            value = (
                ""
                if value is None
                else (value.strftime("%Y%m%d") if isinstance(value, dt.date) else value)
            )
        text[offset : offset + length] = _encode_field(attr, value, length)
    text[FLAG_OFFSET : FLAG_OFFSET + 2] = card.card_type.value.encode("utf-16-le")
    return bytes(text)

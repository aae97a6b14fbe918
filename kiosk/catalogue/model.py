"""Typed, immutable model of the item catalogue (built only from a validated dict, see schema)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, Literal

from kiosk.catalogue.errors import UnknownItem
from kiosk.central_api import QUERY_VALUE_NAMES
from kiosk.guide.model import EMPTY as NO_GUIDANCE
from kiosk.guide.model import Guidance

log = logging.getLogger(__name__)

FORMAT = 1
KINDS = ("query", "print", "apply", "appointment", "progress", "pay")
CHANNELS = ("qr", "payment_code")
"""How a `pay` item may be paid: the terminal's QR scanned by a phone, a 付款码 shown to the scanner."""
AUTHS = ("id_card", "sscard", "app_code", "face")
"""Identifications an item may accept (`auth: [..]`): 身份证, 社保卡, an app code (电子社保卡,
医保电子凭证, 秦务员 …) checked by central, and 人证比对 (face, always after a card or code)."""
LEGACY_AUTHS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "none": (),
        "id_card": ("id_card",),
        "id_card_or_qr": ("id_card", "app_code"),
        "id_card+face": ("id_card", "face"),
    }
)
"""The single-string `auth` of catalogues before issue 24, still read (stores keep old bundles)."""
METHOD_DEVICES: Mapping[str, str] = MappingProxyType(
    {"id_card": "idcard", "sscard": "sscard", "app_code": "scanner", "face": "camera"}
)
"""The device each identification needs."""
DEVICES = ("printer", "idcard", "scanner", "a4printer", "camera", "sscard")
FIELD_TYPES = ("text", "number", "phone", "date", "choice", "id_number", "uscc", "case_no")
PREFILLS = ("id_card.id_number", "id_card.name")
# Values a receipt line may print besides `field.NAME` and `result.KEY`.
SESSION_KEYS = (
    "case_no",
    "time",
    "terminal_id",
    "hall_name",
    "item_name",
    "status",
    "holder_name",
    "holder_id_number",
    # pay items (kiosk.payment): the paid order
    "order_no",
    "amount",
    "payee",
    "paid_at",
    "channel",
    "einvoice_no",
    "einvoice_url",
)
MASKS = ("id_number", "phone", "name")
# The `result.NAME` values a receipt layout may print, by item kind: what central actually sends.
# Queries and documents: QueryResult.values (a closed set of the contract). Progress: the case
# state of GET /v1/cases. Submissions: none (the receipt is printed from the case number and
# status, often before central answered): use session.case_no and session.status.
RESULT_NAMES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "query": QUERY_VALUE_NAMES,
        "print": QUERY_VALUE_NAMES,
        "progress": ("status",),
        "apply": (),
        "appointment": (),
        "pay": (),
    }
)

Kind = Literal["query", "print", "apply", "appointment", "progress", "pay"]
Auth = tuple[str, ...]
"""The accepted identifications, in the order the identify screen offers them (() = none)."""


def normalize_auth(value: Any) -> tuple[str, ...]:
    """A validated `auth` value (legacy string or list) → the tuple of methods."""
    if isinstance(value, str):
        return LEGACY_AUTHS[value]
    return tuple(value)


FieldType = Literal["text", "number", "phone", "date", "choice", "id_number", "uscc", "case_no"]


@dataclass(frozen=True, slots=True)
class Option:
    """One choice of a choice field: the value sent to central and its labels."""

    value: str
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class Field:
    """One input of an item's form, with its type and constraints."""

    name: str
    type: FieldType
    label_zh: str
    label_en: str
    required: bool = True
    hint_zh: str = ""
    hint_en: str = ""
    options: tuple[Option, ...] = ()
    max_length: int | None = None
    min: float | str | None = None
    """number: lowest value; date: lowest date (ISO date or "today")."""
    max: float | str | None = None
    """number: highest value; date: highest date (ISO date or "today")."""
    decimals: int = 0
    pattern: str | None = None
    """text/case_no: a regular expression the whole (normalised) value must match."""
    prefill: str | None = None
    """Filled from the identified citizen ("id_card.id_number", "id_card.name")."""
    scan: bool = False
    """The value may come from the QR/barcode scanner (case numbers, codes)."""
    default: str | None = None
    """choice: the option chosen until the citizen picks another (saves a tap)."""

    def option(self, value: str) -> Option | None:
        """The option with this value, or None."""
        for opt in self.options:
            if opt.value == value:
                return opt
        return None


CARD_TYPES = ("mainland", "hmt", "foreigner")
"""Identity cards the reader knows: 居民身份证, 港澳台居民居住证, 外国人永久居留身份证."""


@dataclass(frozen=True, slots=True)
class Material:
    """A document the citizen should have ready (shown before the form)."""

    zh: str
    en: str
    cards: tuple[str, ...] = ()
    """An identity document: the card types accepted (CARD_TYPES), named by the terminal."""


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    """One printed line: a label and a reference (`field.NAME`, `result.KEY`, `session.KEY`)."""

    label_zh: str
    label_en: str
    ref: str
    mask: str | None = None


@dataclass(frozen=True, slots=True)
class Receipt:
    """Layout of the receipt printed at the end of an item."""

    title_zh: str
    title_en: str
    lines: tuple[ReceiptLine, ...]
    qr: str | None = None
    """Reference whose value is printed as a QR code (e.g. session.case_no)."""
    footer_zh: str = ""
    footer_en: str = ""


@dataclass(frozen=True, slots=True)
class DocumentLine:
    """One line of an A4 document's body: a label and a reference, optionally masked."""

    label: str
    ref: str
    mask: str | None = None


@dataclass(frozen=True, slots=True)
class DocumentLayout:
    """Layout of the A4 document (certificate) a `print` item prints; always in Chinese."""

    title: str
    issuer: str
    """The issuing body printed under the body and around the seal."""
    seal: str
    """"demo" (the project's generated demo seal of `issuer`) or "file:NAME.png" (assets/seals)."""
    valid_days: int
    """How long central's 核验码 verifies the document."""
    lines: tuple[DocumentLine, ...]
    intro: str = ""
    table_title: str | None = None
    """Title of the table of central's rows, None: no table."""
    footer: str = ""


@dataclass(frozen=True, slots=True)
class Category:
    """A group of items on the home screen."""

    code: str
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class RatingTag:
    """A reason tag a citizen picks for a 差评 (bad rating)."""

    code: str
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class Item:
    """One service item (事项) the terminal offers."""

    code: str
    """事项编码, sent to central with every request."""
    name_zh: str
    name_en: str
    department_zh: str
    department_en: str
    category: str
    kind: Kind
    auth: Auth
    order: int
    devices: tuple[str, ...] = ()
    fields: tuple[Field, ...] = ()
    materials: tuple[Material, ...] = ()
    receipt: Receipt | None = None
    enabled: bool = True
    hours: tuple[str, ...] = ()
    """Opening windows "HH:MM-HH:MM"; empty: the terminal's own hours."""
    offline: bool = False
    """apply only: accepted into the outbox when central is unreachable."""
    description_zh: str = ""
    description_en: str = ""
    document: DocumentLayout | None = None
    """print items: the A4 document they print (kiosk.documents)."""
    channels: tuple[str, ...] = ()
    """pay only: the payment channels accepted (CHANNELS), in the order the screen offers them."""
    anonymous_required: tuple[str, ...] | None = None
    """apply only: the item may be submitted without identification (匿名), and then exactly
    these fields are required (the others optional); None: identification is needed."""
    tile: bool = True
    """A home-screen tile; false: reached only through a bundle or the guidance tree."""

    def field(self, name: str) -> Field:
        """The field with this name (KeyError if none)."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def name(self, language: str = "zh_CN") -> str:
        """The item name in the UI language."""
        return self.name_en if language == "en" else self.name_zh

    @property
    def card_types(self) -> tuple[str, ...]:
        """Identity cards the item accepts (its identity materials' `cards`; none listed: all)."""
        listed = [c for m in self.materials for c in m.cards]
        return tuple(c for c in CARD_TYPES if c in listed) if listed else CARD_TYPES

    @property
    def needs_identity(self) -> bool:
        """Whether the citizen must identify (by any accepted method) before the form."""
        return bool(self.auth)

    @property
    def needs_face(self) -> bool:
        """Whether 人证比对 follows the card or code."""
        return "face" in self.auth

    @property
    def identify_methods(self) -> tuple[str, ...]:
        """The cards and codes the identify screen offers (face is a step after them)."""
        return tuple(m for m in self.auth if m != "face")

    def accepts(self, method: str) -> bool:
        """Whether the citizen may identify by `method` (id_card, sscard, app_code)."""
        return method in self.identify_methods

    def accepts_card(self, card_type: str) -> bool:
        """Whether a citizen identified by this kind of card may use the item."""
        return card_type in self.card_types


@dataclass(frozen=True, slots=True)
class Catalogue:
    """A verified, validated catalogue: what the terminal offers."""

    version: int
    issued_at: datetime
    expires_at: datetime
    items: tuple[Item, ...]
    rating_tags: tuple[RatingTag, ...]
    categories: tuple[Category, ...] = ()
    format: int = FORMAT
    digest: str = ""
    """SHA-256 (hex) of the canonical JSON of the catalogue object."""
    key_id: str = ""
    """Key id of the trusted signature that verified (empty if not verified here)."""
    guidance: Guidance = NO_GUIDANCE
    """Bundles, the guidance tree, 办事指南 and policies (kiosk.guide, issue 23)."""
    _by_code: Mapping[str, Item] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_code", MappingProxyType({i.code: i for i in self.items}))

    def item(self, code: str) -> Item:
        """The item with this code (UnknownItem, a KeyError, if none)."""
        try:
            return self._by_code[code]
        except KeyError:
            raise UnknownItem(f"no item {code!r} in catalogue version {self.version}") from None

    def get(self, code: str) -> Item | None:
        """The item with this code, or None."""
        return self._by_code.get(code)

    def enabled_items(self) -> tuple[Item, ...]:
        """Enabled home-screen items (tiles) in display order."""
        return tuple(sorted((i for i in self.items if i.enabled and i.tile), key=lambda i: i.order))

    def rating_tag(self, code: str) -> RatingTag | None:
        """The 差评 reason tag with this code, or None."""
        for tag in self.rating_tags:
            if tag.code == code:
                return tag
        return None

    def is_expired(self, now: datetime) -> bool:
        """Whether expires_at is at or before `now` (an aware datetime)."""
        return now >= self.expires_at

    def summary(self) -> dict[str, Any]:
        """Small dict for heartbeats and logs (no personal data in a catalogue anyway)."""
        return {
            "version": self.version,
            "items": len(self.items),
            "digest": self.digest[:16],
            "expires_at": self.expires_at.isoformat(),
        }

"""What the session needs from the outside world, as small Protocols and plain event records.

Real implementations (drivers over `sim://` or real devices, the central client, the outbox)
are wired in `kiosk.services`; in-process fakes exist only in the engine's unit tests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

CardType = Literal["mainland", "hmt", "foreigner"]


@dataclass(frozen=True)
class CardHolder:
    """The identified citizen (personal data: lives in memory for the session only)."""

    name: str
    id_number: str
    card_type: CardType = "mainland"
    sex: str = ""
    birth: str = ""
    address: str = ""
    photo: bytes = field(default=b"", repr=False)
    valid_to: str = ""
    """Last day of validity as YYYY-MM-DD, or 长期; "" when unknown (QR identities)."""
    method: str = "id_card"
    """How the citizen identified: id_card, sscard (社保卡), app_code (checked by central)."""

    def __repr__(self) -> str:  # never print personal data, even by accident
        return f"CardHolder(card_type={self.card_type!r}, <masked>)"


# ---- device events (arrive on driver threads; the UI marshals them to its own thread) ----


@dataclass(frozen=True)
class CardRead:
    """A card was read completely."""

    holder: CardHolder


@dataclass(frozen=True)
class CardUnreadable:
    """A card is on the reader but could not be read (moved too early, damaged, not an ID card)."""

    reason: str = ""


@dataclass(frozen=True)
class CardPresence:
    """The reader sees a card in its field (present) or none; after a read the card is halted
    and unseen until the reader is re-armed (kiosk.session.card)."""

    present: bool


@dataclass(frozen=True)
class SSCardSlot:
    """A card went into the 社保卡 reader's slot (present) or came out (kiosk.identity.sscard)."""

    present: bool


@dataclass(frozen=True)
class CodeScanned:
    """The scanner read a QR or barcode (text already decoded from the wire)."""

    text: str


@dataclass(frozen=True)
class DeviceState:
    """A device's health changed: ok, or the reason it cannot be used (paper_out, offline, …)."""

    device: Literal["idcard", "printer", "scanner", "a4printer", "camera", "sscard"]
    ok: bool
    reason: str = ""


@dataclass(frozen=True)
class Connectivity:
    """The central service became reachable (online) or not."""

    online: bool


DeviceEvent = (
    CardRead | CardUnreadable | CardPresence | CodeScanned | DeviceState | Connectivity | SSCardSlot
)
EventSink = Callable[[DeviceEvent], None]


@runtime_checkable
class EventSource(Protocol):
    """A device that reports events (card reader, scanner, status poller) to a sink."""

    def start(self, sink: EventSink) -> None:
        """Start reporting events to `sink` (called from the source's own thread)."""

    def stop(self) -> None:
        """Stop reporting and release the device."""


# ---- printer ----


@dataclass(frozen=True)
class ReceiptDoc:
    """A receipt as lines of text (title, label/value lines, optional QR payload, footer)."""

    title: str
    lines: tuple[tuple[str, str], ...]
    qr: str | None = None
    footer: str = ""


@dataclass(frozen=True)
class PrintOutcome:
    """What the printer reported: printed, or not with a reason (paper_out, offline, unknown…)."""

    printed: bool
    reason: str = ""


class Printer(Protocol):
    """The receipt printer."""

    def print_receipt(self, receipt: ReceiptDoc) -> PrintOutcome:
        """Print one receipt (blocking); never claims `printed` unless the printer confirmed it."""


# ---- central ----


@dataclass(frozen=True)
class QueryAnswer:
    """A query result: a title and rows of (label, value) cells; printable or not."""

    title: str
    rows: tuple[tuple[str, ...], ...]
    columns: tuple[str, ...] = ()
    printable: bool = True
    values: Mapping[str, Any] = field(default_factory=dict)
    """Named values the receipt layout refers to as result.KEY."""
    case_no: str = ""
    """Service record number central gave this query (rate it with this: 一次一评)."""
    printable_lines: tuple[str, ...] = ()
    """Receipt text central prepared (already masked); used instead of the layout when given."""
    title_en: str = ""
    """English of central's answer (empty when central sent none): title, column labels (one
    per column or none) and cell text → English (kiosk.central_api.query_english)."""
    columns_en: tuple[str, ...] = ()
    terms_en: Mapping[str, str] = field(default_factory=dict)
    document: Any = None
    """print items: the document central issued (kiosk.central_api.IssuedDocument: 核验码…)."""


@dataclass(frozen=True)
class Submitted:
    """A submission accepted: its case number; provisional when only queued in the outbox."""

    case_no: str
    provisional: bool = False
    status: str = ""


@dataclass(frozen=True)
class RatingRecord:
    """A 好差评 as it leaves the session (level by name; skipped when the citizen declined)."""

    service_id: str
    item_code: str
    level: str | None
    tags: tuple[str, ...] = ()
    comment: str = ""
    skipped: bool = False
    reason: str = ""
    dictionary_version: int | None = None
    """Version of the rating dictionary the screen showed (issue 19)."""
    indicators: tuple[tuple[str, str], ...] = ()
    """(indicator code, level by name) pairs."""
    hall: str = ""
    callback_phone: str = ""
    """差评 only, given with consent; personal data: queued sealed, never kept in memory lists."""
    rater: tuple[str, str] | None = None
    """(name, ID number) of a 实名 rating the citizen chose; personal data like the phone."""


class CentralUnavailable(Exception):
    """Central could not be reached or answered with an error; `message` is for the screen log."""


class Central(Protocol):
    """The central service as the session uses it (the client + outbox behind it)."""

    def query(self, item_code: str, payload: Mapping[str, Any]) -> QueryAnswer:
        """Run a query (or fetch a printable document); raises CentralUnavailable."""

    def submit(self, item_code: str, payload: Mapping[str, Any]) -> Submitted:
        """Submit an application; offline-capable items come back provisional, never lost."""

    def progress(self, case_no: str) -> QueryAnswer:
        """Progress of a case; raises CentralUnavailable."""

    def rate(self, rating: RatingRecord) -> None:
        """Record a rating (store and forward: must not raise for a network fault)."""


Runner = Callable[[Callable[[], Any], Callable[[Any, BaseException | None], None]], None]
"""Runs a blocking call off the UI thread and calls back (result, error) on the UI thread."""


def run_inline(fn: Callable[[], Any], done: Callable[[Any, BaseException | None], None]) -> None:
    """A Runner that calls `fn` right away on this thread (engine tests)."""
    try:
        result = fn()
    except Exception as exc:  # noqa: BLE001 - handed to the engine, which shows it
        done(None, exc)
    else:
        done(result, None)


__all__ = [
    "CardHolder",
    "CardRead",
    "CardUnreadable",
    "CardPresence",
    "CodeScanned",
    "DeviceState",
    "Connectivity",
    "DeviceEvent",
    "EventSink",
    "EventSource",
    "ReceiptDoc",
    "PrintOutcome",
    "Printer",
    "QueryAnswer",
    "Submitted",
    "RatingRecord",
    "CentralUnavailable",
    "Central",
    "Runner",
    "run_inline",
    "Sequence",
]

"""Central service API v1: every request/response body and the request-signing scheme.

Imported by the terminal's client (kiosk) and by the reference service (central), so the two
cannot drift. Pure data + hashing: no I/O, no Kivy, no FastAPI.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from datetime import UTC, datetime
from enum import Enum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

API_VERSION = "v1"
CONTRACT_VERSION = "1.1"
"""v1.1: the Idempotency-Key is signed; case numbers carry a check group; cases are bound to
the terminal that created them. Paths and bodies are those of v1."""

# --- signing -------------------------------------------------------------------------------

HEADER_TERMINAL_ID = "X-Terminal-Id"
HEADER_TIMESTAMP = "X-Timestamp"
HEADER_SIGNATURE = "X-Signature"
HEADER_IDEMPOTENCY_KEY = "Idempotency-Key"
HEADER_AUTHORIZATION = "Authorization"
MAX_SKEW_S = 300
"""A request whose X-Timestamp differs from the server clock by more than this is refused."""

TERMINAL_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{2,31}")
IDEMPOTENCY_KEY_RE = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
SIGNATURE_RE = re.compile(r"[0-9a-f]{64}")


def body_digest(body: bytes) -> str:
    """sha256_hex(body): the body part of the string to sign (empty body included)."""
    return hashlib.sha256(body).hexdigest()


def string_to_sign(
    method: str,
    path_with_query: str,
    timestamp: int,
    body: bytes,
    idempotency_key: str | None = None,
) -> bytes:
    """METHOD\nPATH_WITH_QUERY\nTIMESTAMP\nsha256_hex(body), UTF-8; v1.1 appends
    \nIDEMPOTENCY_KEY (lower case) when the request carries one."""
    text = f"{method.upper()}\n{path_with_query}\n{int(timestamp)}\n{body_digest(body)}"
    if idempotency_key:
        text += "\n" + idempotency_key.strip().lower()
    return text.encode()


def sign(
    secret: bytes,
    method: str,
    path_with_query: str,
    timestamp: int,
    body: bytes,
    idempotency_key: str | None = None,
) -> str:
    """Hex HMAC-SHA256 of the string to sign under the terminal secret."""
    return hmac.new(
        secret,
        string_to_sign(method, path_with_query, timestamp, body, idempotency_key),
        hashlib.sha256,
    ).hexdigest()


def verify(
    secret: bytes,
    method: str,
    path_with_query: str,
    timestamp: int,
    body: bytes,
    signature: str,
    idempotency_key: str | None = None,
) -> bool:
    """Constant-time check of a hex signature."""
    expected = sign(secret, method, path_with_query, timestamp, body, idempotency_key)
    return hmac.compare_digest(
        expected.encode(), signature.strip().lower().encode("ascii", "replace")
    )


def signed_headers(
    terminal_id: str,
    secret: bytes,
    method: str,
    path_with_query: str,
    body: bytes,
    now: float | None = None,
    idempotency_key: str | None = None,
) -> dict[str, str]:
    """The auth headers for one request (timestamp from `now` or the clock); with an
    idempotency key, the v1.1 signature over it and the Idempotency-Key header itself."""
    ts = int(time.time() if now is None else now)
    out = {
        HEADER_TERMINAL_ID: terminal_id,
        HEADER_TIMESTAMP: str(ts),
        HEADER_SIGNATURE: sign(secret, method, path_with_query, ts, body, idempotency_key),
    }
    if idempotency_key:
        out[HEADER_IDEMPOTENCY_KEY] = idempotency_key
    return out


def parse_secret(text: str) -> bytes:
    """A terminal secret as stored in its file: hex, ≥ 16 bytes; raise ValueError otherwise."""
    text = text.strip()
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raise ValueError("terminal secret must be hexadecimal") from None
    if len(raw) < 16:
        raise ValueError("terminal secret must be at least 16 bytes (32 hex digits)")
    return raw


# --- identity ------------------------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_number_valid(value: str) -> bool:
    """GB 11643 (ISO 7064 MOD 11-2) check of an 18-character ID number."""
    if len(value) != 18 or not value[:17].isascii() or not value[:17].isdigit():
        return False
    total = sum(int(c) * w for c, w in zip(value[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == value[17].upper()


class _Body(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False
    )


class _Reply(BaseModel):
    """Response bodies: a newer service may add fields, which an older terminal ignores."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class Identity(_Body):
    """The citizen identified at the terminal for this session."""

    method: Literal["idcard", "qr", "manual", "sscard", "app_code"] = "idcard"
    """How the citizen was identified: ID card reader, QR code (e-ID) or typed (staff-assisted)."""
    id_number: str = Field(min_length=18, max_length=18)
    """18-character ID number (GB 11643 check digit verified); upper-case X."""
    name: str = Field(default="", max_length=50)
    """Name as on the card (may be empty for QR identities)."""

    @field_validator("id_number")
    @classmethod
    def _id(cls, v: str) -> str:
        v = v.upper()
        if not id_number_valid(v):
            raise ValueError("not a valid 18-character ID number (GB 11643 check digit)")
        return v


ItemCode = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
RegionCode = Annotated[str, Field(pattern=r"^[0-9]{6}$")]
MAX_SAFE_INT = 2**53 - 1
"""Integers in request bodies stay within ±(2^53 - 1): exact in every JSON parser and in a
64-bit database column (v1.1: larger ones are 422, never an overflow in storage)."""
MAX_VERSION = 2**31 - 1
"""Catalogue versions fit a 32-bit signed column (PostgreSQL INTEGER)."""
FieldValue = (
    Annotated[str, Field(max_length=2000)]
    | Annotated[int, Field(ge=-MAX_SAFE_INT, le=MAX_SAFE_INT)]
    | Annotated[float, Field(ge=-1e15, le=1e15, allow_inf_nan=False)]
    | bool
    | None
)
MAX_FIELDS = 64
_EARLIEST = datetime(1999, 12, 31, tzinfo=UTC)
_LATEST = datetime(2100, 1, 2, tzinfo=UTC)
# (a day of slack either side: any 20xx local time with any UTC offset is inside)


def _moment(v: datetime) -> datetime:
    aware = v if v.tzinfo is not None else v.replace(tzinfo=UTC)
    if not _EARLIEST <= aware <= _LATEST:
        raise ValueError("must lie in the years 2000..2099")
    return v


Moment = Annotated[datetime, AfterValidator(_moment)]
"""A terminal's timestamp in a request body (bounded: storage turns it into unix seconds)."""
CASE_NO_RE = re.compile(r"[0-9]{6}-[0-9]{8}-[0-9]{6}(?:-[0-9]{4})?")
CHECKED_CASE_NO_RE = re.compile(r"[0-9]{6}-[0-9]{8}-[0-9]{6}-[0-9]{4}")
CaseNo = Annotated[str, Field(pattern=r"^[0-9]{6}-[0-9]{8}-[0-9]{6}(?:-[0-9]{4})?$")]
"""Case number: REGION(6)-YYYYMMDD-SEQ(6)-CHECK(4), e.g. 610900-20261125-000123-4071 (v1.1: the
check group is keyed by central, so numbers cannot be guessed; numbers issued before v1.1 have no
check group and stay valid). Never 18 bare digits, which the log scrubber would mask."""


def _check_fields(v: dict[str, object]) -> dict[str, object]:
    if len(v) > MAX_FIELDS:
        raise ValueError(f"at most {MAX_FIELDS} fields")
    for key in v:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,63}", key):
            raise ValueError(
                "field names must be 1–64 letters, digits or _ (not starting with a digit)"
            )
    return v


# --- submissions and cases -----------------------------------------------------------------


class Submission(_Body):
    """POST /v1/submissions: one request (办件) for an `apply` item."""

    item_code: ItemCode
    """事项编码 of the item applied for."""
    region_code: RegionCode
    """行政区划代码 of the terminal's hall."""
    applicant: Identity | None = None
    """The citizen applying (the session identity); absent only when `anonymous`."""
    anonymous: bool = False
    """匿名 (v1, additive): submitted without identification, for items whose catalogue design
    has `anonymous` (central checks the design's required fields)."""
    fields: dict[str, FieldValue] = {}
    """Form values by field name, as typed in the catalogue."""
    local_ref: str | None = Field(default=None, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    """The terminal's provisional reference (printed on the offline receipt)."""
    created_at: Moment | None = None
    """When the citizen confirmed (terminal clock; may be long before delivery)."""

    @field_validator("fields")
    @classmethod
    def _fields(cls, v: dict[str, object]) -> dict[str, object]:
        return _check_fields(v)

    @model_validator(mode="after")
    def _who(self) -> Submission:
        if self.anonymous == (self.applicant is not None):
            raise ValueError("give either an applicant or anonymous: true (not both, not neither)")
        return self


class CaseState(str, Enum):
    """Progress of a case (办件状态)."""

    RECEIVED = "received"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    REJECTED = "rejected"


class SubmissionAccepted(_Reply):
    """201 answer to POST /v1/submissions."""

    case_no: CaseNo
    status: CaseState
    received_at: datetime


class CaseEvent(_Reply):
    """One step of a case's history."""

    status: CaseState
    at: datetime
    note: str = ""


class CaseStatus(_Reply):
    """GET /v1/cases/{case_no}: where a case stands, with its history (oldest first)."""

    case_no: CaseNo
    item_code: ItemCode
    kind: Literal["apply", "query", "pay"]
    status: CaseState
    history: list[CaseEvent]
    masked: bool = False
    """v1.1: asked by another terminal than the one that created the case: `history` holds only
    the current state (its time, a generic note), never the department's notes."""


# --- queries -------------------------------------------------------------------------------


class QueryRequest(_Body):
    """POST /v1/queries/{item_code}: a live query or a document to print."""

    region_code: RegionCode
    identity: Identity
    """The session identity (who stands at the terminal)."""
    subject_id_number: str | None = Field(default=None, max_length=18)
    """Whose records are asked for; must equal identity.id_number (default: the same)."""
    params: dict[str, FieldValue] = {}
    """Extra form values of the item (e.g. year, case number)."""

    @field_validator("params")
    @classmethod
    def _params(cls, v: dict[str, object]) -> dict[str, object]:
        return _check_fields(v)

    @field_validator("subject_id_number")
    @classmethod
    def _subject(cls, v: str | None) -> str | None:
        return None if v is None else v.upper()


QUERY_VALUE_NAMES: tuple[str, ...] = ("period", "status")
"""The closed set of names central may send in `QueryResult.values` (all text):

- `period`: the period the records cover, as central words it (e.g. 2025-11~2026-10);
- `status`: the state of the record as the department words it (e.g. 正常缴费, 名下无不动产登记).

A receipt layout may print `result.NAME` only for these (the catalogue validator enforces it).
A name is added here, in the sandbox and in docs/central-api.md together, never in one alone."""
MAX_VALUE_LEN = 200


class QueryResult(_Reply):
    """200 answer to a query: a table to show and a receipt to print."""

    case_no: CaseNo
    """Service record number (rate the service with it: 一次一评)."""
    item_code: ItemCode
    title: str
    columns: list[str]
    rows: list[list[str]]
    printable: list[str]
    """Receipt lines (personal data already masked where the full value is not needed)."""
    values: dict[str, Annotated[str, Field(max_length=MAX_VALUE_LEN)]] = {}
    """Named values a receipt layout prints as result.NAME (names: QUERY_VALUE_NAMES; optional,
    added in v1 without a version change: an older service sends none, and a name this
    terminal does not know, from a newer service, is dropped, like an unknown field)."""
    # English (see "English query results" at the end of this module; optional)
    title_en: str = Field(default="", max_length=200)
    column_labels: list[QueryColumn] = []
    terms_en: dict[str, Annotated[str, Field(max_length=MAX_VALUE_LEN)]] = {}

    @field_validator("values", mode="before")
    @classmethod
    def _known_values(cls, v: object) -> object:
        # dropped before type checks: a newer service's value of any shape never fails the answer
        return {k: x for k, x in v.items() if k in QUERY_VALUE_NAMES} if isinstance(v, dict) else v


# --- ratings (好差评) ----------------------------------------------------------------------


class RatingLevel(str, Enum):
    """The five 好差评 levels, stored by name; numeric codes exist only at the edges."""

    VERY_SATISFIED = "非常满意"
    SATISFIED = "满意"
    BASICALLY_SATISFIED = "基本满意"
    DISSATISFIED = "不满意"
    VERY_DISSATISFIED = "非常不满意"

    @property
    def is_negative(self) -> bool:
        """不满意 and 非常不满意 are 差评 (need ≥ 1 reason tag)."""
        return self in (RatingLevel.DISSATISFIED, RatingLevel.VERY_DISSATISFIED)

    @property
    def gbt39046_code(self) -> int:
        """满意度代码 of GB/T 39046-2020: 1 非常满意 … 5 非常不满意."""
        return _LEVELS.index(self) + 1

    @property
    def provincial_code(self) -> int:
        """Provincial interfaces' satisfaction: 5 非常满意 … 1 非常不满意."""
        return 5 - _LEVELS.index(self)

    @classmethod
    def from_gbt39046_code(cls, code: int) -> RatingLevel:
        """Inverse of gbt39046_code; ValueError outside 1..5."""
        if not 1 <= code <= 5:
            raise ValueError(f"GB/T 39046 satisfaction code must be 1..5, got {code}")
        return _LEVELS[code - 1]

    @classmethod
    def from_provincial_code(cls, code: int) -> RatingLevel:
        """Inverse of provincial_code; ValueError outside 1..5."""
        if not 1 <= code <= 5:
            raise ValueError(f"provincial satisfaction code must be 1..5, got {code}")
        return _LEVELS[5 - code]


_LEVELS = tuple(RatingLevel)

CHANNEL = "self_service_terminal"
"""Channel every rating from a terminal is recorded under."""
GBT39046_CHANNEL = "政务大厅其他终端"
"""The same channel as named in GB/T 39046-2020 评价渠道."""
PROVINCIAL_CHANNEL_CODE = 5
"""The same channel in provincial interfaces (`pf` 5: other hall terminal / self-service)."""


class RatingTag(_Body):
    """A 差评 reason tag (the same shape as the catalogue's rating_tags entries)."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    zh: str = Field(min_length=1, max_length=40)
    en: str = Field(min_length=1, max_length=80)


DEFAULT_RATING_TAGS: tuple[RatingTag, ...] = (
    RatingTag(code="hard_to_use", zh="操作不便", en="Hard to use"),
    RatingTag(code="too_slow", zh="等待/打印太慢", en="Too slow (waiting or printing)"),
    RatingTag(code="wrong_result", zh="结果有误", en="Wrong result"),
    RatingTag(code="device_fault", zh="设备故障", en="Machine fault"),
    RatingTag(code="unclear", zh="说明不清楚", en="Unclear instructions"),
    RatingTag(code="other", zh="其他", en="Other"),
)
"""Built-in reason tags (those of the default catalogue), used by the service while no catalogue
is published; a published catalogue's rating_tags replace them."""

MAX_COMMENT = 500


class Rating(_Body):
    """POST /v1/ratings: one rating per service (一次一评), bound to the case number."""

    case_no: CaseNo
    item_code: ItemCode
    level: RatingLevel
    tags: list[Annotated[str, Field(max_length=32)]] = Field(default=[], max_length=10)
    """Reason tag codes (≥ 1 for 差评)."""
    comment: str = Field(default="", max_length=MAX_COMMENT)
    """Free text, ≤ 500 characters."""
    rated_at: Moment | None = None
    """When the citizen rated (terminal clock)."""
    # issue 19 (additive, all optional; the models are in the 好差评 section at the end)
    dictionary_version: int | None = Field(default=None, ge=1)
    """Version of the rating dictionary the screen was rendered from; `tags` are its reasons."""
    indicators: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")], RatingLevel] = Field(
        default={}, max_length=8
    )
    """Indicator code → level by name (整体满意度, 服务效率, 服务水平, 服务态度 …)."""
    real_name: bool = False
    """实名 rating: `rater` says who; otherwise anonymous."""
    rater: RatingRater | None = None
    hall: str = Field(default="", max_length=64)
    """The hall the terminal stands in (statistics per hall)."""
    callback: RatingCallback | None = None
    """For a 差评 only: a phone number for the 回访, given with consent."""

    @field_validator("tags")
    @classmethod
    def _unique(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("tags must not repeat")
        return v

    @model_validator(mode="after")
    def _negative_needs_tag(self) -> Rating:
        if self.level.is_negative and not self.tags:
            raise PydanticCustomError(
                "tag_required",
                "{level} (差评) needs at least one reason tag",
                {"level": self.level.value},
            )
        if self.real_name != (self.rater is not None):
            raise ValueError("a real-name rating carries its rater, an anonymous one none")
        if self.callback is not None and not self.level.is_negative:
            raise ValueError("a callback phone is asked for a 差评 only")
        return self


class RatingAccepted(_Reply):
    """201 answer to POST /v1/ratings."""

    rating_id: int
    case_no: CaseNo
    level: RatingLevel
    channel: str = CHANNEL
    received_at: datetime


class RatingRecord(_Reply):
    """One rating as staff see it (GET /v1/admin/ratings)."""

    rating_id: int
    case_no: CaseNo
    item_code: ItemCode
    level: RatingLevel
    tags: list[str]
    comment: str
    terminal_id: str
    region_code: str
    channel: str
    rated_at: datetime | None
    received_at: datetime


# --- heartbeat -----------------------------------------------------------------------------


class DeviceStatus(str, Enum):
    """State of one device as the terminal sees it."""

    OK = "ok"
    WARNING = "warning"
    FAULT = "fault"
    UNKNOWN = "unknown"
    DISABLED = "disabled"


class DeviceState(_Body):
    """One device in a heartbeat."""

    status: DeviceStatus
    detail: str = Field(default="", max_length=200)
    """Short technical reason (e.g. paper_near_end); never personal data."""


class Command(str, Enum):
    """Commands the service sends back in a heartbeat reply."""

    REFRESH_CATALOGUE = "refresh_catalogue"


class Heartbeat(_Body):
    """POST /v1/heartbeat: the terminal's health, every heartbeat interval."""

    devices: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")], DeviceState] = Field(
        default={}, max_length=16
    )
    catalogue_version: int = Field(ge=0, le=MAX_VERSION)
    """Version of the active catalogue (0: none)."""
    outbox_depth: int = Field(ge=0, le=10_000_000)
    """Rows waiting in the outbox."""
    app_version: str = Field(min_length=1, max_length=40)
    uptime_s: float = Field(ge=0, le=10 * 365 * 86400, allow_inf_nan=False)


class HeartbeatReply(_Reply):
    """200 answer to a heartbeat."""

    server_time: datetime
    commands: list[str] = []
    """Command names (see Command); a terminal ignores names it does not know."""


# --- staff ---------------------------------------------------------------------------------


class CatalogueAccepted(_Reply):
    """200 answer to PUT /v1/admin/catalogue."""

    version: int
    etag: str
    items: int
    published_at: datetime


class TerminalInfo(_Reply):
    """One terminal as staff see it (GET /v1/admin/terminals)."""

    terminal_id: str
    registered_at: datetime
    online: bool
    """A heartbeat arrived within the offline threshold."""
    last_heartbeat_at: datetime | None
    faults: list[str]
    """Devices reporting `fault` in the last heartbeat."""
    devices: dict[str, DeviceState]
    catalogue_version: int | None
    outbox_depth: int | None
    app_version: str | None
    uptime_s: float | None


class TerminalList(_Reply):
    """GET /v1/admin/terminals."""

    offline_after_s: float
    """A terminal without a heartbeat for longer than this is shown offline."""
    terminals: list[TerminalInfo]


class RatingList(_Reply):
    """GET /v1/admin/ratings (JSON form; ?format=csv gives the same rows as CSV)."""

    count: int
    ratings: list[RatingRecord]


class ErrorBody(_Reply):
    """Every error answer: a stable machine code and a human message."""

    error: str
    message: str


# --- face verification 人证比对 (v1, additive) ---------------------------------------------

FACE_PATH = "/v1/identity/face"
MAX_FACE_JPEG_B64 = 48_000
"""The face crop the terminal sends (≈ 320 px JPEG) fits well inside the 64 KiB body limit."""
FACE_MATCH_THRESHOLD = 0.6
"""Euclidean distance of the 128-D dlib face descriptors at or below which two faces match."""


class Liveness(_Body):
    """What the terminal saw of the action challenge before it sent the frame."""

    challenge: Literal["blink", "turn_left", "turn_right"]
    passed: bool
    frames: int = Field(ge=0, le=100_000)
    """Frames the challenge judge looked at."""


class FaceVerification(_Body):
    """POST /v1/identity/face: the best frame of the live capture, for 人证比对 against the
    authority's photo of this ID number. Never stored by the terminal; central keeps no copy."""

    id_number: str = Field(min_length=18, max_length=18)
    name: str = Field(default="", max_length=50)
    image_jpeg_b64: str = Field(min_length=100, max_length=MAX_FACE_JPEG_B64)
    liveness: Liveness

    _id = field_validator("id_number")(Identity._id.__func__)  # type: ignore[attr-defined]

    @field_validator("image_jpeg_b64")
    @classmethod
    def _b64(cls, v: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9+/]+={0,2}", v) or len(v) % 4:
            raise ValueError("must be standard base64")
        if not v.startswith("/9j/"):  # FF D8 FF: a JPEG starts with the SOI marker
            raise ValueError("must be a JPEG image")
        return v


class FaceVerdict(_Reply):
    """200 answer: whether the live face is the card holder's. No personal data in it."""

    match: bool
    score: float = Field(ge=0, le=1)
    """Similarity 0–1 (1 − distance / 1.2, clipped); match means distance ≤ FACE_MATCH_THRESHOLD."""
    verify_id: str
    """Reference of this check (put on the submission as evidence; no image is kept)."""


# --- English query results (v1, additive) --------------------------------------------------
# A foreigner at the terminal reads central's answer in English. QueryResult carries, beside
# its Chinese `title` / `columns` / cells:
#   title_en        the title in English ("" = none: the terminal falls back to the item's name);
#   column_labels   one QueryColumn {label, label_en} per column, in order (a list of another
#                   length is ignored by the terminal);
#   terms_en        cell text → English for the cells of this answer (record kinds, offences …).
# Fixed status terms (QUERY_STATUS_TERMS) are part of the contract: central uses these exact
# Chinese words for states, so a terminal translates them even when an answer has no terms_en.
# An older central sends none of this (defaults), a newer terminal then shows the Chinese cells
# it has no English for, and an older terminal ignores the fields (extra="ignore").


class QueryColumn(_Reply):
    """One column of a query answer: its Chinese label (as in `columns`) and English label."""

    label: str = Field(max_length=MAX_VALUE_LEN)
    label_en: str = Field(default="", max_length=MAX_VALUE_LEN)


QUERY_STATUS_TERMS: dict[str, str] = {
    "正常": "Normal",
    "已缴": "Paid",
    "欠缴": "Owed",
    "正常缴费": "Paying normally",
    "存在欠缴": "In arrears",
    "已完成": "Done",
    "办理中": "In progress",
    "名下有不动产登记": "Real estate registered",
    "名下无不动产登记": "No real estate registered",
    "有未处理交通违法": "Unprocessed violations",
    "无未处理交通违法": "No unprocessed violations",
}
"""The fixed status words central uses in cells and in `values["status"]`, with their English."""


def query_english(result: QueryResult) -> tuple[str, list[str], dict[str, str]]:
    """(title_en, English column labels, cell terms) of an answer; missing parts empty."""
    labels = [c.label_en for c in result.column_labels]
    if len(labels) != len(result.columns) or not all(labels):
        labels = []
    return result.title_en, labels, {**QUERY_STATUS_TERMS, **result.terms_en}


QueryResult.model_rebuild()


# --- documents and verification (v1, additive) ---------------------------------------------
# A `print` item's answer carries the document central issued for it (DocumentQueryResult:
# QueryResult + `document`); the terminal renders the PDF with that 核验码, registers the PDF's
# SHA-256 (PUT /v1/documents/{code}/digest) and only then prints. Anyone checks a code with
# GET /v1/verify/{code} (JSON, public) or GET /verify/{code} (HTML, what the QR opens).

VERIFY_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford base32 (no I, L, O, U): 20 characters = 100 random bits (≥ 80 required)."""
VERIFY_CODE_RE = re.compile(r"[0-9A-HJKMNP-TV-Z]{5}(?:-[0-9A-HJKMNP-TV-Z]{5}){3}")
SHA256_RE = re.compile(r"[0-9a-f]{64}")
_CROCKFORD_FIX = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_verify_code() -> str:
    """A fresh unguessable 核验码: 20 Crockford base32 characters in groups of 5 (100 bits)."""
    import secrets

    raw = "".join(secrets.choice(VERIFY_ALPHABET) for _ in range(20))
    return "-".join(raw[i : i + 5] for i in range(0, 20, 5))


def normalize_verify_code(text: str) -> str | None:
    """A typed or scanned code in canonical form (case, spaces, O/I/L forgiven); None if not one."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    raw = "".join(ch for ch in text.upper() if ch not in " -\t").translate(_CROCKFORD_FIX)
    if len(raw) != 20 or any(ch not in VERIFY_ALPHABET for ch in raw):
        return None
    return "-".join(raw[i : i + 5] for i in range(0, 20, 5))


class IssuedDocument(_Reply):
    """The document central issued for a print answer: its 核验码 and where it is checked."""

    code: str
    verify_url: str
    """The page the document's QR opens (GET /verify/{code})."""
    title: str
    issuer: str
    issued_at: datetime
    expires_at: datetime


class DocumentQueryResult(QueryResult):
    """200 answer of a `print` item: the query result plus the issued document."""

    document: IssuedDocument | None = None


class DocumentDigest(_Body):
    """PUT /v1/documents/{code}/digest: the SHA-256 of the rendered PDF (before it is printed)."""

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    pages: int = Field(ge=1, le=500)


class DocumentRegistered(_Reply):
    """The digest is recorded; the code now verifies."""

    code: str
    sha256: str
    registered_at: datetime


class VerifyStatus(str, Enum):
    """What a verification says."""

    VALID = "valid"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


class VerifyResult(_Reply):
    """GET /v1/verify/{code}: what central issued under a code (personal data masked)."""

    code: str
    status: VerifyStatus
    message: str
    """Plain Chinese sentence for whoever checks."""
    item_code: str | None = None
    title: str | None = None
    issuer: str | None = None
    issued_at: datetime | None = None
    expires_at: datetime | None = None
    summary: list[str] = []
    """The document's key lines, holder name and ID number masked (王*明, 610902********0010)."""
    sha256: str | None = None
    pages: int | None = None


# --- payments (v1, additive) ---------------------------------------------------------------
# A `pay` item's order: central computes the amount, the terminal only shows it. Money is
# integer fen (分) everywhere, never float. See docs/central-api.md "Payments".

MAX_FEN = 10**10
"""Highest amount of one order, fen (¥100,000,000.00): beyond any hall fee."""
PAYMENT_CODE_RE = re.compile(r"(1[0-5]|2[5-9]|30|62)[0-9]{14,17}")
"""A 付款码 (WeChat 10–15, Alipay 25–30, UnionPay 62 prefixes; 16–19 digits). Credential data:
never logged (≥ 17 digits are scrubbed anyway), never stored."""
Fen = Annotated[int, Field(ge=0, le=MAX_FEN, strict=True)]


class PaymentState(str, Enum):
    """Where an order stands (unpaid → paid | closed; paid after close → refunded)."""

    UNPAID = "unpaid"
    PAID = "paid"
    CLOSED = "closed"
    REFUNDED = "refunded"


class PaymentChannel(str, Enum):
    """How an order was paid: the citizen scanned the terminal's QR, or showed a 付款码."""

    QR = "qr"
    PAYMENT_CODE = "payment_code"


class PaymentRequest(_Body):
    """POST /v1/payments (Idempotency-Key): an order for a `pay` item; central prices it."""

    item_code: ItemCode
    region_code: RegionCode
    applicant: Identity
    """Who stands at the terminal (the session identity)."""
    fields: dict[str, FieldValue] = {}
    """Form values (e.g. insured_id, year, group): what central prices the order from."""

    @field_validator("fields")
    @classmethod
    def _fields(cls, v: dict[str, object]) -> dict[str, object]:
        return _check_fields(v)


class PaymentLine(_Reply):
    """One line of an order's breakdown."""

    label_zh: str
    label_en: str
    amount_fen: Fen


class PaymentOrder(_Reply):
    """201 answer to POST /v1/payments: what to show and the QR to pay it."""

    order_no: CaseNo
    """Order number = the service's case number (rated and looked up with it)."""
    amount_fen: Fen
    items: list[PaymentLine]
    payee_zh: str
    """收款单位, as printed on the receipt."""
    qr_payload: str = Field(max_length=500)
    """What the terminal shows as a QR code (the platform's pay URL)."""
    expires_at: datetime
    status: PaymentState

    @model_validator(mode="after")
    def _sum(self) -> PaymentOrder:
        if sum(i.amount_fen for i in self.items) != self.amount_fen:
            raise ValueError("amount_fen is not the sum of the items")
        return self


class PaymentFailure(_Reply):
    """Why the last attempt to pay was refused (the order stays payable)."""

    code: str
    message: str = ""


class PaymentStatus(_Reply):
    """GET /v1/payments/{order_no} (also the answer to pay-code and cancel)."""

    order_no: CaseNo
    status: PaymentState
    amount_fen: Fen
    expires_at: datetime
    paid_at: datetime | None = None
    channel: PaymentChannel | None = None
    payer_app: str | None = None
    """wechat, alipay, unionpay (the app the citizen paid with) when known."""
    einvoice_no: str | None = None
    """财政电子票据号 issued when paid."""
    einvoice_url: str | None = None
    """Public URL anyone can open to check the e-invoice (printed as the receipt's QR)."""
    case_no: CaseNo | None = None
    refunded_at: datetime | None = None
    closed_reason: Literal["cancelled", "expired"] | None = None
    failure: PaymentFailure | None = None


class PayCode(_Body):
    """POST /v1/payments/{order_no}/pay-code: the 付款码 the terminal's scanner read."""

    code: str = Field(min_length=16, max_length=19)

    @field_validator("code")
    @classmethod
    def _code(cls, v: str) -> str:
        if not PAYMENT_CODE_RE.fullmatch(v):
            raise ValueError(
                "not a payment code (16–19 digits with a WeChat, Alipay or UnionPay prefix)"
            )
        return v


class EinvoiceCheck(_Reply):
    """GET /v1/einvoices/{einvoice_no}?check=…: public check of a printed e-invoice."""

    einvoice_no: str
    payee_zh: str
    amount_fen: Fen
    paid_at: datetime
    status: Literal["valid", "refunded"]
    item_code: ItemCode


PaymentEvent = Literal["paid_notice", "cancel", "expire"]


class PaymentConflict(ValueError):
    """An event that the order's state refuses (cancel of a paid order: `already_paid`)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def next_payment_state(state: PaymentState, event: PaymentEvent) -> PaymentState:
    """The order state machine both sides follow (pure; duplicates are no-ops).

    unpaid --paid_notice--> paid; unpaid --cancel|expire--> closed;
    closed --paid_notice--> refunded (money that arrives after the close goes back);
    paid --cancel--> PaymentConflict("already_paid"); everything else stays where it is.
    """
    if state is PaymentState.UNPAID:
        return PaymentState.PAID if event == "paid_notice" else PaymentState.CLOSED
    if state is PaymentState.PAID:
        if event == "cancel":
            raise PaymentConflict("already_paid")
        return state
    if state is PaymentState.CLOSED and event == "paid_notice":
        return PaymentState.REFUNDED
    return state


# --- case references typed back (v1, additive) ----------------------------------------------
# A citizen may type back either number a receipt shows: central's case number (CASE_NO_RE) or
# the provisional number a terminal printed while offline (kiosk.outbox: TERMINAL-YYYYMMDD-NNNN,
# TERMINAL being any configured terminal id). GET /v1/cases/{ref} answers both: a provisional
# number is looked up by the submission's `local_ref`, once that terminal has delivered it.

TERMINAL_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{2,31}")
"""A terminal id (kiosk.config checks `terminal_id` with it)."""
PROVISIONAL_NO_RE = re.compile(TERMINAL_ID_RE.pattern + r"-[0-9]{8}-[0-9]{4,6}")
"""A terminal's provisional number, e.g. DEMO-0001-20261201-0002."""
CASE_REF_MAX_LEN = 32 + 1 + 8 + 1 + 6
"""Longest case reference: a 32-character terminal id, the day and a 6-digit sequence."""


def is_case_ref(text: str) -> bool:
    """Whether `text` is a case number or a provisional number (letters in any case)."""
    return bool(CASE_NO_RE.fullmatch(text) or PROVISIONAL_NO_RE.fullmatch(text))


def case_ref_alphabet() -> str:
    """Every character a case or provisional number can hold, as typed (letters upper-case):
    read from the character classes and literals of the two patterns above, so a keypad built
    from it can type any number either kind of receipt shows."""
    chars: set[str] = set()
    for pattern in (CASE_NO_RE.pattern, PROVISIONAL_NO_RE.pattern):
        classes = re.findall(r"\[[^\]]+\]", pattern)
        literals = re.sub(r"\[[^\]]+\]|\{[^}]*\}", "", pattern)
        chars |= {
            c for c in map(chr, range(0x21, 0x7F)) if any(re.fullmatch(k, c) for k in classes)
        }
        chars |= set(literals)
    return "".join(
        sorted({c.upper() for c in chars}, key=lambda c: (not c.isdigit(), not c.isalpha(), c))
    )


# --- 好差评 dictionary, rating record, follow-up, statistics (issue 19) ------------------------
# GET /v1/rating-dictionary serves the evaluation dictionary (levels, indicators, reasons by
# level), versioned; a rating names the version it was given under. Levels stay names here;
# numeric codes exist only at the province edge (central.province.mapping).

PHONE_RE = re.compile(r"1[3-9][0-9]{9}")
"""A mainland mobile number (the 回访 phone)."""
RATING_DICTIONARY_PATH = "/v1/rating-dictionary"


def mask_phone(phone: str) -> str:
    """138****5678: what staff screens and logs may show of a callback phone."""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else "****"


class RatingRater(_Body):
    """Who gave a 实名 rating (personal data: encrypted at rest, forwarded, never logged)."""

    name: str = Field(min_length=1, max_length=64)
    id_number: str = Field(min_length=6, max_length=32)
    user_type: Literal[1, 2] = 1
    """1 natural person, 2 legal person (provincial 用户类型)."""


class RatingCallback(_Body):
    """The citizen's phone for the 差评 回访, with their consent (personal data)."""

    phone: str = Field(pattern=PHONE_RE.pattern)
    consent: Literal[True]
    """The citizen ticked 同意回访; without it no number is taken."""


Rating.model_rebuild()


class DictionaryText(_Reply):
    """A code with its Chinese and English names."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    zh: str = Field(min_length=1, max_length=40)
    en: str = Field(min_length=1, max_length=80)


class DictionaryLevel(_Reply):
    """One of the five levels as the screen shows it."""

    level: RatingLevel
    zh: str = Field(min_length=1, max_length=20)
    en: str = Field(min_length=1, max_length=40)


class RatingDictionary(_Reply):
    """The evaluation dictionary (评价字典), versioned."""

    version: int = Field(ge=1)
    name: str = ""
    levels: list[DictionaryLevel] = Field(min_length=5, max_length=5)
    indicators: list[DictionaryText] = Field(min_length=1, max_length=8)
    reasons_by_level: dict[RatingLevel, list[DictionaryText]]
    """Reasons offered per level; for a 差评 at least one is required."""

    @model_validator(mode="after")
    def _complete(self) -> RatingDictionary:
        if [lv.level for lv in self.levels] != list(RatingLevel):
            raise ValueError("levels must list the five levels, 非常满意 first")
        for level in RatingLevel:
            if level.is_negative and not self.reasons_by_level.get(level):
                raise ValueError(f"{level.value} (差评) needs reasons to choose from")
            codes = [r.code for r in self.reasons_by_level.get(level, [])]
            if len(set(codes)) != len(codes):
                raise ValueError(f"reasons of {level.value} repeat a code")
        codes = [i.code for i in self.indicators]
        if len(set(codes)) != len(codes):
            raise ValueError("indicator codes repeat")
        return self

    def reason_codes(self, level: RatingLevel) -> set[str]:
        """Codes a rating of `level` may carry."""
        return {r.code for r in self.reasons_by_level.get(level, [])}


class FollowUpState(str, Enum):
    """差评 follow-up (整改) states."""

    TO_VERIFY = "待核实"
    TO_CALL_BACK = "待回访"
    RECTIFYING = "整改中"
    CLOSED = "已办结"
    APPEALED = "申诉"
    APPEAL_UPHELD = "申诉通过"


class FollowUpAction(_Body):
    """POST /v1/admin/followups/{id}/steps: move a 差评 case on."""

    to: FollowUpState
    note: str = Field(min_length=1, max_length=1000)
    """What was done (核实情况, 回访结果, 整改措施 …)."""
    rectification: Literal["immediate", "deadline", "explained"] | None = None
    """How it was settled when closing: 立行立改, 限期整改 or 解释说明."""


class FollowUpStep(_Reply):
    """One step of a follow-up: who, when, what."""

    from_state: FollowUpState | None
    to_state: FollowUpState
    by: str
    at: datetime
    note: str


class FollowUp(_Reply):
    """A 差评 under follow-up (staff view: the callback phone masked)."""

    followup_id: int
    rating_id: int
    case_no: str
    item_code: str
    level: RatingLevel
    reasons: list[str]
    state: FollowUpState
    opened_at: datetime
    due_date: str
    """Last working day (YYYY-MM-DD, Beijing) by which it must be 已办结."""
    working_days: int
    overdue: bool
    closed_at: datetime | None = None
    on_time: bool | None = None
    callback_phone: str | None = None
    """Masked (138****5678); the full number: GET /v1/admin/followups/{id}/callback-phone."""
    steps: list[FollowUpStep] = []


class FollowUpList(_Reply):
    """GET /v1/admin/followups."""

    count: int
    followups: list[FollowUp]


class StatsRow(_Reply):
    """Figures for one group (an item, department, hall, terminal) or the total."""

    key: str
    name: str = ""
    ratings: int
    satisfied: int
    """非常满意 + 满意 + 基本满意."""
    satisfaction_rate: float | None
    """satisfied / ratings (appeal-upheld 差评 excluded from both); None without ratings."""
    bad: int
    rectified: int
    rectification_rate: float | None
    on_time: int
    on_time_rate: float | None
    by_level: dict[str, int]


class Stats(_Reply):
    """GET /v1/admin/stats."""

    period_from: str
    period_to: str
    region: str | None
    group_by: str
    excluded_by_appeal: int
    total: StatsRow
    rows: list[StatsRow]


class Reconciliation(_Reply):
    """POST /v1/admin/province/reconcile: one day compared with the province."""

    day: str
    ours: int
    theirs: int
    resent: int


class ProvinceDeadRow(_Reply):
    """A queue row the province refused (needs attention, then requeue)."""

    id: int
    kind: str
    attempts: int
    error: str


class ProvinceQueueStatus(_Reply):
    """GET /v1/admin/province/queue."""

    counts: dict[str, int]
    dead: list[ProvinceDeadRow]


# --- app-code identity: 电子社保卡 / 医保电子凭证 / city-app codes (issue 24) ------------------
# The terminal sends the scanned payload as it is; central asks the issuing platform (the
# sandbox: checks its own signed demo codes) and answers who the holder is. The terminal never
# reads claims out of a QR itself. Error codes: code_invalid (forged or unknown, 422),
# code_expired (410), code_used (409, codes are one use), code_revoked (410),
# issuer_unavailable (503: no platform for this kind of code configured).

CODE_PATH = "/v1/identity/code"
CODE_KINDS = ("e_sscard", "medical", "gov_app")
"""电子社保卡, 医保电子凭证, the province's / city's government app (秦务员, i安康)."""
CodeKind = Literal["e_sscard", "medical", "gov_app"]
CODE_ERRORS = ("code_invalid", "code_expired", "code_used", "code_revoked", "issuer_unavailable")


class CodeIdentification(_Body):
    """POST /v1/identity/code: the scanned payload, unparsed, and what the terminal thinks it is."""

    code: str = Field(min_length=8, max_length=2048)
    kind: CodeKind | None = None


class CodeHolder(_Reply):
    """Who the code belongs to, as its issuing platform says.

    `id_number` is the full number because the items act on it (as a card read gives it); the
    terminal keeps it in memory for the session only and shows `id_number_masked`."""

    name: str = Field(max_length=50)
    id_number: str = Field(min_length=18, max_length=18)
    id_number_masked: str = Field(max_length=18)
    card_type: Literal["mainland", "hmt", "foreigner"] = "mainland"
    region_code: str = Field(default="", max_length=6)


class CodeIdentity(_Reply):
    """The answer: the holder, the platform's assurance level and where it came from."""

    holder: CodeHolder
    assurance: Literal["low", "substantial", "high"]
    kind: CodeKind
    issuer: str = Field(max_length=60)
    """The platform that vouched, e.g. 国家社会保险公共服务平台 (电子社保卡)."""
    identity_id: str = Field(max_length=40)
    """Central's reference of this identification (logs, audits)."""


# --- 一件事一次办 bundles (issue 23) -------------------------------------------------------
# POST /v1/submissions with `bundle_code` (additive: a body without it is a Submission as
# before): several items of one life event as ONE request, with one identification. Central
# answers each item: one case per accepted item plus a bundle number; a rejected item says why
# and what to do next while the others stand (nothing accepted is lost).

BundleCode = Annotated[str, Field(pattern=r"^YJS-[0-9A-Z][0-9A-Z-]{1,30}$")]
MAX_BUNDLE_ITEMS = 8


class BundleItem(_Body):
    """One item of a bundle request: its code and its form values (shared ones included)."""

    item_code: ItemCode
    fields: dict[str, FieldValue] = {}

    @field_validator("fields")
    @classmethod
    def _fields(cls, v: dict[str, object]) -> dict[str, object]:
        return _check_fields(v)


class BundleSubmission(_Body):
    """POST /v1/submissions with `bundle_code`: the items of a 一件事 in one request."""

    bundle_code: BundleCode
    """The catalogue's bundle (e.g. YJS-XSE 新生儿出生一件事)."""
    region_code: RegionCode
    applicant: Identity
    """The one identification that covers every item (a bundle is never anonymous)."""
    items: list[BundleItem] = Field(min_length=1, max_length=MAX_BUNDLE_ITEMS)
    local_ref: str | None = Field(default=None, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    """The terminal's provisional number of the bundle (printed on the offline receipt)."""
    created_at: datetime | None = None

    @field_validator("items")
    @classmethod
    def _distinct(cls, v: list[BundleItem]) -> list[BundleItem]:
        codes = [i.item_code for i in v]
        if len(set(codes)) != len(codes):
            raise ValueError("an item appears twice in the bundle")
        return v


class BundleItemResult(_Reply):
    """Central's answer for one item of a bundle."""

    item_code: ItemCode
    accepted: bool
    case_no: CaseNo | None = None
    """The item's own case number (accepted items only)."""
    status: CaseState | None = None
    error: str = ""
    """Why it was not accepted (machine-readable, e.g. birth_certificate_unverified)."""
    message: str = ""
    """Why, in plain Chinese for the citizen."""
    next_step: str = ""
    """What to do instead (which window, what to bring), in plain Chinese."""


class BundleAccepted(_Reply):
    """201 answer to a bundle request: the bundle number and one result per item (in order).

    `case_no`, `status` and `received_at` are those of SubmissionAccepted (the first accepted
    item's case), so a reader of the v1 answer still finds a case number."""

    bundle_no: CaseNo
    case_no: CaseNo
    status: CaseState
    received_at: datetime
    items: list[BundleItemResult]

    @property
    def rejected(self) -> list[BundleItemResult]:
        """The items central did not accept."""
        return [i for i in self.items if not i.accepted]

"""Central's own logic shared by the routers: active catalogue, idempotency, case numbers, forms."""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel

from central import catalogue as cat
from central.backends import Backends
from central.errors import ApiError
from central.settings import Settings
from central.storage import Storage
from central.wire import CN_TZ, JSON
from kiosk import central_api as api

log = logging.getLogger(__name__)

MASKED_NOTE = "详细进度请在受理该件的终端或窗口查询"
"""The note of the one event another terminal sees of a case (see Service.case_view)."""


def check_group(key: bytes, base: str) -> str:
    """The 4-digit keyed check group of a case number's REGION-YYYYMMDD-SEQ part."""
    mac = hmac.new(key, base.encode("ascii"), hashlib.sha256).digest()
    return f"{int.from_bytes(mac[:8], 'big') % 10_000:04d}"


class Service:
    """State shared by the endpoints: storage, clock, settings, back ends, active catalogue."""

    def __init__(
        self, store: Storage, clock: Callable[[], float], settings: Settings, backends: Backends
    ) -> None:
        self.store = store
        self.clock = clock
        self.settings = settings
        self.backends = backends
        self.offline_after_s = settings.offline_after_s
        self._lock = threading.Lock()
        self._active: cat.ActiveCatalogue | None = None
        self._active_version: int | None = -1
        self.rollout: Any = None
        """central.rollout.serving.Rollout once the console is installed (pilot versions)."""
        # the check key lives in the database (the subject salt), so every worker agrees on it
        self._check_key = hashlib.sha256(
            b"case-check:" + store.subject_hash("case-number-check").encode()
        ).digest()

    # --- catalogue -----------------------------------------------------------------------

    def active(self) -> cat.ActiveCatalogue:
        """The published catalogue (parsed once per version) or the built-in items and tags."""
        version = self.store.published_version()
        with self._lock:
            if self._active is None or self._active_version != version:
                pub = self.store.published() if version is not None else None
                self._active = cat.from_bundle_bytes(pub.bundle) if pub else cat.builtin()
                self._active_version = pub.version if pub else None
            return self._active

    def item(self, code: str, kinds: frozenset[str], hint: str) -> cat.ItemInfo:
        """The enabled catalogue item `code` of one of `kinds` (404 unknown_item, 422 wrong_item_kind)."""
        item = self.active().items.get(code)
        if item is None and self.rollout is not None:
            item = self.rollout.pilot_item(code)
        if item is None or not item.enabled:
            raise ApiError(404, "unknown_item", "no such item in the active catalogue")
        if item.kind not in kinds:
            raise ApiError(422, "wrong_item_kind", f"the item is a {item.kind} item: {hint}")
        return item

    @staticmethod
    def check_form(
        item: cat.ItemInfo,
        values: Mapping[str, Any],
        *,
        today: date,
        required: tuple[str, ...] | None = None,
        skip: frozenset[str] = frozenset(),
    ) -> None:
        """Validate form values against the item's catalogue fields (values never echoed):
        missing required fields and values the field's type refuses → 422 invalid_fields. Names
        the item does not define are not checked (only names are stored, never such values).
        `required` overrides which fields are required (an anonymous design); `skip`: fields
        that travel elsewhere (a query's id_number is its identity)."""
        if item.fields is None:
            return
        from kiosk.catalogue.validators import FieldValueError, validate_field_value

        bad: list[str] = []
        for f in item.fields:
            if f.name in skip:
                continue
            must = f.required if required is None else f.name in required
            value = values.get(f.name)
            if value is None or value == "":
                if must and f.default is None:  # a choice's default is what the form shows
                    bad.append(f"{f.name}: required")
                continue
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                bad.append(f"{f.name}: wrong type")
                continue
            try:
                validate_field_value(f, value, today=today)
            except FieldValueError:
                bad.append(f"{f.name}: {f.type} value refused")
            except (ValueError, TypeError, ArithmeticError):
                bad.append(f"{f.name}: {f.type} value refused")
        if bad:
            raise ApiError(422, "invalid_fields", "; ".join(bad[:10]))

    # --- idempotency ---------------------------------------------------------------------

    def idempotent(
        self,
        request: Request,
        terminal_id: str,
        body: bytes,
        endpoint: str,
        work: Callable[[Any, float], tuple[int, BaseModel]],
    ) -> Response:
        """Run a creating call once per Idempotency-Key; replay its first answer afterwards."""
        key = request.headers.get(api.HEADER_IDEMPOTENCY_KEY, "").strip().lower()
        if not key:
            raise ApiError(
                400,
                "idempotency_key_required",
                f"creating calls need an {api.HEADER_IDEMPOTENCY_KEY} header (UUID)",
            )
        if not api.IDEMPOTENCY_KEY_RE.fullmatch(key):
            raise ApiError(
                400, "bad_idempotency_key", f"{api.HEADER_IDEMPOTENCY_KEY} must be a UUID"
            )
        digest = api.body_digest(body)
        now = self.clock()
        with self.store.transaction() as db:
            prev = self.store.idempotent_answer(db, terminal_id, key)
            if prev is not None:
                if prev.endpoint == endpoint and prev.body_hash == digest:
                    return Response(
                        prev.response,
                        prev.status,
                        media_type=JSON,
                        headers={"Idempotent-Replayed": "true"},
                    )
                raise ApiError(
                    409,
                    "idempotency_conflict",
                    "this Idempotency-Key was already used with another request",
                )
            status, model = work(db, now)
            payload = model.model_dump_json().encode()
            self.store.store_answer(db, terminal_id, key, endpoint, digest, status, payload, now)
        return Response(payload, status, media_type=JSON)

    # --- cases ---------------------------------------------------------------------------

    def case_number(self, base: str) -> str:
        """REGION-YYYYMMDD-SEQ plus its check group (when the setting is on)."""
        return f"{base}-{check_group(self._check_key, base)}" if self.settings.case_check else base

    def new_case(
        self,
        db: Any,
        now: float,
        kind: str,
        item_code: str,
        region_code: str,
        terminal_id: str,
        id_number: str,
        field_names: list[str],
        local_ref: str | None,
    ) -> str:
        """Allocate REGION-YYYYMMDD-SEQ-CHECK and create the case."""
        day = datetime.fromtimestamp(now, CN_TZ).strftime("%Y%m%d")
        seq = self.store.next_sequence(db, region_code, day)
        if seq > 999_999:
            raise ApiError(503, "case_numbers_exhausted", "no case numbers left for today")
        case_no = self.case_number(f"{region_code}-{day}-{seq:06d}")
        events = [(api.CaseState.RECEIVED.value, now, "已接收")]
        if kind == "query":
            events.append((api.CaseState.COMPLETED.value, now, "已办结"))
        self.store.insert_case(
            db,
            case_no,
            kind,
            item_code,
            region_code,
            terminal_id,
            self.store.subject_hash(id_number) if id_number else "anonymous",
            field_names,
            local_ref,
            now,
            events,
        )
        return case_no

    def find_case(self, ref: str) -> dict[str, Any] | None:
        """A case by its number or by the provisional number it was submitted under."""
        if api.CASE_NO_RE.fullmatch(ref):
            if self.settings.case_check and api.CHECKED_CASE_NO_RE.fullmatch(ref):
                base, _, check = ref.rpartition("-")
                if not hmac.compare_digest(check, check_group(self._check_key, base)):
                    return None  # a mistyped or guessed number: no database read at all
            return self.store.case(ref)
        if api.PROVISIONAL_NO_RE.fullmatch(ref):
            return self.store.case_by_local_ref(ref)
        return None

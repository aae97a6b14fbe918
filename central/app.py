"""The reference central service: FastAPI app implementing the v1 contract (kiosk.central_api)."""
from __future__ import annotations

import csv
import io
import json
import logging
import threading
import time
import traceback
from collections.abc import Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Literal, TypeVar

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import models_json_schema
from starlette.exceptions import HTTPException as StarletteHTTPException

from central import catalogue as cat
from central import queries
from central.auth import authenticate_staff, authenticate_terminal
from central.errors import ApiError, BundleRejected, NotNewer
from central.routers import verify
from central.storage import Storage
from drivers.privacy import scrub_text
from kiosk import central_api as api

log = logging.getLogger(__name__)
access_log = logging.getLogger("central.access")

CN_TZ = timezone(timedelta(hours=8))
JSON = "application/json"
M = TypeVar("M", bound=BaseModel)

# Simulated progress of an `apply` case: (seconds after receipt, state, note).
PROGRESS = (
    (600, api.CaseState.ACCEPTED, "已受理"),
    (3600, api.CaseState.IN_PROGRESS, "审核中"),
    (86400, api.CaseState.COMPLETED, "已办结"),
)
APPLY_KINDS = frozenset({"apply", "appointment"})
QUERY_KINDS = frozenset({"query", "print", "progress"})

_STATUS_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                 405: "method_not_allowed", 406: "not_acceptable", 409: "conflict",
                 413: "body_too_large", 415: "unsupported_media_type", 422: "validation_failed",
                 500: "internal_error"}


def _ts(t: float) -> datetime:
    return datetime.fromtimestamp(t, tz=timezone.utc)


def _json(model: BaseModel, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(model.model_dump_json(), status, headers=headers, media_type=JSON)


def error_response(status: int, code: str, message: str,
                   headers: dict[str, str] | None = None) -> Response:
    """The JSON ErrorBody answer."""
    return _json(api.ErrorBody(error=code, message=message), status, headers)


def _describe(exc: ValidationError | RequestValidationError) -> tuple[str, str]:
    """(code, message) for a validation failure, never echoing the input values."""
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return "invalid_json", "body is not valid JSON"
    parts = []
    for e in errors[:5]:
        loc = ".".join(str(p) for p in e.get("loc", ()) if p != "body") or "(body)"
        parts.append(f"{loc}: {e.get('msg', 'invalid')}")
    types = {e.get("type") for e in errors}
    code = "tag_required" if types == {"tag_required"} else "validation_failed"
    return code, "; ".join(parts) + (f" (+{len(errors) - 5} more)" if len(errors) > 5 else "")


def _parse(model: type[M], body: bytes) -> M:
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        code, message = _describe(exc)
        raise ApiError(400 if code == "invalid_json" else 422, code, message) from None


def path_with_query(request: Request) -> str:
    """PATH_WITH_QUERY exactly as the client sent it (raw path, raw query string)."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    path = raw.decode("latin-1")
    qs = request.scope.get("query_string", b"").decode("latin-1")
    return f"{path}?{qs}" if qs else path


class _Limits:
    """ASGI middleware: body size limits, JSON 500 without traceback, access log."""

    def __init__(self, app: Callable[..., Awaitable[None]], *, max_body: int,
                 max_catalogue: int) -> None:
        self.app = app
        self.max_body = max_body
        self.max_catalogue = max_catalogue

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        limit = self.max_catalogue if path == "/v1/admin/catalogue" else self.max_body
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        started = time.perf_counter()
        state = {"status": 0, "sent": False}

        async def _send(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                state["sent"] = True
            await send(message)

        seen = 0

        async def _receive() -> dict[str, Any]:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise ApiError(413, "body_too_large", f"request body over {limit} bytes")
            return message

        try:
            length = headers.get("content-length")
            if length is not None and (not (length.isascii() and length.isdigit()) or int(length) > limit):
                await error_response(413, "body_too_large",
                                     f"request body over {limit} bytes")(scope, receive, _send)
            else:
                await self.app(scope, _receive, _send)
        except Exception as exc:  # the one place that turns any bug into a JSON 500
            frames = traceback.extract_tb(exc.__traceback__)
            where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno} in {frames[-1].name}" \
                if frames else "?"
            log.error("unhandled %s at %s on %s %s: %s", type(exc).__name__, where,
                      scope.get("method"), scrub_text(path), scrub_text(str(exc)[:200]))
            if not state["sent"]:
                await error_response(500, "internal_error",
                                     "internal error; the service log has details")(scope, receive, _send)
        finally:
            access_log.info(json.dumps({
                "method": scope.get("method"), "path": scrub_text(path)[:200],
                "status": state["status"], "ms": round((time.perf_counter() - started) * 1000, 2),
                "terminal": scrub_text(headers.get("x-terminal-id", "")[:40]) or None,
            }, ensure_ascii=False))


class _Service:
    """State shared by the endpoints: storage, clock, cached active catalogue."""

    def __init__(self, store: Storage, clock: Callable[[], float], offline_after_s: float) -> None:
        self.store = store
        self.clock = clock
        self.offline_after_s = offline_after_s
        self._lock = threading.Lock()
        self._active: cat.ActiveCatalogue | None = None
        self._active_version: int | None = -1

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
        if item is None or not item.enabled:
            raise ApiError(404, "unknown_item", f"no item {code[:64]} in the catalogue")
        if item.kind not in kinds:
            raise ApiError(422, "wrong_item_kind", f"item {code[:64]} is a {item.kind} item: {hint}")
        return item

    def idempotent(self, request: Request, terminal_id: str, body: bytes, endpoint: str,
                   work: Callable[[Any, float], tuple[int, BaseModel]]) -> Response:
        """Run a creating call once per Idempotency-Key; replay its first answer afterwards."""
        key = request.headers.get(api.HEADER_IDEMPOTENCY_KEY, "").strip().lower()
        if not key:
            raise ApiError(400, "idempotency_key_required",
                           f"creating calls need an {api.HEADER_IDEMPOTENCY_KEY} header (UUID)")
        if not api.IDEMPOTENCY_KEY_RE.fullmatch(key):
            raise ApiError(400, "bad_idempotency_key", f"{api.HEADER_IDEMPOTENCY_KEY} must be a UUID")
        digest = api.body_digest(body)
        now = self.clock()
        with self.store.transaction() as db:
            prev = self.store.idempotent_answer(db, terminal_id, key)
            if prev is not None:
                if prev.endpoint == endpoint and prev.body_hash == digest:
                    return Response(prev.response, prev.status, media_type=JSON,
                                    headers={"Idempotent-Replayed": "true"})
                raise ApiError(409, "idempotency_conflict",
                               "this Idempotency-Key was already used with another request body")
            status, model = work(db, now)
            payload = model.model_dump_json().encode()
            self.store.store_answer(db, terminal_id, key, endpoint, digest, status, payload, now)
        return Response(payload, status, media_type=JSON)

    def new_case(self, db: Any, now: float, kind: str, item_code: str, region_code: str,
                 terminal_id: str, id_number: str, field_names: list[str],
                 local_ref: str | None) -> str:
        """Allocate REGION-YYYYMMDD-SEQ and create the case."""
        day = datetime.fromtimestamp(now, CN_TZ).strftime("%Y%m%d")
        seq = self.store.next_sequence(db, region_code, day)
        if seq > 999_999:
            raise ApiError(503, "case_numbers_exhausted", "no case numbers left for today")
        case_no = f"{region_code}-{day}-{seq:06d}"
        events = [(api.CaseState.RECEIVED.value, now, "已接收")]
        if kind == "query":
            events.append((api.CaseState.COMPLETED.value, now, "已办结"))
        self.store.insert_case(db, case_no, kind, item_code, region_code, terminal_id,
                               self.store.subject_hash(id_number) if id_number else "anonymous",
                               field_names, local_ref, now,
                               events)
        return case_no


def _check_anonymous(item: Any, sub: api.Submission) -> None:
    """An anonymous submission: allowed by the item's design, with the fields it requires."""
    if item.anonymous_required is None:
        raise ApiError(422, "anonymous_not_allowed", f"item {sub.item_code} needs an applicant")
    missing = [n for n in item.anonymous_required if sub.fields.get(n) in (None, "")]
    if missing:
        raise ApiError(422, "anonymous_fields_missing",
                       "an anonymous submission needs: " + ", ".join(missing[:10]))


def _body_doc(model: type[BaseModel], registry: dict[str, type[BaseModel]],
              idempotent: bool = False, terminal: bool = True) -> dict[str, Any]:
    registry[model.__name__] = model
    extra: dict[str, Any] = {"requestBody": {"required": True, "content": {
        JSON: {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}}}
    params = _auth_params() if terminal else []
    if idempotent:
        params.append({"name": api.HEADER_IDEMPOTENCY_KEY, "in": "header", "required": True,
                       "schema": {"type": "string", "format": "uuid"}})
    if params:
        extra["parameters"] = params
    return extra


def _auth_params() -> list[dict[str, Any]]:
    return [{"name": h, "in": "header", "required": True, "schema": {"type": "string"}}
            for h in (api.HEADER_TERMINAL_ID, api.HEADER_TIMESTAMP, api.HEADER_SIGNATURE)]


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {c: {"model": api.ErrorBody} for c in codes}


def create_app(db_path: str | Path, *, clock: Callable[[], float] = time.time,
               offline_after_s: float = 180.0, max_body_bytes: int = 64 * 1024,
               max_catalogue_bytes: int = 4 * 1024 * 1024,
               idempotency_retention_days: float = 90.0, payment_ttl_s: float = 300.0) -> FastAPI:
    """The service over the SQLite database at db_path (created when missing).

    Idempotency records older than idempotency_retention_days (longer than any terminal keeps
    an undelivered outbox row) are purged at start-up.
    """
    store = Storage(db_path)
    svc = _Service(store, clock, offline_after_s)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):  # type: ignore[no-untyped-def]
        purged = store.purge_idempotency(clock() - idempotency_retention_days * 86400)
        if purged:
            log.info("purged %d idempotency record(s) older than %g days", purged,
                     idempotency_retention_days)
        yield
        store.close()

    app = FastAPI(title="Central service API (reference sandbox)", version=api.API_VERSION,
                  description="Executable form of the terminal ↔ central contract; see "
                              "docs/central-api.md.", lifespan=lifespan, redoc_url=None)
    app.state.service = svc
    app.include_router(verify.router)
    app.add_middleware(_Limits, max_body=max_body_bytes, max_catalogue=max_catalogue_bytes)
    bodies: dict[str, type[BaseModel]] = {}

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> Response:
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> Response:
        code = _STATUS_CODES.get(exc.status_code, f"http_{exc.status_code}")
        message = exc.detail if isinstance(exc.detail, str) else code
        return error_response(exc.status_code, code, message, dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> Response:
        code, message = _describe(exc)
        return error_response(400 if code == "invalid_json" else 422, code, message)

    async def read_body(request: Request) -> bytes:
        return await request.body()

    def terminal(request: Request, body: bytes = Depends(read_body)) -> str:
        return authenticate_terminal(store, clock(), request.method, path_with_query(request),
                                     request.headers, body)

    def staff(request: Request) -> str:
        return authenticate_staff(store, request.headers)

    from central.routers import identity as identity_routes

    app.include_router(identity_routes.router(terminal))

    @app.get("/healthz", include_in_schema=True, tags=["ops"])
    def healthz() -> dict[str, str]:
        """Liveness for load balancers (unauthenticated, touches no storage)."""
        return {"status": "ok"}

    # --- terminal endpoints --------------------------------------------------------------

    @app.post("/v1/submissions", status_code=201, response_model=api.SubmissionAccepted,
              responses=_errors(400, 401, 404, 409, 413, 422),
              openapi_extra=_body_doc(api.Submission, bodies, idempotent=True))
    def submit(request: Request, body: bytes = Depends(read_body),
               terminal_id: str = Depends(terminal)) -> Response:
        """Submit an application (办件); 201 with the case number."""
        sub = _parse(api.Submission, body)

        def work(db: Any, now: float) -> tuple[int, BaseModel]:
            item = svc.item(sub.item_code, APPLY_KINDS, "use /v1/queries")
            if sub.anonymous:
                _check_anonymous(item, sub)
            case_no = svc.new_case(db, now, "apply", sub.item_code, sub.region_code, terminal_id,
                                   sub.applicant.id_number if sub.applicant else "",
                                   sorted(sub.fields), sub.local_ref)
            return 201, api.SubmissionAccepted(case_no=case_no, status=api.CaseState.RECEIVED,
                                               received_at=_ts(now))

        return svc.idempotent(request, terminal_id, body, "POST /v1/submissions", work)

    @app.get("/v1/cases/{case_no}", response_model=api.CaseStatus,
             responses=_errors(401, 404), openapi_extra={"parameters": _auth_params()})
    def case_status(case_no: str, terminal_id: str = Depends(terminal)) -> Response:
        """Progress of a case with its history."""
        case = store.case(case_no) if api.CASE_NO_RE.fullmatch(case_no) else \
            store.case_by_local_ref(case_no) if api.PROVISIONAL_NO_RE.fullmatch(case_no) else None
        if case is None:
            raise ApiError(404, "unknown_case", f"no case {case_no[:40]}")
        case_no = case["case_no"]  # a provisional number is answered with the real one
        now = clock()
        if case["kind"] == "apply":
            due = [(s.value, case["received_at"] + dt, note) for dt, s, note in PROGRESS
                   if case["received_at"] + dt <= now]
            if due:
                store.add_case_events(case_no, due)
        history = [api.CaseEvent(status=api.CaseState(s), at=_ts(at), note=note)
                   for s, at, note in store.case_events(case_no)]
        return _json(api.CaseStatus(case_no=case_no, item_code=case["item_code"],
                                    kind=case["kind"], status=history[-1].status, history=history))

    @app.post("/v1/queries/{item_code}", response_model=api.QueryResult,
              responses=_errors(400, 401, 403, 404, 409, 413, 422),
              openapi_extra=_body_doc(api.QueryRequest, bodies))
    def query(item_code: str, request: Request, body: bytes = Depends(read_body),
              terminal_id: str = Depends(terminal)) -> Response:
        """A live query / document for the session identity; creates a service record."""
        req = _parse(api.QueryRequest, body)
        item = svc.item(item_code, QUERY_KINDS, "use /v1/submissions")
        subject = req.subject_id_number or req.identity.id_number
        claimed = req.params.get("id_number")
        if subject != req.identity.id_number or (
                isinstance(claimed, str) and claimed.strip().upper() != req.identity.id_number):
            raise ApiError(403, "identity_mismatch",
                           "a citizen may only query their own records (applicant ≠ session identity)")

        def work(db: Any, now: float) -> tuple[int, BaseModel]:
            case_no = svc.new_case(db, now, "query", item_code, req.region_code, terminal_id,
                                   subject, sorted(req.params), None)
            local = datetime.fromtimestamp(now, CN_TZ)
            ans = queries.answer(item_code, item.name, subject, local.date(), req.params,
                                 item.name_en)
            result = api.QueryResult(
                case_no=case_no, item_code=item_code, title=ans.title, columns=ans.columns,
                rows=ans.rows, values=ans.values, title_en=ans.title_en, terms_en=ans.terms_en,
                column_labels=[api.QueryColumn(label=c, label_en=e)
                               for c, e in zip(ans.columns, ans.columns_en)],
                printable=queries.printable(ans, case_no, subject, req.identity.name,
                                            local.strftime("%Y-%m-%d %H:%M")))
            if item.kind == "print":  # a document: central issues its 核验码 with the answer
                result = verify.attach_document(db, request, result, ans=ans, subject=subject,
                                                name=req.identity.name, terminal_id=terminal_id,
                                                now=now)
            return 200, result

        if request.headers.get(api.HEADER_IDEMPOTENCY_KEY):
            return svc.idempotent(request, terminal_id, body, f"POST /v1/queries/{item_code}", work)
        with store.transaction() as db:
            status, model = work(db, clock())
        return _json(model, status)

    @app.post("/v1/ratings", status_code=201, response_model=api.RatingAccepted,
              responses=_errors(400, 401, 404, 409, 413, 422),
              openapi_extra=_body_doc(api.Rating, bodies, idempotent=True))
    def rate(request: Request, body: bytes = Depends(read_body),
             terminal_id: str = Depends(terminal)) -> Response:
        """好差评: one rating per case; 差评 needs a reason tag."""
        rating = _parse(api.Rating, body)
        active = svc.active()
        unknown = [t for t in rating.tags if t not in active.tag_codes]
        if unknown:
            raise ApiError(422, "unknown_tag", "unknown reason tag(s): " + ", ".join(unknown)[:200])

        def work(db: Any, now: float) -> tuple[int, BaseModel]:
            case = store.case(rating.case_no)
            if case is None:
                raise ApiError(404, "unknown_case", f"no case {rating.case_no}")
            if case["item_code"] != rating.item_code:
                raise ApiError(422, "item_mismatch",
                               f"case {rating.case_no} is for item {case['item_code']}")
            rating_id = store.insert_rating(
                db, rating.case_no, rating.item_code, rating.level.value, rating.tags,
                rating.comment, terminal_id, case["region_code"], api.CHANNEL,
                rating.rated_at.timestamp() if rating.rated_at else None, now)
            if rating_id is None:
                raise ApiError(409, "already_rated", f"case {rating.case_no} is already rated (一次一评)")
            return 201, api.RatingAccepted(rating_id=rating_id, case_no=rating.case_no,
                                           level=rating.level, received_at=_ts(now))

        return svc.idempotent(request, terminal_id, body, "POST /v1/ratings", work)

    @app.post("/v1/heartbeat", response_model=api.HeartbeatReply,
              responses=_errors(400, 401, 413, 422),
              openapi_extra=_body_doc(api.Heartbeat, bodies))
    def heartbeat(body: bytes = Depends(read_body), terminal_id: str = Depends(terminal)) -> Response:
        """Terminal health; the reply carries commands (refresh_catalogue)."""
        hb = _parse(api.Heartbeat, body)
        now = clock()
        store.store_heartbeat(terminal_id, now, {k: v.model_dump(mode="json")
                                                 for k, v in hb.devices.items()},
                              hb.catalogue_version, hb.outbox_depth, hb.app_version, hb.uptime_s)
        commands: list[str] = []
        published = store.published_version()
        if published is not None and hb.catalogue_version < published:
            commands.append(api.Command.REFRESH_CATALOGUE.value)
        return _json(api.HeartbeatReply(server_time=_ts(now), commands=commands))

    @app.get("/v1/catalogue", responses={200: {"description": "the signed bundle",
                                               "content": {JSON: {}}},
                                         304: {"description": "not modified"},
                                         **_errors(401, 404)},
             openapi_extra={"parameters": _auth_params()})
    def get_catalogue(request: Request, terminal_id: str = Depends(terminal)) -> Response:
        """The published signed bundle; If-None-Match with its ETag → 304."""
        pub = store.published()
        if pub is None:
            raise ApiError(404, "no_catalogue", "no catalogue has been published yet")
        headers = {"ETag": pub.etag, "Cache-Control": "no-cache",
                   "X-Catalogue-Version": str(pub.version)}
        match = request.headers.get("if-none-match", "")
        tags = {t.strip().removeprefix("W/") for t in match.split(",")}
        if pub.etag in tags or "*" in tags:
            return Response(status_code=304, headers=headers)
        return Response(pub.bundle, 200, headers=headers, media_type=JSON)

    # --- staff endpoints -----------------------------------------------------------------

    @app.put("/v1/admin/catalogue", response_model=api.CatalogueAccepted,
             responses=_errors(400, 401, 409, 413, 422),
             openapi_extra={"requestBody": {"required": True, "content": {JSON: {"schema": {
                 "type": "object", "required": ["catalogue", "signatures"],
                 "description": "signed catalogue bundle"}}}}})
    def publish(body: bytes = Depends(read_body), staff_name: str = Depends(staff)) -> Response:
        """Publish a signed catalogue bundle (version must increase)."""
        now = clock()
        try:
            json.loads(body)
        except ValueError:
            raise ApiError(400, "invalid_json", "body is not valid JSON") from None
        try:
            active, etag = cat.publish(store, body, staff_name, now)
        except BundleRejected as exc:
            raise ApiError(422, "bundle_rejected", str(exc)[:300]) from None
        except NotNewer as exc:
            raise ApiError(409, "version_not_newer", str(exc)) from None
        return _json(api.CatalogueAccepted(version=active.version, etag=etag,
                                           items=len(active.items), published_at=_ts(now)))

    @app.get("/v1/admin/terminals", response_model=api.TerminalList, responses=_errors(401))
    def terminals(staff_name: str = Depends(staff)) -> Response:
        """Every terminal: last heartbeat, faults, catalogue version, outbox depth, online."""
        now = clock()
        out = []
        for t in store.terminals():
            last = t["last_heartbeat_at"]
            devices = {k: api.DeviceState.model_validate(v) for k, v in t["devices"].items()}
            out.append(api.TerminalInfo(
                terminal_id=t["terminal_id"], registered_at=_ts(t["registered_at"]),
                online=last is not None and now - last <= offline_after_s,
                last_heartbeat_at=_ts(last) if last is not None else None,
                faults=sorted(k for k, v in devices.items() if v.status == api.DeviceStatus.FAULT),
                devices=devices, catalogue_version=t["catalogue_version"],
                outbox_depth=t["outbox_depth"], app_version=t["app_version"],
                uptime_s=t["uptime_s"]))
        return _json(api.TerminalList(offline_after_s=offline_after_s, terminals=out))

    @app.get("/v1/admin/ratings", response_model=api.RatingList,
             responses={200: {"content": {"text/csv": {}}}, **_errors(401, 422)})
    def ratings(staff_name: str = Depends(staff),
                from_: date | None = Query(None, alias="from", description="first day (UTC+8)"),
                to: date | None = Query(None, description="last day, inclusive (UTC+8)"),
                item_code: str | None = Query(None, max_length=64),
                format: Literal["json", "csv"] = "json") -> Response:
        """Ratings filtered by ?from=YYYY-MM-DD&to=YYYY-MM-DD (inclusive, UTC+8) &item_code=;
        ?format=csv for a CSV export."""
        since = _day_start(from_)
        until = _day_start(to)
        if until is not None:
            until += 86400
        fmt = format
        rows = store.ratings(since, until, item_code or None)
        records = [api.RatingRecord(
            **{**r, "rated_at": _ts(r["rated_at"]) if r["rated_at"] is not None else None,
               "received_at": _ts(r["received_at"])}) for r in rows]
        if fmt == "csv":
            return Response("\ufeff" + ratings_csv(records), 200, media_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": 'attachment; filename="ratings.csv"'})
        return _json(api.RatingList(count=len(records), ratings=records))

    from central.routers import payments as payment_routes
    payment_routes.install(app, svc, terminal, bodies, ttl_s=payment_ttl_s)

    def custom_openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description,
                             routes=app.routes)
        _, defs = models_json_schema([(m, "validation") for m in bodies.values()],
                                     ref_template="#/components/schemas/{model}")
        comps = schema.setdefault("components", {}).setdefault("schemas", {})
        for name, sch in defs.get("$defs", {}).items():
            comps.setdefault(name, sch)
        app.openapi_schema = schema
        return schema

    app.openapi = custom_openapi  # type: ignore[method-assign]
    return app


def _day_start(day: date | None) -> float | None:
    if day is None:
        return None
    return datetime(day.year, day.month, day.day, tzinfo=CN_TZ).timestamp()


CSV_COLUMNS = ("rating_id", "case_no", "item_code", "level", "gbt39046_code", "provincial_code",
               "tags", "comment", "terminal_id", "region_code", "channel", "gbt39046_channel",
               "rated_at", "received_at")


def ratings_csv(records: list[api.RatingRecord]) -> str:
    """CSV export: level by name plus both numeric codes, mapped here at the edge."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for r in records:
        w.writerow([r.rating_id, r.case_no, r.item_code, r.level.value, r.level.gbt39046_code,
                    r.level.provincial_code, ";".join(r.tags), r.comment, r.terminal_id,
                    r.region_code, r.channel, api.GBT39046_CHANNEL,
                    r.rated_at.isoformat() if r.rated_at else "", r.received_at.isoformat()])
    return out.getvalue()

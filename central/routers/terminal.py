"""Terminal API: submissions, cases, ratings, heartbeat, catalogue (every call signed)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel

from central import bundles, deps
from central.errors import ApiError
from central.openapi import BODIES
from central.routers import haocha as haocha_routes
from central.service import MASKED_NOTE
from central.wire import CN_TZ, JSON, body_doc, errors_doc, json_response, parse, terminal_doc, ts
from kiosk import central_api as api

log = logging.getLogger(__name__)

APPLY_KINDS = frozenset({"apply", "appointment"})
CASE_REF_PATTERN = (
    r"^(?:[0-9]{6}-[0-9]{8}-[0-9]{6}(?:-[0-9]{4})?|" + api.PROVISIONAL_NO_RE.pattern + ")$"
)

router = APIRouter(tags=["terminal"])


def _check_anonymous(item: Any, sub: api.Submission) -> None:
    """An anonymous submission: allowed by the item's design, with the fields it requires."""
    if item.anonymous_required is None:
        raise ApiError(422, "anonymous_not_allowed", "this item needs an applicant")
    missing = [n for n in item.anonymous_required if sub.fields.get(n) in (None, "")]
    if missing:
        raise ApiError(
            422,
            "anonymous_fields_missing",
            "an anonymous submission needs: " + ", ".join(missing[:10]),
        )


@router.post(
    "/v1/submissions",
    status_code=201,
    response_model=api.SubmissionAccepted,
    responses=errors_doc(400, 401, 404, 409, 413, 415, 422),
    openapi_extra=body_doc(api.Submission, BODIES, idempotent=True),
)
def submit(
    request: Request, body: deps.RawBody, terminal_id: deps.TerminalId, svc: deps.Svc
) -> Response:
    """Submit an application (办件); 201 with the case number."""
    # issue 23: 一件事一次办 — a body with bundle_code is a bundle (central/bundles.py)
    if bundles.is_bundle(body):
        return bundles.submit(svc, request, body, terminal_id)
    sub = parse(api.Submission, body)

    def work(db: Any, now: float) -> tuple[int, BaseModel]:
        item = svc.item(sub.item_code, APPLY_KINDS, "use /v1/queries")
        if sub.anonymous:
            _check_anonymous(item, sub)
        # dates are judged on the day the citizen confirmed (an offline submission arrives later)
        if sub.created_at is None:
            day = datetime.fromtimestamp(now, CN_TZ).date()
        elif sub.created_at.tzinfo is not None:
            day = sub.created_at.astimezone(CN_TZ).date()
        else:
            day = sub.created_at.date()
        svc.check_form(
            item, sub.fields, today=day, required=item.anonymous_required if sub.anonymous else None
        )
        case_no = svc.new_case(
            db,
            now,
            "apply",
            sub.item_code,
            sub.region_code,
            terminal_id,
            sub.applicant.id_number if sub.applicant else "",
            sorted(sub.fields),
            sub.local_ref,
        )
        return 201, api.SubmissionAccepted(
            case_no=case_no, status=api.CaseState.RECEIVED, received_at=ts(now)
        )

    return svc.idempotent(request, terminal_id, body, "POST /v1/submissions", work)


@router.get(
    "/v1/cases/{case_no}",
    response_model=api.CaseStatus,
    responses=errors_doc(401, 404),
    openapi_extra=terminal_doc(),
)
def case_status(
    terminal_id: deps.TerminalId,
    svc: deps.Svc,
    case_no: str = Path(
        max_length=api.CASE_REF_MAX_LEN, json_schema_extra={"pattern": CASE_REF_PATTERN}
    ),
) -> Response:
    """Progress of a case with its history; another terminal than the creating one sees only
    the current state (`masked`)."""
    case = svc.find_case(case_no)
    if case is None:
        raise ApiError(404, "unknown_case", "no such case (check the number on the receipt)")
    number = case["case_no"]  # a provisional number is answered with the real one
    if svc.backends.progress is not None:
        due = svc.backends.progress(case, svc.clock())
        if due:
            svc.store.add_case_events(number, due)
    history = [
        api.CaseEvent(status=api.CaseState(s), at=ts(at), note=note)
        for s, at, note in svc.store.case_events(number)
    ]
    masked = case["terminal_id"] != terminal_id
    if masked:
        history = [api.CaseEvent(status=history[-1].status, at=history[-1].at, note=MASKED_NOTE)]
    return json_response(
        api.CaseStatus(
            case_no=number,
            item_code=case["item_code"],
            kind=case["kind"],
            status=history[-1].status,
            history=history,
            masked=masked,
        )
    )


def _rated_case(svc: Any, rating: api.Rating, terminal_id: str) -> dict[str, Any]:
    """The case a rating is for, if this terminal served it and the item matches."""
    case = svc.find_case(rating.case_no)
    if case is None or case["case_no"] != rating.case_no:
        raise ApiError(404, "unknown_case", "no such case")
    if case["terminal_id"] != terminal_id:
        raise ApiError(
            403,
            "not_case_terminal",
            "only the terminal that served the case may rate it (一次一评)",
        )
    if case["item_code"] != rating.item_code:
        raise ApiError(422, "item_mismatch", "the case is for another item")
    return case  # type: ignore[no-any-return]


@router.post(
    "/v1/ratings",
    status_code=201,
    response_model=api.RatingAccepted,
    responses=errors_doc(400, 401, 403, 404, 409, 413, 415, 422),
    openapi_extra=body_doc(api.Rating, BODIES, idempotent=True),
)
def rate(
    request: Request, body: deps.RawBody, terminal_id: deps.TerminalId, svc: deps.Svc
) -> Response:
    """好差评: one rating per case, from the terminal that served it; 差评 needs a reason tag."""
    rating = parse(api.Rating, body)
    _rated_case(svc, rating, terminal_id)  # 404/403/422 first: nothing about the case leaks
    # reasons fit the dictionary; outside `work`: haocha reads on its own connection, which
    # must not wait for the write transaction `work` holds
    haocha_routes.check(svc, rating, svc.active().tag_codes)

    def work(db: Any, now: float) -> tuple[int, BaseModel]:
        case = _rated_case(svc, rating, terminal_id)
        rating_id = svc.store.insert_rating(
            db,
            rating.case_no,
            rating.item_code,
            rating.level.value,
            rating.tags,
            rating.comment,
            terminal_id,
            case["region_code"],
            api.CHANNEL,
            rating.rated_at.timestamp() if rating.rated_at else None,
            now,
        )
        if rating_id is None:
            raise ApiError(409, "already_rated", "the case is already rated (一次一评)")
        return 201, api.RatingAccepted(
            rating_id=rating_id, case_no=rating.case_no, level=rating.level, received_at=ts(now)
        )

    return haocha_routes.recorded(  # details (indicators, phone …) kept before the 201
        svc, rating, svc.idempotent(request, terminal_id, body, "POST /v1/ratings", work)
    )


@router.post(
    "/v1/heartbeat",
    response_model=api.HeartbeatReply,
    responses=errors_doc(400, 401, 413, 415, 422),
    openapi_extra=body_doc(api.Heartbeat, BODIES),
)
def heartbeat(body: deps.RawBody, terminal_id: deps.TerminalId, svc: deps.Svc) -> Response:
    """Terminal health; the reply carries commands (refresh_catalogue)."""
    hb = parse(api.Heartbeat, body)
    now = svc.clock()
    svc.store.store_heartbeat(
        terminal_id,
        now,
        {k: v.model_dump(mode="json") for k, v in hb.devices.items()},
        hb.catalogue_version,
        hb.outbox_depth,
        hb.app_version,
        hb.uptime_s,
    )
    commands: list[str] = []
    published = (
        svc.rollout.version_for(terminal_id) if svc.rollout else svc.store.published_version()
    )
    if published is not None and hb.catalogue_version < published:
        commands.append(api.Command.REFRESH_CATALOGUE.value)
    return json_response(api.HeartbeatReply(server_time=ts(now), commands=commands))


@router.get(
    "/v1/catalogue",
    responses={
        200: {
            "description": "the signed bundle",
            "content": {JSON: {"schema": {"type": "object"}}},
        },
        304: {"description": "not modified"},
        **errors_doc(401, 404),
    },
    openapi_extra=terminal_doc(),
)
def get_catalogue(request: Request, terminal_id: deps.TerminalId, svc: deps.Svc) -> Response:
    """The published signed bundle; If-None-Match with its ETag → 304."""
    pub = svc.rollout.catalogue_for(terminal_id) if svc.rollout else svc.store.published()
    if pub is None:
        raise ApiError(404, "no_catalogue", "no catalogue has been published yet")
    headers = {
        "ETag": pub.etag,
        "Cache-Control": "no-cache",
        "X-Catalogue-Version": str(pub.version),
    }
    match = request.headers.get("if-none-match", "")
    tags = {t.strip().removeprefix("W/") for t in match.split(",")}
    if pub.etag in tags or "*" in tags:
        return Response(status_code=304, headers=headers)
    return Response(pub.bundle, 200, headers=headers, media_type=JSON)

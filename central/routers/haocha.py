"""好差评 routes: the rating dictionary (terminals), follow-ups, statistics and the province
queue (staff). Also the two hooks the POST /v1/ratings handler calls."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError

from central.errors import ApiError
from central.haocha import stats as haocha_stats
from central.haocha import workflow
from central.haocha.errors import BadTransition, HaochaError
from central.haocha.records import RatingCheckFailed
from central.haocha.service import Haocha
from central.haocha.settings import HaochaSettings
from central.province.errors import ProvinceError
from kiosk import central_api as api

log = logging.getLogger(__name__)
JSON = "application/json"


def _json(model: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(model.model_dump_json(), status, headers=headers, media_type=JSON)


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {c: {"model": api.ErrorBody} for c in codes}


def router(
    svc: Any,
    terminal: Callable[..., str],
    staff: Callable[..., str],
    settings: HaochaSettings | None = None,
) -> APIRouter:
    """The routes; `svc` is the app's service (store, clock), which gets `.haocha`."""
    try:
        cfg = settings or HaochaSettings.from_env()
    except HaochaError as exc:
        raise ApiError(500, "bad_configuration", str(exc)) from None
    pub = svc.store.published

    def bundle() -> bytes | None:
        p = pub()
        return p.bundle if p else None

    h = Haocha(
        svc.store.path or "",
        cfg,
        svc.clock,
        bundle,
        engine=svc.store.engine,
        server_key=svc.store.server_key,
    )
    svc.haocha = h

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        h.start()
        try:
            yield
        finally:
            h.stop()

    r = APIRouter(tags=["好差评"], lifespan=lifespan)

    @r.get(
        api.RATING_DICTIONARY_PATH,
        response_model=api.RatingDictionary,
        responses={304: {"description": "not modified"}, **_errors(401)},
    )
    def rating_dictionary(request: Request, terminal_id: str = Depends(terminal)) -> Response:
        """The evaluation dictionary (levels, indicators, reasons by level); ETag → 304."""
        d, body, etag = h.dictionaries.current()
        headers = {
            "ETag": etag,
            "Cache-Control": "no-cache",
            "X-Dictionary-Version": str(d.version),
        }
        tags = {
            t.strip().removeprefix("W/")
            for t in request.headers.get("if-none-match", "").split(",")
        }
        if etag in tags:
            return Response(status_code=304, headers=headers)
        return Response(body, 200, headers=headers, media_type=JSON)

    @r.put(
        "/v1/admin/rating-dictionary",
        response_model=api.RatingDictionary,
        responses=_errors(400, 401, 409, 422),
    )
    async def publish_dictionary(request: Request, staff_name: str = Depends(staff)) -> Response:
        """Publish a new dictionary version; terminals fetch it at their next refresh."""
        try:
            raw = json.loads(await request.body())
        except ValueError:
            raise ApiError(400, "invalid_json", "body is not valid JSON") from None
        try:
            d = h.dictionaries.publish(raw, staff_name, svc.clock())
        except HaochaError as exc:
            status = 409 if "not newer" in str(exc) else 422
            raise ApiError(status, "dictionary_rejected", str(exc)[:300]) from None
        log.info("rating dictionary version %d published by %s", d.version, staff_name)
        return _json(d)

    @r.get("/v1/admin/followups", response_model=api.FollowUpList, responses=_errors(401, 422))
    def list_followups(
        staff_name: str = Depends(staff),
        state: api.FollowUpState | None = None,
        overdue: bool | None = None,
    ) -> Response:
        """差评 follow-ups, oldest first; ?state=待核实 &overdue=true filter."""
        items = workflow.listing(h.engine, svc.clock(), state, overdue, h.masked_phones())
        return _json(api.FollowUpList(count=len(items), followups=items))

    @r.get(
        "/v1/admin/followups/{followup_id}",
        response_model=api.FollowUp,
        responses=_errors(401, 404),
    )
    def get_followup(followup_id: int, staff_name: str = Depends(staff)) -> Response:
        """One follow-up with its steps."""
        for f in workflow.listing(h.engine, svc.clock(), phones=h.masked_phones()):
            if f.followup_id == followup_id:
                return _json(f)
        raise ApiError(404, "unknown_followup", f"no follow-up {followup_id}")

    @r.post(
        "/v1/admin/followups/{followup_id}/steps",
        response_model=api.FollowUp,
        responses=_errors(400, 401, 404, 409, 422),
    )
    async def add_step(
        followup_id: int, request: Request, staff_name: str = Depends(staff)
    ) -> Response:
        """Move a follow-up on (who: the staff token's name; when: now; what: note)."""
        try:
            action = api.FollowUpAction.model_validate_json(await request.body())
        except ValidationError as exc:
            first = exc.errors()[0]
            raise ApiError(
                422,
                "validation_failed",
                ".".join(str(p) for p in first.get("loc", ())) + ": " + first.get("msg", "invalid"),
            ) from None
        try:
            workflow.step(h.engine, followup_id, action, staff_name, svc.clock())
        except BadTransition as exc:
            raise ApiError(409, "bad_transition", str(exc)) from None
        except HaochaError as exc:
            raise ApiError(404, "unknown_followup", str(exc)) from None
        if h.loop is not None:
            h.loop.wake()
        return get_followup(followup_id, staff_name)

    @r.get("/v1/admin/followups/{followup_id}/callback-phone", responses=_errors(401, 404))
    def callback_phone(followup_id: int, staff_name: str = Depends(staff)) -> Response:
        """The full number for the 回访 call (every read is logged with who read it)."""
        phone = h.callback_phone(followup_id)
        if phone is None:
            raise ApiError(404, "no_callback_phone", f"follow-up {followup_id} has no phone")
        log.info("callback phone of follow-up %d read by %s", followup_id, staff_name)
        return Response(
            json.dumps({"phone": phone}),
            200,
            media_type=JSON,
            headers={"Cache-Control": "no-store"},
        )

    @r.get("/v1/admin/stats", response_model=api.Stats, responses=_errors(401, 422))
    def get_stats(
        from_: Annotated[date, Query(alias="from", description="first day (Beijing)")],
        to: Annotated[date, Query(description="last day, inclusive (Beijing)")],
        staff_name: str = Depends(staff),
        region: Annotated[str | None, Query(pattern=r"^[0-9]{2,12}$")] = None,
        group_by: Literal["item", "department", "hall", "terminal"] = "item",
    ) -> Response:
        """满意率, 差评, 整改率 and on-time rate per item / department / hall / terminal."""
        if to < from_:
            raise ApiError(422, "bad_period", "to is before from")
        if (to - from_).days > 3660:
            raise ApiError(422, "bad_period", "a period is at most ten years")
        return _json(haocha_stats.compute(h.engine, from_, to, region, group_by, h.item_names))

    @r.get(
        "/v1/admin/province/queue", response_model=api.ProvinceQueueStatus, responses=_errors(401)
    )
    def province_queue(staff_name: str = Depends(staff)) -> Response:
        """Forwarding queue: counts by state, rows the province refused."""
        return _json(h.queue_status())

    @r.post(
        "/v1/admin/province/queue/{row_id}/requeue", status_code=204, responses=_errors(401, 409)
    )
    def requeue(row_id: int, staff_name: str = Depends(staff)) -> Response:
        """Send a refused row again (after fixing the mapping or configuration)."""
        try:
            h.requeue(row_id, svc.clock())
        except HaochaError as exc:
            raise ApiError(409, "not_dead", str(exc)) from None
        log.info("province queue row %d requeued by %s", row_id, staff_name)
        return Response(status_code=204)

    @r.post(
        "/v1/admin/province/reconcile",
        response_model=api.Reconciliation,
        responses=_errors(401, 409, 422, 503),
    )
    def reconcile(
        day: Annotated[str, Query(pattern=r"^20[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])$")],
        staff_name: str = Depends(staff),
    ) -> Response:
        """Compare one day (YYYYMMDD) with the province now; resend the missing."""
        from datetime import datetime as _dt

        try:
            _dt.strptime(day, "%Y%m%d")
        except ValueError:
            raise ApiError(422, "validation_failed", "query.day: not a real day") from None
        if h.client is None:  # a configuration state, not an outage
            raise ApiError(409, "province_not_configured", "no province URL is configured")
        try:
            return _json(h.reconcile(day, svc.clock()))
        except ProvinceError as exc:
            raise ApiError(503, "province_unavailable", str(exc)[:200]) from None

    return r


def check(svc: Any, rating: api.Rating, catalogue_tags: frozenset[str]) -> None:
    """POST /v1/ratings hook before storing: reasons and indicators fit the dictionary."""
    try:
        svc.haocha.check(rating, catalogue_tags)
    except RatingCheckFailed as exc:
        raise ApiError(422, exc.code, exc.message) from None


def recorded(svc: Any, rating: api.Rating, response: Response) -> Response:
    """POST /v1/ratings hook after storing (first answer or replay): keep the details, before
    the terminal hears 201, so a terminal that got its answer never loses them."""
    if response.status_code == 201:
        rating_id = json.loads(bytes(response.body))["rating_id"]
        svc.haocha.record(rating, int(rating_id))
        if svc.haocha.loop is not None:
            svc.haocha.loop.wake()
    return response

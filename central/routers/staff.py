"""Staff API (Authorization: Bearer): publish catalogues, fleet state, ratings and exports."""

from __future__ import annotations

import logging
import re
from datetime import date, datetime
from typing import Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from central import catalogue as cat
from central import deps
from central.errors import ApiError, BundleRejected, NotNewer
from central.exports import ratings_csv
from central.wire import CN_TZ, JSON, STAFF_SECURITY, errors_doc, json_response, strict_json, ts
from kiosk import central_api as api

log = logging.getLogger(__name__)

DAY_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
DOC_DAY_PATTERN = (
    r"^20[0-9]{2}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"
    r"|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)$"
)
"""What the schema promises: real days of 2000..2099 (Feb 29 left out); the server checks
the calendar itself and answers 422 validation_failed for the rest."""
_STAFF = {"security": [dict(STAFF_SECURITY)]}

router = APIRouter(tags=["staff"])


def _day(value: str | None, name: str) -> date | None:
    """A YYYY-MM-DD query parameter (422 for anything else: `to=0` is not 1970-01-01)."""
    if value is None:
        return None
    if not re.fullmatch(DAY_PATTERN, value):
        raise ApiError(422, "validation_failed", f"query.{name}: must be a date YYYY-MM-DD")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ApiError(
            422, "validation_failed", f"query.{name}: must be a date YYYY-MM-DD"
        ) from None
    if not 2000 <= day.year <= 2099:
        raise ApiError(422, "validation_failed", f"query.{name}: must lie in 2000..2099")
    return day


def _day_start(day: date | None) -> float | None:
    if day is None:
        return None
    return datetime(day.year, day.month, day.day, tzinfo=CN_TZ).timestamp()


@router.put(
    "/v1/admin/catalogue",
    response_model=api.CatalogueAccepted,
    responses=errors_doc(400, 401, 409, 413, 415, 422),
    openapi_extra={
        **_STAFF,
        "requestBody": {
            "required": True,
            "content": {
                JSON: {
                    "schema": {
                        "type": "object",
                        "required": ["catalogue", "signatures"],
                        "description": "signed catalogue bundle",
                    }
                }
            },
        },
    },
)
def publish(body: deps.RawBody, staff_name: deps.StaffName, svc: deps.Svc) -> Response:
    """Publish a signed catalogue bundle (version must increase)."""
    now = svc.clock()
    strict_json(body)
    try:
        active, etag = cat.publish(svc.store, body, staff_name, now)
    except BundleRejected as exc:
        raise ApiError(422, "bundle_rejected", str(exc)[:300]) from None
    except NotNewer as exc:
        raise ApiError(409, "version_not_newer", str(exc)) from None
    return json_response(
        api.CatalogueAccepted(
            version=active.version, etag=etag, items=len(active.items), published_at=ts(now)
        )
    )


@router.get(
    "/v1/admin/terminals",
    response_model=api.TerminalList,
    responses=errors_doc(401),
    openapi_extra=_STAFF,
)
def terminals(staff_name: deps.StaffName, svc: deps.Svc) -> Response:
    """Every terminal: last heartbeat, faults, catalogue version, outbox depth, online."""
    now = svc.clock()
    out = []
    for t in svc.store.terminals():
        last = t["last_heartbeat_at"]
        devices = {k: api.DeviceState.model_validate(v) for k, v in t["devices"].items()}
        out.append(
            api.TerminalInfo(
                terminal_id=t["terminal_id"],
                registered_at=ts(t["registered_at"]),
                online=last is not None and now - last <= svc.offline_after_s,
                last_heartbeat_at=ts(last) if last is not None else None,
                faults=sorted(k for k, v in devices.items() if v.status == api.DeviceStatus.FAULT),
                devices=devices,
                catalogue_version=t["catalogue_version"],
                outbox_depth=t["outbox_depth"],
                app_version=t["app_version"],
                uptime_s=t["uptime_s"],
            )
        )
    return json_response(api.TerminalList(offline_after_s=svc.offline_after_s, terminals=out))


@router.get(
    "/v1/admin/ratings",
    response_model=api.RatingList,
    responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}},
        **errors_doc(401, 422),
    },
    openapi_extra=_STAFF,
)
def ratings(
    staff_name: deps.StaffName,
    svc: deps.Svc,
    from_: str | None = Query(
        None,
        alias="from",
        max_length=10,
        json_schema_extra={"pattern": DOC_DAY_PATTERN},
        description="first day YYYY-MM-DD (UTC+8)",
    ),
    to: str | None = Query(
        None,
        max_length=10,
        json_schema_extra={"pattern": DOC_DAY_PATTERN},
        description="last day YYYY-MM-DD, inclusive (UTC+8)",
    ),
    item_code: str | None = Query(
        None, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
    ),
    format: Literal["json", "csv"] = "json",
) -> Response:
    """Ratings filtered by ?from=YYYY-MM-DD&to=YYYY-MM-DD (inclusive, UTC+8) &item_code=;
    ?format=csv for a CSV export (formula cells neutralised)."""
    since = _day_start(_day(from_, "from"))
    until = _day_start(_day(to, "to"))
    if until is not None:
        until += 86400
    rows = svc.store.ratings(since, until, item_code or None)
    records = [
        api.RatingRecord(
            **{
                **r,
                "rated_at": ts(r["rated_at"]) if r["rated_at"] is not None else None,
                "received_at": ts(r["received_at"]),
            }
        )
        for r in rows
    ]
    if format == "csv":
        return Response(
            "\ufeff" + ratings_csv(records),
            200,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="ratings.csv"'},
        )
    return json_response(api.RatingList(count=len(records), ratings=records))

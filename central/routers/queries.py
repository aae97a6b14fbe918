"""Terminal API: live queries and documents (POST /v1/queries/{item_code})."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel

from central import deps
from central.errors import ApiError
from central.openapi import BODIES
from central.routers import verify
from central.wire import CN_TZ, body_doc, errors_doc, json_response, parse
from kiosk import central_api as api

log = logging.getLogger(__name__)

QUERY_KINDS = frozenset({"query", "print", "progress"})
ITEM_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"

router = APIRouter(tags=["terminal"])


@router.post(
    "/v1/queries/{item_code}",
    response_model=api.QueryResult,
    responses=errors_doc(400, 401, 403, 404, 409, 413, 415, 422, 503),
    openapi_extra=body_doc(api.QueryRequest, BODIES, optional_key=True),
)
def query(
    request: Request,
    body: deps.RawBody,
    terminal_id: deps.TerminalId,
    svc: deps.Svc,
    item_code: str = Path(max_length=64, json_schema_extra={"pattern": ITEM_CODE_PATTERN}),
) -> Response:
    """A live query / document for the session identity; creates a service record. With an
    Idempotency-Key (v1.1: signed; required when v1.0 signatures are off) a repeat returns the
    first answer and creates no second record."""
    req = parse(api.QueryRequest, body)
    item = svc.item(item_code, QUERY_KINDS, "use /v1/submissions")
    subject = req.subject_id_number or req.identity.id_number
    claimed = req.params.get("id_number")
    if subject != req.identity.id_number or (
        isinstance(claimed, str) and claimed.strip().upper() != req.identity.id_number
    ):
        raise ApiError(
            403,
            "identity_mismatch",
            "a citizen may only query their own records (applicant ≠ session identity)",
        )
    backend = svc.backends.queries
    if backend is None:
        raise ApiError(
            503,
            "query_backend_unavailable",
            "no department system answers this item on this central service",
        )
    svc.check_form(
        item,
        req.params,
        today=datetime.fromtimestamp(svc.clock(), CN_TZ).date(),
        skip=frozenset({"id_number"}),
    )

    def work(db: Any, now: float) -> tuple[int, BaseModel]:
        case_no = svc.new_case(
            db,
            now,
            "query",
            item_code,
            req.region_code,
            terminal_id,
            subject,
            sorted(req.params),
            None,
        )
        local = datetime.fromtimestamp(now, CN_TZ)
        ans = backend.answer(item_code, item.name, subject, local.date(), req.params, item.name_en)
        result = api.QueryResult(
            case_no=case_no,
            item_code=item_code,
            title=ans.title,
            columns=ans.columns,
            rows=ans.rows,
            values=ans.values,
            title_en=ans.title_en,
            terms_en=ans.terms_en,
            column_labels=[
                api.QueryColumn(label=c, label_en=e)
                for c, e in zip(ans.columns, ans.columns_en, strict=False)
            ],
            printable=backend.printable(
                ans, case_no, subject, req.identity.name, local.strftime("%Y-%m-%d %H:%M")
            ),
        )
        if item.kind == "print":  # a document: central issues its 核验码 with the answer
            result = verify.attach_document(
                db,
                request,
                result,
                ans=ans,
                subject=subject,
                name=req.identity.name,
                terminal_id=terminal_id,
                now=now,
            )
        return 200, result

    if request.headers.get(api.HEADER_IDEMPOTENCY_KEY) or not svc.settings.v1_signatures:
        return svc.idempotent(request, terminal_id, body, f"POST /v1/queries/{item_code}", work)
    with svc.store.transaction() as db:
        status, model = work(db, svc.clock())
    return json_response(model, status)

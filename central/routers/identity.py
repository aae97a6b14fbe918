"""POST /v1/identity/face: 人证比对 (the sandbox compares with its reference photos)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from central.errors import ApiError
from central.sandbox.face import FaceSandbox
from kiosk import central_api as api

log = logging.getLogger(__name__)


def router(
    terminal: Callable[..., str], sandbox: FaceSandbox | None = None, *, available: bool = True
) -> APIRouter:
    """The identity routes, authenticated by the app's `terminal` dependency; without a face
    back end (`available=False`, production without one) the call answers 503."""
    from central.openapi import BODIES
    from central.wire import body_doc, parse

    r = APIRouter(tags=["identity"])
    faces = sandbox or FaceSandbox() if available else None

    @r.post(
        api.FACE_PATH,
        response_model=api.FaceVerdict,
        responses={c: {"model": api.ErrorBody} for c in (400, 401, 404, 413, 415, 422, 503)},
        openapi_extra=body_doc(api.FaceVerification, BODIES),
    )
    async def verify_face(request: Request, terminal_id: str = Depends(terminal)) -> Response:
        """Compare a live face with the identity's photo; answers match/score, never the input."""
        body = await request.body()
        req = parse(api.FaceVerification, body)
        if faces is None:
            raise ApiError(
                503,
                "face_backend_unavailable",
                "no 人证比对 service is connected to this central service",
            )
        del body
        match, score = await _in_thread(faces.verify, req)
        verdict = api.FaceVerdict(match=match, score=score, verify_id="FV-" + uuid.uuid4().hex[:20])
        log.info(
            "face check %s by %s: match=%s score=%.3f challenge=%s",
            verdict.verify_id,
            terminal_id,
            match,
            score,
            req.liveness.challenge,
        )
        return Response(verdict.model_dump_json(), 200, media_type="application/json")

    return r


async def _in_thread(fn: Callable[..., Any], *args: Any) -> Any:
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(fn, *args)


def _invalid(exc: ValidationError) -> ApiError:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return ApiError(400, "invalid_json", "body is not valid JSON")
    parts = [
        ".".join(str(p) for p in e.get("loc", ())) + ": " + e.get("msg", "invalid")
        for e in errors[:5]
    ]
    return ApiError(422, "validation_failed", "; ".join(parts))

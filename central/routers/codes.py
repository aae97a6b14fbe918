"""POST /v1/identity/code: app codes (电子社保卡, 医保电子凭证, city apps) checked by their issuer.

In the sandbox, central.sandbox.codes stands in for the issuing platforms and
POST /sandbox/identity/codes mints demo codes (the demo "phone"); without a sandbox every
code is answered 503 issuer_unavailable until a platform client is configured.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field, ValidationError

from central.errors import ApiError
from central.sandbox.codes import DEMO_HOLDERS, CodeRefused, CodeSandbox
from kiosk import central_api as api

log = logging.getLogger(__name__)

_STATUS = {
    "code_invalid": 422,
    "code_expired": 410,
    "code_used": 409,
    "code_revoked": 410,
    "issuer_unavailable": 503,
}


class MintRequest(BaseModel):
    """Sandbox only: which demo code to make."""

    kind: api.CodeKind = "e_sscard"
    holder: str = Field(default="demo", pattern="^(" + "|".join(DEMO_HOLDERS) + ")$")
    issued_ago_s: float = Field(default=0.0, ge=0, le=86400)


def router(
    terminal: Callable[..., str],
    *,
    clock: Callable[[], float] = time.time,
    sandbox: CodeSandbox | None = None,
    enabled: bool = True,
) -> APIRouter:
    """The code-identity route (terminal auth) and, with a sandbox, the demo minting route."""
    r = APIRouter(tags=["identity"])
    codes = sandbox if sandbox is not None else (CodeSandbox(clock) if enabled else None)

    @r.post(
        api.CODE_PATH,
        response_model=api.CodeIdentity,
        responses={c: {"model": api.ErrorBody} for c in (400, 401, 409, 410, 422, 503)},
    )
    async def identify_code(request: Request, terminal_id: str = Depends(terminal)) -> Response:
        """Who a scanned app code belongs to, as its issuing platform says (never the QR's claims)."""
        try:
            req = api.CodeIdentification.model_validate_json(await request.body())
        except ValidationError as exc:
            bad_json = any(e.get("type") == "json_invalid" for e in exc.errors())
            raise ApiError(
                400 if bad_json else 422,
                "invalid_json" if bad_json else "validation_failed",
                "body is not valid JSON"
                if bad_json
                else "code must be 8–2048 characters, kind one of " + ", ".join(api.CODE_KINDS),
            ) from None
        if codes is None:
            raise ApiError(503, "issuer_unavailable", "no issuing platform is configured")
        try:
            ident = codes.identify(req.code, req.kind)
        except CodeRefused as exc:
            log.info("app code refused for %s: %s", terminal_id, exc.code)
            raise ApiError(_STATUS[exc.code], exc.code, str(exc)) from None
        log.info(
            "app code %s accepted for %s (%s, %s)",
            ident.identity_id,
            terminal_id,
            ident.kind,
            ident.assurance,
        )
        return Response(ident.model_dump_json(), 200, media_type="application/json")

    if codes is not None:

        @r.post("/sandbox/identity/codes", tags=["sandbox"])
        def mint(req: MintRequest) -> dict[str, str]:
            """Sandbox only: a fresh demo code (what the citizen's app would show)."""
            return {"code": codes.mint(req.kind, req.holder, req.issued_ago_s), "kind": req.kind}

    return r

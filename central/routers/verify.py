"""Documents and public verification: the issued document of a print answer, its PDF digest,
and GET /v1/verify/{code} (JSON) + GET /verify/{code} (HTML page the document's QR opens)."""

from __future__ import annotations

import html
import os
import threading
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from central import documents
from central.errors import ApiError
from kiosk import central_api as api

router = APIRouter()
PUBLIC_URL_ENV = "CENTRAL_PUBLIC_URL"
"""Base URL printed in QR codes (e.g. https://zwfw.example.gov.cn); default: the URL the
terminal reached central at."""
RATE_PER_MIN = 30
"""Verifications per minute per client address (a 核验码 has 100 bits: this is about load, not
guessing, which is hopeless anyway)."""
TZ = UTC
CN_TZ = timezone(timedelta(hours=8))
"""Dates on the page as the document prints them (China Standard Time)."""


class RateLimiter:
    """Token bucket per client address."""

    def __init__(self, per_min: int = RATE_PER_MIN) -> None:
        self.per_min = per_min
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}

    def allow(self, who: str, now: float) -> bool:
        """Take a token for `who`; False when its bucket is empty."""
        with self._lock:
            tokens, last = self._buckets.get(who, (float(self.per_min), now))
            tokens = min(float(self.per_min), tokens + (now - last) * self.per_min / 60.0)
            if len(self._buckets) > 10_000:
                self._buckets.clear()  # bounded memory under a flood of addresses
            if tokens < 1:
                self._buckets[who] = (tokens, now)
                return False
            self._buckets[who] = (tokens - 1, now)
            return True


def public_base(request: Request) -> str:
    """Where phones reach central (env override, else this request's base URL)."""
    return (os.environ.get(PUBLIC_URL_ENV) or str(request.base_url)).rstrip("/")


def attach_document(
    db: Any,
    request: Request,
    result: api.QueryResult,
    *,
    ans: Any,
    subject: str,
    name: str,
    terminal_id: str,
    now: float,
) -> api.DocumentQueryResult:
    """Issue the document of a print answer (called inside the query's transaction)."""
    svc = request.app.state.service
    pub = svc.store.published()
    item = svc.active().items.get(result.item_code)
    pol = documents.policy(
        pub.bundle if pub else None, result.item_code, item.name if item else result.item_code
    )
    code = documents.issue(
        db,
        case_no=result.case_no,
        item_code=result.item_code,
        terminal_id=terminal_id,
        pol=pol,
        now=now,
        lines=documents.summary(name, subject, ans.values, ans.rows),
    )
    issued = api.IssuedDocument(
        code=code,
        verify_url=f"{public_base(request)}/verify/{code}",
        title=pol.title,
        issuer=pol.issuer,
        issued_at=datetime.fromtimestamp(now, TZ),
        expires_at=datetime.fromtimestamp(now + pol.valid_days * 86400, TZ),
    )
    return api.DocumentQueryResult(**result.model_dump(), document=issued)


async def _body(request: Request) -> bytes:
    return await request.body()


def _terminal(request: Request, body: bytes = Depends(_body)) -> str:
    from central.deps import terminal  # central.deps imports the service, which is above us

    return terminal(request, body)


@router.put(
    "/v1/documents/{code}/digest",
    response_model=api.DocumentRegistered,
    tags=["documents"],
    responses={c: {"model": api.ErrorBody} for c in (400, 401, 404, 409, 413, 415, 422)},
    openapi_extra={
        "security": [{"terminalId": [], "terminalTimestamp": [], "terminalSignature": []}],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": api.DocumentDigest.model_json_schema()}},
        },
    },
)
def register_digest(
    code: str, request: Request, body: bytes = Depends(_body), terminal_id: str = Depends(_terminal)
) -> Response:
    """Record the SHA-256 of the PDF rendered for an issued code (the issuing terminal only)."""
    svc = request.app.state.service
    canonical = api.normalize_verify_code(code)
    from central.wire import strict_json

    strict_json(body)
    try:
        digest = api.DocumentDigest.model_validate_json(body)
    except ValueError:
        raise ApiError(
            422, "validation_failed", "body must be {sha256: 64 hex, pages: 1..500}"
        ) from None
    with svc.store.transaction() as db:
        try:
            stored = (
                documents.register_digest(
                    db, canonical or "", terminal_id, digest.sha256, digest.pages, svc.clock()
                )
                if canonical
                else None
            )
        except ValueError:
            raise ApiError(
                409, "digest_conflict", "this document is already registered with another digest"
            ) from None
    if stored is None or canonical is None:
        raise ApiError(
            404, "unknown_document", "no document with this code issued to this terminal"
        )
    out = api.DocumentRegistered(
        code=canonical, sha256=stored[0], registered_at=datetime.fromtimestamp(stored[1], TZ)
    )
    return Response(out.model_dump_json(), 200, media_type="application/json")


def _limited(request: Request) -> None:
    svc = request.app.state.service
    limiter: RateLimiter = getattr(request.app.state, "verify_limiter", None) or RateLimiter()
    request.app.state.verify_limiter = limiter
    who = request.client.host if request.client else "?"
    if not limiter.allow(who, svc.clock()):
        raise ApiError(
            429,
            "rate_limited",
            "too many verifications; try again in a minute",
            {"Retry-After": "60"},
        )


def verify_code(request: Request, code: str) -> api.VerifyResult:
    """What central says about a code (unknown and expired said plainly)."""
    svc = request.app.state.service
    canonical = api.normalize_verify_code(code)
    row = documents.lookup(svc.store, canonical) if canonical else None
    shown = canonical or code[:40]
    if row is None or canonical is None:
        return api.VerifyResult(
            code=shown,
            status=api.VerifyStatus.UNKNOWN,
            message="未找到该核验码对应的文书。请核对核验码是否输入正确；如有疑问请联系出具单位。",
        )
    expired = svc.clock() >= row["expires_at"]
    expires = datetime.fromtimestamp(row["expires_at"], TZ)
    local_exp = datetime.fromtimestamp(row["expires_at"], CN_TZ)
    return api.VerifyResult(
        code=canonical,
        status=api.VerifyStatus.EXPIRED if expired else api.VerifyStatus.VALID,
        message=(
            f"该文书的核验期已于 {local_exp:%Y-%m-%d} 届满，请持证人重新打印。"
            if expired
            else "核验通过：本文书由出具单位签发，内容以下列信息为准。"
        ),
        item_code=row["item_code"],
        title=row["title"],
        issuer=row["issuer"],
        issued_at=datetime.fromtimestamp(row["issued_at"], TZ),
        expires_at=expires,
        summary=row["summary"] if not expired else [],
        sha256=row["sha256"],
        pages=row["pages"],
    )


@router.get(
    "/v1/verify/{code}",
    response_model=api.VerifyResult,
    tags=["verify"],
    responses={
        404: {"model": api.VerifyResult, "description": "unknown code"},
        429: {"model": api.ErrorBody},
    },
)
def verify_json(code: str, request: Request, _: None = Depends(_limited)) -> Response:
    """Public check of a 核验码 (no terminal signature); 404 body for an unknown code."""
    res = verify_code(request, code)
    status = 404 if res.status == api.VerifyStatus.UNKNOWN else 200
    return Response(
        res.model_dump_json(),
        status,
        media_type="application/json",
        headers={"Cache-Control": "no-store"},
    )


@router.get("/verify", response_class=HTMLResponse, tags=["verify"], include_in_schema=False)
def verify_form(request: Request, code: str = "") -> Response:
    """The page behind the printed URL: type the 核验码."""
    if code:
        _limited(request)
        return _page(verify_code(request, code))
    return _html("文书核验", FORM)


@router.get(
    "/verify/{code}",
    response_class=HTMLResponse,
    tags=["verify"],
    responses={
        404: {
            "content": {"text/html": {"schema": {"type": "string"}}},
            "description": "unknown code (a page saying so)",
        },
        429: {
            "description": "too many verifications",
            "content": {"application/json": {"schema": api.ErrorBody.model_json_schema()}},
        },
    },
)
def verify_page(code: str, request: Request, _: None = Depends(_limited)) -> Response:
    """The page a phone opens from a document's QR."""
    return _page(verify_code(request, code))


FORM = (
    '<form method="get" action="/verify"><label>核验码<br><input name="code" '
    'autocomplete="off" placeholder="XXXXX-XXXXX-XXXXX-XXXXX"></label> '
    '<button type="submit">核验</button></form>'
)
STYLE = (
    "body{font-family:sans-serif;max-width:40em;margin:1em auto;padding:0 1em;line-height:1.6}"
    ".ok{color:#1a7f37}.bad{color:#b42318}dt{color:#555}dd{margin:0 0 .6em 0}"
    "code{word-break:break-all}input{font-size:1.1em;width:100%}button{font-size:1.1em}"
)


def _html(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>"
        f"<body>{body}</body></html>",
        status,
        headers={
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
        },
    )


def _page(res: api.VerifyResult) -> HTMLResponse:
    e = html.escape
    cn = CN_TZ
    if res.status == api.VerifyStatus.UNKNOWN:
        head = '<h1 class="bad">未找到该文书</h1>'
    elif res.status == api.VerifyStatus.EXPIRED:
        head = '<h1 class="bad">核验期已过</h1>'
    else:
        head = '<h1 class="ok">核验通过</h1>'
    rows = ""
    if res.status != api.VerifyStatus.UNKNOWN:
        items = [
            ("文书名称", res.title),
            ("出具单位", res.issuer),
            ("出具时间", f"{res.issued_at.astimezone(cn):%Y-%m-%d %H:%M}" if res.issued_at else ""),
            ("核验有效期至", f"{res.expires_at.astimezone(cn):%Y-%m-%d}" if res.expires_at else ""),
            *[tuple(x.split("：", 1)) if "：" in x else ("", x) for x in res.summary],
            ("页数", str(res.pages or "")),
            ("文件指纹 SHA-256", res.sha256 or ""),
        ]
        pairs = [(str(k or ""), str(v or "")) for k, v in items]
        rows = (
            "<dl>"
            + "".join(
                f"<dt>{e(k)}</dt><dd><code>{e(v)}</code></dd>"
                if k.startswith("文件")
                else f"<dt>{e(k)}</dt><dd>{e(v)}</dd>"
                for k, v in pairs
                if v
            )
            + "</dl>"
        )
    body = (
        f"{head}<p>{e(res.message)}</p><p>核验码：<b>{e(res.code)}</b></p>{rows}"
        f"<hr><p>核验其他文书：</p>{FORM}"
    )
    return _html("文书核验", body, 404 if res.status == api.VerifyStatus.UNKNOWN else 200)

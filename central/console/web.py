"""Plumbing of the console's pages: templates, security headers, forms, the signed-in staff."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from central.console import sessions
from central.console.accounts import Permission, Role
from central.console.errors import CsrfRejected, Forbidden
from central.console.figures import CN_TZ
from central.console.fleet import ago
from central.console.store import ConsoleStore

log = logging.getLogger(__name__)

PREFIX = "/console"
MAX_FORM_BYTES = 64 * 1024
# No inline script or style anywhere: every page works under this policy (the tests check it).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]

env = Environment(
    loader=PackageLoader("central.console", "templates"),
    autoescape=select_autoescape(("html",)),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _when(t: float | None) -> str:
    if t is None:
        return "—"
    return datetime.fromtimestamp(t, CN_TZ).strftime("%Y-%m-%d %H:%M:%S")


env.filters["when"] = _when
env.filters["ago"] = ago


@dataclass
class Console:
    """What the pages need, kept on app.state.console."""

    db: ConsoleStore
    clock: Callable[[], float]
    offline_after_s: float
    central: Any
    """central's Storage (terminals, published catalogue, trusted keys)."""

    def terminals(self) -> list[dict[str, Any]]:
        """Every terminal with its last heartbeat (Storage.terminals)."""
        return self.central.terminals()


class SecurityHeaders:
    """ASGI middleware: the console's security headers on every /console response."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PREFIX):
            await self.app(scope, receive, send)
            return

        async def _send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    h
                    for h in message.get("headers", [])
                    if h[0].lower() not in {k for k, _ in SECURITY_HEADERS}
                ]
                headers += SECURITY_HEADERS
                if not scope["path"].startswith(PREFIX + "/static/"):
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, _send)


def console(request: Request) -> Console:
    """The console context of the app serving this request."""
    return request.app.state.console


def client(request: Request) -> str:
    """The peer address, for the audit log."""
    return request.client.host if request.client else ""


async def form(request: Request) -> dict[str, str]:
    """An urlencoded form body (first value of each field); anything else is an empty form."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if ctype != "application/x-www-form-urlencoded" or len(body) > MAX_FORM_BYTES:
        return {}
    out: dict[str, str] = {}
    for k, v in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
        out.setdefault(k, v.replace("\x00", ""))
    return out


def current(request: Request) -> sessions.Session | None:
    """The session of the request's cookie, or None."""
    ctx = console(request)
    with ctx.db.transaction() as db:
        return sessions.find_session(db, request.cookies.get(sessions.COOKIE), ctx.clock())


def require(request: Request, permission: Permission) -> sessions.Session:
    """The session, if its role allows `permission`; raises Forbidden (or LoginNeeded)."""
    s = current(request)
    if s is None:
        raise LoginNeeded()
    if not s.staff.role.allows(permission):
        raise Forbidden(permission.value)
    return s


def check_csrf(s: sessions.Session, fields: dict[str, str]) -> None:
    """Raise CsrfRejected unless the form carries the session's token."""
    if not sessions.csrf_ok(s.csrf, fields.get("csrf")):
        raise CsrfRejected()


class LoginNeeded(Exception):
    """No valid session: the page redirects to the login form."""


NAV = (
    ("overview", "总览", Permission.VIEW, PREFIX + "/"),
    ("fleet", "终端", Permission.VIEW, PREFIX + "/fleet"),
    ("catalogue", "事项目录", Permission.VIEW, PREFIX + "/catalogue"),
    ("ratings", "好差评", Permission.VIEW, PREFIX + "/ratings"),
    ("stats", "统计", Permission.VIEW, PREFIX + "/stats"),
    ("staff", "账号", Permission.ADMIN, PREFIX + "/staff"),
    ("audit", "审计日志", Permission.ADMIN, PREFIX + "/audit"),
)


def page(
    request: Request, template: str, s: sessions.Session | None, status: int = 200, **values: Any
) -> HTMLResponse:
    """Render a page with the layout's navigation for the signed-in role."""
    role: Role | None = s.staff.role if s else None
    nav = [(key, label, href) for key, label, perm, href in NAV if role and role.allows(perm)]
    html = env.get_template(template).render(
        request=request, session=s, nav=nav, prefix=PREFIX, **values
    )
    return HTMLResponse(html, status_code=status)


def redirect(path: str) -> RedirectResponse:
    """303 to a console path (after a form POST, so a reload does not repeat it)."""
    return RedirectResponse(PREFIX + path, status_code=303)


def set_cookie(
    request: Request, response: Response, name: str, value: str, max_age: int | None
) -> None:
    """A console cookie: HttpOnly, SameSite=Strict, Secure over TLS, scoped to /console."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=PREFIX,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )

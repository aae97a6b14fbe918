"""The console's pages: login/logout, overview, fleet, one terminal, staff accounts, audit log."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from central.console import accounts, audit, figures, sessions
from central.console import fleet as fleet_vm
from central.console.accounts import Permission
from central.console.errors import AccountError, CsrfRejected, Forbidden
from central.console.store import ConsoleStore
from central.console.web import (
    PREFIX,
    Console,
    LoginNeeded,
    SecurityHeaders,
    check_csrf,
    client,
    console,
    current,
    form,
    page,
    redirect,
    require,
    set_cookie,
)

log = logging.getLogger(__name__)

router = APIRouter(prefix=PREFIX, include_in_schema=False)

LOGIN_FAILED = "用户名或密码不正确，或账号已被暂时锁定。多次失败后锁定时间会加倍。"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    """The login form, with a fresh double-submit CSRF token."""
    if current(request) is not None:
        return redirect("/")
    return _login_page(request, "")


def _login_page(request: Request, error: str, status: int = 200) -> Response:
    token = sessions.new_token()
    resp = page(request, "login.html", None, status, csrf=token, error=error)
    set_cookie(request, resp, sessions.LOGIN_COOKIE, token, 600)
    return resp


@router.post("/login")
async def login(request: Request) -> Response:
    """Check name and password; on success open a session and go to the overview."""
    ctx = console(request)
    fields = await form(request)
    if not sessions.csrf_ok(request.cookies.get(sessions.LOGIN_COOKIE), fields.get("csrf")):
        return _login_page(request, "页面已过期，请重新登录。", 403)
    name = fields.get("name", "").strip()[:40]
    now = ctx.clock()
    with ctx.db.transaction() as db:
        result = accounts.check_login(db, name, fields.get("password", ""), now)
        if result.staff is None:
            audit.record(
                db, now, name or "-", "login_failed", detail=result.reason, client=client(request)
            )
            log.info("console login refused (%s)", result.reason)
            return _login_page(request, LOGIN_FAILED, 401)
        token, _s = sessions.open_session(db, result.staff, now)
        audit.record(db, now, name, "login", client=client(request))
    resp = redirect("/")
    set_cookie(request, resp, sessions.COOKIE, token, int(sessions.LIFETIME_S))
    resp.delete_cookie(sessions.LOGIN_COOKIE, path=PREFIX)
    return resp


@router.post("/logout")
async def logout(request: Request) -> Response:
    """End the session (the cookie stops working server-side at once)."""
    s = require(request, Permission.VIEW)
    check_csrf(s, await form(request))
    ctx = console(request)
    with ctx.db.transaction() as db:
        sessions.close_session(db, request.cookies.get(sessions.COOKIE))
        audit.record(db, ctx.clock(), s.staff.name, "logout", client=client(request))
    resp = redirect("/login")
    resp.delete_cookie(sessions.COOKIE, path=PREFIX)
    return resp


@router.get("/", response_class=HTMLResponse)
def overview(request: Request) -> Response:
    """Terminals online/offline, faults now, today's cases and ratings, 30-day charts."""
    s = require(request, Permission.VIEW)
    ctx = console(request)
    now = ctx.clock()
    with ctx.db.transaction() as db:
        rows = fleet_vm.fleet(db, ctx.terminals(), now, ctx.offline_after_s)
        act = figures.activity(db, now)
    h = getattr(request.app.state.service, "haocha", None)
    overdue = None
    if h is not None:
        from central.haocha import workflow

        overdue = len(workflow.listing(h.engine, now, overdue=True))
    return page(
        request,
        "overview.html",
        s,
        rows=rows,
        act=act,
        now=now,
        overdue=overdue,
        online=sum(r.online for r in rows),
        faulty=[r for r in rows if r.faults],
        cases_chart=figures.bar_chart(act.cases_by_day, "近30天每日办件量"),
        ratings_chart=figures.bar_chart(act.ratings_by_day, "近30天每日评价数"),
    )


@router.get("/fleet", response_class=HTMLResponse)
def fleet(request: Request, state: str = "", region: str = "") -> Response:
    """Every terminal with last heartbeat and device states; filter by state and region."""
    s = require(request, Permission.VIEW)
    ctx = console(request)
    now = ctx.clock()
    region = "".join(ch for ch in region if ch.isdigit())[:12]
    with ctx.db.transaction() as db:
        rows = fleet_vm.fleet(db, ctx.terminals(), now, ctx.offline_after_s)
    shown = fleet_vm.filtered(rows, state or None, region or None)
    regions = sorted({r.region_code for r in rows if r.region_code})
    return page(
        request,
        "fleet.html",
        s,
        rows=shown,
        total=len(rows),
        now=now,
        state=state,
        region=region,
        regions=regions,
        states=fleet_vm.STATE_LABELS,
    )


@router.get("/terminals/{terminal_id}", response_class=HTMLResponse)
def terminal(request: Request, terminal_id: str) -> Response:
    """One terminal: its last heartbeat, every device with detail, versions."""
    s = require(request, Permission.VIEW)
    ctx = console(request)
    now = ctx.clock()
    with ctx.db.transaction() as db:
        rows = fleet_vm.fleet(db, ctx.terminals(), now, ctx.offline_after_s)
    row = next((r for r in rows if r.terminal_id == terminal_id), None)
    if row is None:
        return page(
            request,
            "message.html",
            s,
            404,
            title="没有这台终端",
            message="终端编号不存在，请从终端列表进入。",
        )
    return page(request, "terminal.html", s, t=row, now=now)


@router.get("/staff", response_class=HTMLResponse)
def staff(request: Request) -> Response:
    """Accounts (admin only)."""
    s = require(request, Permission.ADMIN)
    ctx = console(request)
    with ctx.db.transaction() as db:
        rows = accounts.accounts(db)
    return page(
        request,
        "staff.html",
        s,
        rows=rows,
        role_labels={r.value: r.label for r in accounts.Role},
        now=ctx.clock(),
    )


@router.post("/staff/{name}/disable")
async def disable(request: Request, name: str) -> Response:
    """Disable an account and end its sessions (admin only)."""
    s = require(request, Permission.ADMIN)
    check_csrf(s, await form(request))
    ctx = console(request)
    with ctx.db.transaction() as db:
        try:
            accounts.set_disabled(db, name, True)
        except AccountError as exc:
            return page(request, "message.html", s, 404, title="无法停用", message=str(exc))
        sessions.close_sessions_of(db, name)
        audit.record(
            db, ctx.clock(), s.staff.name, "staff_disable", target=name, client=client(request)
        )
    return redirect("/staff")


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, who: str = "") -> Response:
    """The newest 200 audit entries (admin only)."""
    s = require(request, Permission.ADMIN)
    ctx = console(request)
    with ctx.db.transaction() as db:
        rows = audit.recent(db, 200, who[:40] or None)
    return page(request, "audit.html", s, rows=rows, who=who[:40])


def install(
    app: FastAPI,
    store: Any,
    *,
    clock: Any,
    offline_after_s: float,
    db: str | Path | Engine | None = None,
) -> Console:
    """Serve the console under /console on `app` (one call from central's app factory).

    `store` is central's Storage; the console's own tables live in the same database (`db`,
    default the Storage's file)."""
    from central.console import catalogue_views, haocha_views

    if db is None:
        from central.storage.engine import WRITE

        # central's own engine (SQLite or PostgreSQL); on SQLite every console transaction may
        # write, so it takes the write lock at BEGIN like central's writers do
        db = store.engine.execution_options(**{WRITE: True})
    ctx = Console(ConsoleStore(db), clock, offline_after_s, store)
    app.state.console = ctx
    app.include_router(router)
    app.include_router(catalogue_views.router)
    app.include_router(haocha_views.router)
    app.mount(
        PREFIX + "/static",
        StaticFiles(packages=[("central.console", "static")]),
        name="console-static",
    )
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(LoginNeeded)
    async def _login(request: Request, _exc: LoginNeeded) -> Response:
        return redirect("/login")

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, _exc: Forbidden) -> Response:
        return page(
            request,
            "message.html",
            current(request),
            403,
            title="无权访问",
            message="您的角色不能使用此页面。如需权限，请联系管理员。",
        )

    @app.exception_handler(CsrfRejected)
    async def _csrf(request: Request, _exc: CsrfRejected) -> Response:
        return page(
            request,
            "message.html",
            current(request),
            403,
            title="请求已过期",
            message="表单已失效（缺少或错误的安全令牌）。请返回页面重新操作。",
        )

    return ctx

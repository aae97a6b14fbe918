"""好差评 pages: 差评 follow-ups (核实, 回访, 整改, 申诉), the callback phone, exports, statistics."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from central.console import audit, export
from central.console.accounts import Permission
from central.console.figures import beijing_day, day_start
from central.console.web import check_csrf, client, console, form, page, redirect, require
from kiosk import central_api as api

log = logging.getLogger(__name__)

router = APIRouter(prefix="/console", include_in_schema=False)
STATES = [s.value for s in api.FollowUpState]
RECTIFICATIONS = {"immediate": "立行立改", "deadline": "限期整改", "explained": "解释说明"}
GROUPS = {"item": "事项", "department": "部门", "hall": "大厅", "terminal": "终端"}


def _haocha(request: Request) -> Any:
    return request.app.state.service.haocha


def labels(request: Request) -> dict[str, Any]:
    """Chinese names for item codes and reason codes (dictionary, then the built-in tags)."""
    h = _haocha(request)
    reasons = {t.code: t.zh for t in api.DEFAULT_RATING_TAGS}
    d = h.dictionaries.current()[0]
    for texts in d.reasons_by_level.values():
        reasons.update({t.code: t.zh for t in texts})
    return {"item_name": lambda code: h.item_names(code)[0], "reason": reasons}


def _followup(request: Request, followup_id: int) -> api.FollowUp | None:
    from central.haocha import workflow

    h = _haocha(request)
    for f in workflow.listing(h.engine, console(request).clock(), phones=h.masked_phones()):
        if f.followup_id == followup_id:
            return f
    return None


@router.get("/ratings", response_class=HTMLResponse)
def followups(request: Request, state: str = "", overdue: str = "") -> Response:
    """差评 follow-ups with deadlines; filter by state and overdue."""
    from central.haocha import workflow

    s = require(request, Permission.VIEW)
    h = _haocha(request)
    st = api.FollowUpState(state) if state in STATES else None
    od = {"1": True, "0": False}.get(overdue)
    items = workflow.listing(h.engine, console(request).clock(), st, od, h.masked_phones())
    today = beijing_day(console(request).clock())
    return page(
        request,
        "ratings.html",
        s,
        active="ratings",
        items=list(reversed(items)),
        states=STATES,
        state=state,
        overdue=overdue,
        today=today,
        first=(today - timedelta(days=29)).isoformat(),
        last=today.isoformat(),
        can_export=s.staff.role.allows(Permission.RATINGS),
        **labels(request),
    )


@router.get("/ratings/followups/{followup_id}", response_class=HTMLResponse)
def followup(request: Request, followup_id: int) -> Response:
    """One 差评: its steps, what can be done next."""
    s = require(request, Permission.VIEW)
    return _followup_page(request, s, followup_id)


def _followup_page(
    request: Request,
    s: Any,
    followup_id: int,
    *,
    phone: str | None = None,
    error: str = "",
    status: int = 200,
) -> Response:
    from central.haocha.workflow import TRANSITIONS

    f = _followup(request, followup_id)
    if f is None:
        return page(
            request, "message.html", s, 404, title="没有这条差评", message="请从好差评列表进入。"
        )
    return page(
        request,
        "followup.html",
        s,
        status,
        active="ratings",
        f=f,
        phone=phone,
        error=error,
        next_states=[x.value for x in api.FollowUpState if x in TRANSITIONS[f.state]],
        rectifications=RECTIFICATIONS,
        **labels(request),
        can_act=s.staff.role.allows(Permission.RATINGS),
    )


@router.post("/ratings/followups/{followup_id}/step")
async def add_step(request: Request, followup_id: int) -> Response:
    """Move a 差评 on: who (the signed-in staff), when (now), what (the note)."""
    from central.haocha.errors import BadTransition, HaochaError
    from central.haocha.workflow import step

    s = require(request, Permission.RATINGS)
    fields = await form(request)
    check_csrf(s, fields)
    ctx = console(request)
    try:
        action = api.FollowUpAction.model_validate(
            {
                "to": fields.get("to", ""),
                "note": fields.get("note", "").strip(),
                "rectification": fields.get("rectification") or None,
            }
        )
    except ValidationError:
        return _followup_page(
            request,
            s,
            followup_id,
            status=422,
            error="请选择下一步并填写处理说明（关闭时还需选择整改方式）。",
        )
    now = ctx.clock()
    try:
        step(_haocha(request).engine, followup_id, action, s.staff.name, now)
    except BadTransition as exc:
        return _followup_page(request, s, followup_id, status=409, error=f"不能这样处理：{exc}")
    except HaochaError:
        return page(request, "message.html", s, 404, title="没有这条差评", message="请从列表进入。")
    with ctx.db.transaction() as db:
        audit.record(
            db,
            now,
            s.staff.name,
            "followup_step",
            f"followup {followup_id}",
            action.to.value,
            client(request),
        )
    if _haocha(request).loop is not None:
        _haocha(request).loop.wake()
    return redirect(f"/ratings/followups/{followup_id}")


@router.post("/ratings/followups/{followup_id}/phone", response_class=HTMLResponse)
async def reveal_phone(request: Request, followup_id: int) -> Response:
    """Show the full callback phone once, to the rating role, and write it in the audit log."""
    from central.haocha.records import full_record

    s = require(request, Permission.RATINGS)
    check_csrf(s, await form(request))
    f = _followup(request, followup_id)
    if f is None:
        return page(request, "message.html", s, 404, title="没有这条差评", message="请从列表进入。")
    h = _haocha(request)
    rec = full_record(h.engine, h.sealer, f.rating_id)
    phone = rec.phone if rec else None
    ctx = console(request)
    with ctx.db.transaction() as db:
        audit.record(
            db,
            ctx.clock(),
            s.staff.name,
            "phone_reveal",
            f"followup {followup_id}",
            f.case_no,
            client(request),
        )
    return _followup_page(request, s, followup_id, phone=phone or "（未留电话）")


def _period(first: str, last: str, today: date) -> tuple[date, date] | None:
    try:
        a = date.fromisoformat(first) if first else today - timedelta(days=29)
        b = date.fromisoformat(last) if last else today
    except ValueError:
        return None
    if b < a or (b - a).days > 3660 or a.year < 2000:
        return None
    return a, b


@router.get("/ratings/export")
def export_ratings(
    request: Request, first: str = "", last: str = "", format: str = "xlsx"
) -> Response:
    """Ratings of a period as XLSX or CSV (cells neutralised against formula injection)."""
    s = require(request, Permission.RATINGS)
    ctx = console(request)
    period = _period(first, last, beijing_day(ctx.clock()))
    if period is None or format not in ("xlsx", "csv"):
        return page(
            request,
            "message.html",
            s,
            422,
            title="无法导出",
            message="请填写正确的起止日期（YYYY-MM-DD，结束不早于开始）。",
        )
    a, b = period
    table = export.rows(ctx.central.ratings(day_start(a), day_start(b) + 86400, None))
    with ctx.db.transaction() as db:
        audit.record(
            db,
            ctx.clock(),
            s.staff.name,
            "ratings_export",
            f"{a}..{b}",
            f"{len(table) - 1} rows {format}",
            client(request),
        )
    name = f"ratings-{a:%Y%m%d}-{b:%Y%m%d}.{format}"
    if format == "csv":
        return Response(
            export.to_csv(table),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return Response(
        export.to_xlsx(table),
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@router.get("/stats", response_class=HTMLResponse)
def stats(
    request: Request, first: str = "", last: str = "", region: str = "", group_by: str = "item"
) -> Response:
    """满意率, 差评, 整改率 and on-time rate for a period and region; printable."""
    from central.haocha import stats as hstats

    s = require(request, Permission.VIEW)
    ctx = console(request)
    today = beijing_day(ctx.clock())
    period = _period(first, last, today)
    region = "".join(ch for ch in region if ch.isdigit())[:12]
    if group_by not in GROUPS:
        group_by = "item"
    if period is None:
        return page(
            request,
            "message.html",
            s,
            422,
            title="日期有误",
            message="请填写正确的起止日期（YYYY-MM-DD，结束不早于开始）。",
        )
    h = _haocha(request)
    figures = hstats.compute(
        h.engine,
        period[0],
        period[1],
        region if len(region) >= 2 else None,
        group_by,  # type: ignore[arg-type]
        h.item_names,
    )
    return page(
        request,
        "stats.html",
        s,
        active="stats",
        st=figures,
        first=period[0].isoformat(),
        last=period[1].isoformat(),
        region=region,
        group_by=group_by,
        groups=GROUPS,
    )

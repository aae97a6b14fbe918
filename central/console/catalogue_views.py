"""Catalogue pages: active version, upload a signed bundle, diff, pilot group, publish to all."""

from __future__ import annotations

import logging
import re

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import text

from central.console import audit
from central.console.accounts import Permission
from central.console.web import check_csrf, client, console, form, page, redirect, require
from central.errors import BundleRejected, NotNewer
from central.rollout import diff as cdiff
from central.rollout import stages
from central.rollout.errors import RolloutError

log = logging.getLogger(__name__)

router = APIRouter(prefix="/console/catalogue", include_in_schema=False)
MAX_BUNDLE = 4 * 1024 * 1024
ID_SPLIT = re.compile(r"[\s,，;；]+")


def _overview(request: Request, s, error: str = "", status: int = 200) -> Response:  # type: ignore[no-untyped-def]
    ctx = console(request)
    pub = ctx.central.published()
    terminals = {t["terminal_id"]: t for t in ctx.terminals()}
    with ctx.db.transaction() as db:
        hist = stages.history(db)
        pilots = stages.pilot_ids(db)
        published = [
            dict(r)
            for r in db.execute(
                text(
                    "SELECT version, items, published_at, published_by FROM catalogues "
                    "ORDER BY version DESC LIMIT 50"
                )
            ).mappings()
        ]
    pilot = next((h for h in hist if h.state == stages.Stage.PILOT), None)
    return page(
        request,
        "catalogue.html",
        s,
        status,
        active="catalogue",
        pub=pub,
        history=hist,
        pilots=[(tid, terminals.get(tid, {}).get("catalogue_version")) for tid in pilots],
        pilot=pilot,
        error=error,
        published=published,
        can_publish=s.staff.role.allows(Permission.PUBLISH),
        adopted=sum(
            1
            for tid in pilots
            if pilot and terminals.get(tid, {}).get("catalogue_version") == pilot.version
        ),
        counts=_counts(terminals, pub.version if pub else None),
    )


def _counts(terminals: dict, version: int | None) -> dict[str, int]:  # type: ignore[type-arg]
    on = sum(
        1
        for t in terminals.values()
        if version is not None and t.get("catalogue_version") == version
    )
    return {"total": len(terminals), "on_active": on}


@router.get("", response_class=HTMLResponse)
def overview(request: Request) -> Response:
    """The active catalogue, uploaded versions, the pilot group and who runs what."""
    return _overview(request, require(request, Permission.VIEW))


@router.post("/upload")
async def upload(request: Request) -> Response:
    """Verify an uploaded signed bundle (signature, schema, version) and stage it."""
    s = require(request, Permission.PUBLISH)
    ctx = console(request)
    try:
        async with request.form(max_files=1, max_fields=4) as data:
            csrf = str(data.get("csrf", ""))
            item = data.get("bundle")
            bundle = (
                b"" if item is None or isinstance(item, str) else await item.read(MAX_BUNDLE + 1)
            )
    except Exception:  # python-multipart refuses malformed bodies; nothing was stored
        return _overview(request, s, "上传内容无法解析，请选择一个签名目录文件（JSON）。", 400)
    check_csrf(s, {"csrf": csrf})
    if not bundle:
        return _overview(request, s, "请选择要上传的签名目录文件。", 400)
    if len(bundle) > MAX_BUNDLE:
        return _overview(request, s, "文件超过 4 MB，不是目录文件。", 413)
    now = ctx.clock()
    try:
        with ctx.db.transaction() as db:
            staged = stages.stage(db, ctx.central, bundle, s.staff.name, now)
            audit.record(
                db,
                now,
                s.staff.name,
                "catalogue_upload",
                f"v{staged.version}",
                f"{staged.items} items",
                client(request),
            )
    except BundleRejected as exc:
        return _overview(request, s, f"目录未通过校验（签名、格式或有效期）：{exc}", 422)
    except (NotNewer, RolloutError) as exc:
        return _overview(request, s, f"不能上传：{exc}", 409)
    return redirect(f"/catalogue/{staged.version}")


@router.get("/{version}", response_class=HTMLResponse)
def detail(request: Request, version: int) -> Response:
    """A staged version: its diff against the active catalogue, and what can be done next."""
    s = require(request, Permission.VIEW)
    ctx = console(request)
    with ctx.db.transaction() as db:
        try:
            st = stages.get(db, version)
        except RolloutError:
            return page(
                request, "message.html", s, 404, title="没有这个版本", message="该版本未上传过。"
            )
        new = cdiff.catalogue_of(stages.bundle_of(db, version))
        pilots = stages.pilot_ids(db)
    pub = ctx.central.published()
    old = cdiff.catalogue_of(pub.bundle) if pub and pub.version != version else None
    d = cdiff.diff(old, new)  # type: ignore[arg-type]
    return page(
        request,
        "catalogue_version.html",
        s,
        active="catalogue",
        st=st,
        d=d,
        pub=pub,
        pilots=pilots,
        can_publish=s.staff.role.allows(Permission.PUBLISH),
    )


async def _step(request: Request, version: int, action: str) -> Response:
    s = require(request, Permission.PUBLISH)
    check_csrf(s, await form(request))
    ctx = console(request)
    now = ctx.clock()
    try:
        if action == "all":
            stages.publish_all(ctx.db, ctx.central, version, s.staff.name, now)
        with ctx.db.transaction() as db:
            if action == "pilot":
                stages.start_pilot(db, version, s.staff.name, now)
            elif action == "withdraw":
                stages.withdraw(db, version, s.staff.name, now)
            audit.record(
                db, now, s.staff.name, f"catalogue_{action}", f"v{version}", client=client(request)
            )
    except (RolloutError, BundleRejected, NotNewer) as exc:
        return page(request, "message.html", s, 409, title="无法执行", message=str(exc))
    return redirect(f"/catalogue/{version}")


@router.post("/{version}/pilot")
async def pilot(request: Request, version: int) -> Response:
    """Serve the version to the pilot group."""
    return await _step(request, version, "pilot")


@router.post("/{version}/all")
async def publish_all(request: Request, version: int) -> Response:
    """Publish the version to every terminal."""
    return await _step(request, version, "all")


@router.post("/{version}/withdraw")
async def withdraw(request: Request, version: int) -> Response:
    """Stop the version before it reaches everyone."""
    return await _step(request, version, "withdraw")


@router.post("/pilots")
async def set_pilots(request: Request) -> Response:
    """Replace the pilot group with the listed terminal ids."""
    s = require(request, Permission.PUBLISH)
    fields = await form(request)
    check_csrf(s, fields)
    ctx = console(request)
    ids = [t for t in ID_SPLIT.split(fields.get("terminals", "")) if t][:500]
    known = {t["terminal_id"] for t in ctx.terminals()}
    now = ctx.clock()
    try:
        with ctx.db.transaction() as db:
            group = stages.set_pilots(db, ids, known, s.staff.name, now)
            audit.record(
                db,
                now,
                s.staff.name,
                "pilot_group",
                detail=" ".join(group)[:500],
                client=client(request),
            )
    except RolloutError as exc:
        return _overview(request, s, f"试点组未保存：{exc}", 422)
    return redirect("/catalogue")

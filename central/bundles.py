"""一件事一次办 (issue 23): a bundle request on POST /v1/submissions becomes one case per
accepted item plus a bundle record whose number the citizen keeps; each item is answered on
its own (a rejected item says why and what next while the others stand).

Called from the submissions handler through one dispatch line (`is_bundle` / `submit`); uses
only the service's existing methods (active catalogue, idempotency, new_case)."""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from central.errors import ApiError
from central.sandbox import bundles as sandbox
from kiosk import central_api as api

log = logging.getLogger(__name__)

CN_TZ = timezone(timedelta(hours=8))
ENDPOINT = "POST /v1/submissions"
APPLY_KINDS = frozenset({"apply", "appointment"})


@dataclass(frozen=True)
class BundleInfo:
    """What central needs of a catalogue bundle: its name and its items in order."""

    code: str
    name: str
    items: tuple[str, ...]


_cache: dict[int, dict[str, BundleInfo]] = {}
_lock = threading.Lock()


def is_bundle(body: bytes) -> bool:
    """Whether a submissions body is a bundle request (it carries `bundle_code`)."""
    if b'"bundle_code"' not in body:
        return False
    try:
        data = json.loads(body)
    except ValueError:
        return False
    return isinstance(data, dict) and "bundle_code" in data


def catalogue_bundles(store: Any) -> dict[str, BundleInfo]:
    """Bundles of the published catalogue (parsed once per version); {} when none is published."""
    pub = store.published()
    if pub is None:
        return {}
    with _lock:
        if pub.version not in _cache:
            data = json.loads(pub.bundle)["catalogue"]
            _cache.clear()
            _cache[pub.version] = {
                str(b["code"]): BundleInfo(
                    str(b["code"]), str(b.get("name_zh", "")), tuple(map(str, b.get("items", ())))
                )
                for b in data.get("bundles", [])
                if isinstance(b, dict) and b.get("code")
            }
        return _cache[pub.version]


def _parse(body: bytes) -> api.BundleSubmission:
    # the same strict JSON and non-echoing 422s as every other request (central.wire)
    from central.wire import parse

    return parse(api.BundleSubmission, body)


def _item_result(
    svc: Any, db: Any, now: float, sub: api.BundleSubmission, item: api.BundleItem, terminal_id: str
) -> api.BundleItemResult:
    info = svc.active().items.get(item.item_code)
    if info is None or not info.enabled:
        return api.BundleItemResult(
            item_code=item.item_code,
            accepted=False,
            error="item_unavailable",
            message="该事项目前暂停受理",
            next_step="请到政务服务中心综合咨询台咨询办理方式",
        )
    if info.kind not in APPLY_KINDS:
        return api.BundleItemResult(
            item_code=item.item_code,
            accepted=False,
            error="wrong_item_kind",
            message="该事项不能随一件事提交",
            next_step="请在本机单独办理该事项",
        )
    refusal = sandbox.check_item(
        item.item_code, item.fields, datetime.fromtimestamp(now, CN_TZ).date()
    )
    if refusal is not None:
        return api.BundleItemResult(
            item_code=item.item_code,
            accepted=False,
            error=refusal.code,
            message=refusal.message,
            next_step=refusal.next_step,
        )
    case_no = svc.new_case(
        db,
        now,
        "apply",
        item.item_code,
        sub.region_code,
        terminal_id,
        sub.applicant.id_number,
        sorted(item.fields),
        None,
    )
    return api.BundleItemResult(
        item_code=item.item_code, accepted=True, case_no=case_no, status=api.CaseState.RECEIVED
    )


def submit(svc: Any, request: Request, body: bytes, terminal_id: str) -> Response:
    """A bundle request: the bundle record and each item's answer, once per Idempotency-Key."""
    sub = _parse(body)
    known = catalogue_bundles(svc.store)
    info = known.get(sub.bundle_code)
    if info is None:
        raise ApiError(404, "unknown_bundle", f"no bundle {sub.bundle_code} in the catalogue")
    codes = [i.item_code for i in sub.items]
    stray = [c for c in codes if c not in info.items]
    if stray:
        raise ApiError(
            422,
            "not_in_bundle",
            f"item(s) {', '.join(stray)[:200]} are not part of {sub.bundle_code}",
        )

    def work(db: Any, now: float) -> tuple[int, api.BundleAccepted]:
        bundle_no = svc.new_case(
            db,
            now,
            "apply",
            sub.bundle_code,
            sub.region_code,
            terminal_id,
            sub.applicant.id_number,
            codes,
            sub.local_ref,
        )
        results = [_item_result(svc, db, now, sub, item, terminal_id) for item in sub.items]
        first = next((r for r in results if r.accepted), None)
        log.info(
            "bundle %s %s: %d of %d items accepted",
            sub.bundle_code,
            bundle_no,
            sum(r.accepted for r in results),
            len(results),
        )
        return 201, api.BundleAccepted(
            bundle_no=bundle_no,
            case_no=first.case_no if first and first.case_no else bundle_no,
            status=api.CaseState.RECEIVED if first else api.CaseState.REJECTED,
            received_at=datetime.fromtimestamp(now, UTC),
            items=results,
        )

    return svc.idempotent(request, terminal_id, body, ENDPOINT, work)  # type: ignore[arg-type]

"""A bundle through the outbox like any submission: on disk first (one row, one idempotency
key, one provisional number), then central's answer for each item read back from that row."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping, Sequence
from typing import Any

from kiosk.bundle.model import BundleSubmitted, ItemOutcome
from kiosk.session.ports import CentralUnavailable

log = logging.getLogger(__name__)


def answer_of(outbox: Any, row_id: int) -> dict[str, Any] | None:
    """Central's stored answer of a delivered outbox row (None if none)."""
    rows = outbox._read("SELECT answer FROM outbox WHERE id=?", (row_id,))
    if not rows or not rows[0][0]:
        return None
    try:
        data = json.loads(rows[0][0])
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def outcomes(answer: Mapping[str, Any], names: Mapping[str, str]) -> tuple[ItemOutcome, ...]:
    """Each item's outcome from central's BundleAccepted answer."""
    out = []
    for r in answer.get("items", []):
        code = str(r.get("item_code", ""))
        out.append(
            ItemOutcome(
                code,
                names.get(code, code),
                str(r.get("case_no") or ""),
                bool(r.get("accepted")),
                str(r.get("status") or ""),
                str(r.get("message") or ""),
                str(r.get("next_step") or ""),
            )
        )
    return tuple(out)


def submit_bundle(
    port: Any,
    bundle_code: str,
    items: Sequence[tuple[str, dict[str, Any]]],
    payload: Mapping[str, Any],
    names: Mapping[str, str],
) -> BundleSubmitted:
    """Queue the bundle (kiosk.adapters.CentralPort's outbox), wait briefly for central."""
    body: dict[str, Any] = {
        "bundle_code": bundle_code,
        "region_code": port.region_code,
        "applicant": port._identity(payload),
        "items": [{"item_code": c, "fields": f} for c, f in items],
    }
    queued = port._enqueue("submission", body)
    deadline = time.monotonic() + port.wait_delivery_s
    while time.monotonic() < deadline:
        row = port.outbox.get(queued.id)
        if row is not None and row.case_no:
            answer = answer_of(port.outbox, queued.id) or {}
            return BundleSubmitted(
                str(answer.get("bundle_no") or row.case_no),
                provisional=False,
                status=str(answer.get("status") or "received"),
                items=outcomes(answer, names),
            )
        if row is not None and row.state.value == "dead":
            raise CentralUnavailable(row.last_error or "refused")
        time.sleep(0.05)
    prov = queued.provisional_no or ""
    return BundleSubmitted(
        prov,
        provisional=True,
        status="queued",
        items=tuple(ItemOutcome(c, names.get(c, c), "", True, "queued") for c, _ in items),
    )


def case_for_item(outbox: Any, ref: Any, item_code: str) -> str | None:
    """For a rating queued against a bundle's provisional number: the case central gave its
    item (None: not a bundle; "": the item was not accepted, so there is nothing to rate)."""
    answer = answer_of(outbox, ref.row_id)
    if not answer or "bundle_no" not in answer:
        return None
    for r in answer.get("items", []):
        if r.get("item_code") == item_code:
            return str(r.get("case_no") or "") if r.get("accepted") else ""
    return ""

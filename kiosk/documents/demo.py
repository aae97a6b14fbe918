"""Specimen documents (样张) of the demo catalogue: `kiosk document render --demo`, shots, bench.

A specimen carries a code that central never issued, so it says 样张 across every page: it shows
the layout, it certifies nothing.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from kiosk.catalogue.model import Item
from kiosk.documents.clock import local_time
from kiosk.documents.content import DocumentData, Verification, build_document

DEMO_NAME = "王小明"
DEMO_ID = "610902199101010010"
SPECIMEN_CODE = "00000-00000-00000-00000"
SPECIMEN_URL = "http://127.0.0.1:8000/verify/" + SPECIMEN_CODE


def specimen(
    item: Item,
    *,
    now: float | None = None,
    months: int | None = None,
    terminal_id: str = "DEMO-T01",
    hall_name: str = "市政务服务中心24小时自助服务区",
) -> DocumentData:
    """The specimen document of `item` with the sandbox's synthetic answer for the demo holder."""
    # the embedded sandbox's deterministic data (same as the demo terminal)
    from central.sandbox import queries

    ts = time.time() if now is None else now
    local = local_time(ts)
    fields: dict[str, Any] = {"id_number": DEMO_ID, "uscc": "91110000600037341L"}
    params: dict[str, Any] = {"period": "m12"}
    if months is not None:
        start = (local.date().replace(day=1) - timedelta(days=31 * months)).replace(day=1)
        params = {"start": start.isoformat(), "end": local.date().isoformat()}
    for f in item.fields:
        if f.type == "choice" and f.options:
            fields[f.name] = f.options[0].zh
            params.setdefault(f.name, f.options[0].value)
    ans = queries.answer(item.code, item.name_zh, DEMO_ID, local.date(), params)
    session = {
        "holder_name": DEMO_NAME,
        "holder_id_number": DEMO_ID,
        "terminal_id": terminal_id,
        "hall_name": hall_name,
        "time": local.strftime("%Y-%m-%d %H:%M"),
    }
    expires = (local + timedelta(days=item.document.valid_days if item.document else 30)).date()
    doc = build_document(
        item,
        fields=fields,
        result=ans.values,
        session=session,
        columns=ans.columns,
        rows=ans.rows,
        verification=Verification(SPECIMEN_CODE, SPECIMEN_URL, expires.isoformat()),
        issued_at=local.strftime("%Y-%m-%d %H:%M"),
    )
    return DocumentData(**{**doc.__dict__, "specimen": True})

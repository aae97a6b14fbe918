"""What the printing screen says about an A4 document (the view-model calls `texts`).

A failed certificate always leaves the citizen a way forward: the 核验码 on screen (when central
registered the document, so it verifies) and 到服务窗口补打 — or, when nothing was registered,
the service number and the same window.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: Reasons with their own sentence (doc.reason.*); any other is doc.reason.fault.
REASONS = (
    "media_empty",
    "door_open",
    "media_jam",
    "toner_empty",
    "offline",
    "unreachable",
    "stopped",
    "not_accepting",
    "held",
    "canceled",
    "aborted",
    "timeout",
    "not_issued",
    "not_registered",
    "not_configured",
)
#: The document never reached central's register: its code does not verify, so it is not shown.
UNREGISTERED = (
    "not_issued",
    "not_registered",
    "not_configured",
    "render_failed",
    "font_missing",
    "seal_missing",
)


def is_document(engine: Any) -> bool:
    """Whether the session prints an A4 document (a `print` item with the document flow)."""
    item = engine.session.item
    return engine.documents is not None and item is not None and item.kind == "print"


def texts(engine: Any, tr: Callable[..., str]) -> dict[str, str]:
    """title, message, reason, number label, number, where to go and the QR (the verification
    page, which the citizen can keep on a phone) for the printing screen."""
    s = engine.session
    answer = s.outcome.answer if s.outcome else None
    issued = getattr(answer, "document", None)
    out = {
        "title": tr("doc.title"),
        "message": tr("doc." + (s.print_state or "busy")),
        "reason": "",
        "number_label": "",
        "number": "",
        "where": "",
        "qr": "",
    }
    if s.print_state != "failed":
        return out
    reason = s.print_reason or "fault"
    out["reason"] = tr(f"doc.reason.{reason}" if reason in REASONS else "doc.reason.fault")
    if issued is not None and reason not in UNREGISTERED:
        out["number_label"], out["number"] = tr("doc.code"), issued.code
        out["where"], out["qr"] = tr("doc.where_code"), issued.verify_url
    else:
        out["number_label"], out["number"] = tr("printing.case_no"), s.service_id
        out["where"], out["qr"] = tr("doc.where_case"), s.service_id
    return out

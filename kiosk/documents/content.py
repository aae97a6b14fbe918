"""What goes on an A4 document: a print item's layout filled from central's answer and the session."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from drivers.privacy import mask_id_issuer, mask_id_number, mask_name, mask_phone
from kiosk.catalogue.model import DocumentLayout, Item

__all__ = ["mask_id_issuer", "DocumentData", "Verification", "build_document"]
MASKERS = {
    "id_number_issuer": mask_id_issuer,
    "id_number": mask_id_number,
    "name": mask_name,
    "phone": mask_phone,
}


@dataclass(frozen=True)
class Verification:
    """Central's 核验码 of this document and where anyone checks it."""

    code: str
    url: str
    expires: str
    """Last day it verifies, YYYY-MM-DD (local)."""


@dataclass(frozen=True)
class DocumentData:
    """Everything a document shows (personal data: built for one print, never stored)."""

    title: str
    issuer: str
    seal: str
    lines: tuple[tuple[str, str], ...]
    verification: Verification
    issued_at: str
    """Local time of issue, YYYY-MM-DD HH:MM."""
    intro: str = ""
    table_title: str | None = None
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    footer: str = ""
    terminal_id: str = ""
    hall_name: str = ""
    item_code: str = ""
    specimen: bool = False
    """A 样张 (layout preview, code never issued by central): marked so on every page."""

    @property
    def issue_date(self) -> str:
        """2026年12月01日 (the date under the issuer's name)."""
        y, m, d = self.issued_at[:10].split("-")
        return f"{y}年{m}月{d}日"


def _resolve(
    ref: str, fields: Mapping[str, Any], result: Mapping[str, Any], session: Mapping[str, Any]
) -> str:
    scope, _, key = ref.partition(".")
    value = {"field": fields, "result": result, "session": session}.get(scope, {}).get(key)
    return "" if value is None else str(value)


def build_document(
    item: Item,
    *,
    fields: Mapping[str, Any],
    result: Mapping[str, Any],
    session: Mapping[str, Any],
    columns: Sequence[str] = (),
    rows: Sequence[Sequence[Any]] = (),
    verification: Verification,
    issued_at: str,
) -> DocumentData:
    """Fill `item`'s document layout (fields already shown as their Chinese option names)."""
    layout: DocumentLayout | None = item.document
    if layout is None:
        raise ValueError(f"item {item.code} has no document layout")
    lines = []
    for line in layout.lines:
        value = _resolve(line.ref, fields, result, session)
        if not value:
            continue  # nothing to certify on that line
        lines.append((line.label, MASKERS[line.mask](value) if line.mask else value))
    table = layout.table_title is not None
    return DocumentData(
        title=layout.title,
        issuer=layout.issuer,
        seal=layout.seal,
        lines=tuple(lines),
        verification=verification,
        issued_at=issued_at,
        intro=layout.intro,
        table_title=layout.table_title if table else None,
        columns=tuple(str(c) for c in columns) if table else (),
        rows=tuple(tuple(str(c) for c in r) for r in rows) if table else (),
        footer=layout.footer,
        terminal_id=str(session.get("terminal_id") or ""),
        hall_name=str(session.get("hall_name") or ""),
        item_code=item.code,
    )

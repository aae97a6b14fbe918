"""Turn an item's receipt layout and a session's values into a ReceiptDoc (masked where asked)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drivers.privacy import mask_id_number, mask_name, mask_phone
from kiosk.catalogue.model import Item
from kiosk.session.ports import QueryAnswer, ReceiptDoc

MASKERS = {"id_number": mask_id_number, "phone": mask_phone, "name": mask_name}


def _resolve(ref: str, fields: Mapping[str, Any], result: Mapping[str, Any],
             session: Mapping[str, Any]) -> str:
    scope, _, key = ref.partition(".")
    source = {"field": fields, "result": result, "session": session}.get(scope, {})
    value = source.get(key)
    return "" if value is None else str(value)


def build_receipt(item: Item, lang: str, *, fields: Mapping[str, Any], session: Mapping[str, Any],
                  answer: QueryAnswer | None = None) -> ReceiptDoc:
    """The receipt of `item` for this session; without a layout: the answer's title and rows."""
    en = lang == "en"
    result = dict(answer.values) if answer is not None else {}
    layout = item.receipt
    lines: list[tuple[str, str]] = []
    if layout is None:
        title = answer.title if answer is not None else item.name(lang)
        footer = ""
        qr = ""
    else:
        title = layout.title_en if en else layout.title_zh
        footer = layout.footer_en if en else layout.footer_zh
        for line in layout.lines:
            value = _resolve(line.ref, fields, result, session)
            if line.mask and value:
                value = MASKERS[line.mask](value)
            lines.append((line.label_en if en else line.label_zh, value))
        qr = _resolve(layout.qr, fields, result, session) if layout.qr else ""
    if answer is not None and answer.printable_lines:
        # central prepared the receipt text (masked): print it as given, under our title
        lines = []
        for text in answer.printable_lines[1:]:
            label, sep, value = text.partition("：")
            lines.append((label, value) if sep else ("", text))
    elif answer is not None:
        for row in answer.rows:
            if len(row) >= 2:
                lines.append((str(row[0]), " ".join(str(c) for c in row[1:])))
    # Every receipt carries a QR: what the layout names, else the case number, which any
    # terminal's 办件进度查询 reads from the scanner.
    qr = qr or str(session.get("case_no") or "")
    return ReceiptDoc(title=title, lines=tuple(lines), qr=qr or None, footer=footer)

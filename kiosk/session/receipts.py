"""Turn an item's receipt layout and a session's values into a ReceiptDoc (masked where asked).

Language: a receipt is in one language. Official documents (items of kind `print`: certificates,
licences, tax records) are always Chinese, as halls issue them; every other receipt follows the
session language. The terminal's own words (title, labels, footer, the names of central's table
columns and statuses it knows from assets/i18n `receipt.term.*`) are in that language; central's
data (names, addresses, unknown terms) is printed as central gives it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from drivers.printer.table import is_table_row, table_row
from drivers.privacy import mask_id_number, mask_name, mask_phone
from kiosk import resources
from kiosk.catalogue.model import Item
from kiosk.session.ports import QueryAnswer, ReceiptDoc

log = logging.getLogger(__name__)

MASKERS = {"id_number": mask_id_number, "phone": mask_phone, "name": mask_name}
I18N_DIR = resources.I18N_DIR
#: Kinds whose receipt is an official document: printed in Chinese whatever the session language.
OFFICIAL_KINDS = ("print",)
#: How central's prepared receipt text separates table cells.
CENTRAL_CELL_SEP = " | "
CENTRAL_LABEL_SEP = "："


@lru_cache(maxsize=4)
def texts(lang: str) -> dict[str, str]:
    """The texts of assets/i18n/{lang}.json (receipts use receipt.* and case.*)."""
    return json.loads((I18N_DIR / f"{lang}.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _terms_en() -> dict[str, str]:
    """Chinese term → English for the receipt.term.* keys."""
    zh, en = texts("zh_CN"), texts("en")
    return {
        zh[k]: en[k]
        for k in zh
        if k.startswith(("receipt.term.", "receipt.no_records")) and k in en
    }


def receipt_language(item: Item, lang: str) -> str:
    """The language of `item`'s receipt in a session in `lang` (official documents: Chinese)."""
    return "en" if lang == "en" and item.kind not in OFFICIAL_KINDS else "zh_CN"


def term(text: str, lang: str, central_en: Mapping[str, str] | None = None) -> str:
    """A Chinese term of central's (column name, status) in `lang`: the terminal's own word
    (sized for the paper), else central's English for this answer, else as given."""
    if lang != "en":
        return text
    return _terms_en().get(text) or (central_en or {}).get(text) or text


def _central_en(answer: QueryAnswer | None) -> dict[str, str]:
    """Central's English for one answer's words: its column labels and cell terms."""
    if answer is None:
        return {}
    cols = (
        dict(zip(answer.columns, answer.columns_en))
        if len(answer.columns_en) == len(answer.columns)
        else {}
    )
    return {**cols, **answer.terms_en}


def _resolve(
    ref: str, fields: Mapping[str, Any], result: Mapping[str, Any], session: Mapping[str, Any]
) -> str:
    scope, _, key = ref.partition(".")
    source = {"field": fields, "result": result, "session": session}.get(scope, {})
    value = source.get(key)
    return "" if value is None else str(value)


def _shown_fields(item: Item, fields: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """Field values with choice options named in the receipt language (whatever the caller used)."""
    shown = dict(fields)
    for f in item.fields:
        value = shown.get(f.name)
        if f.type != "choice" or value is None:
            continue
        for opt in f.options:
            if str(value) in (opt.value, opt.zh, opt.en):
                shown[f.name] = opt.en if lang == "en" else opt.zh
                break
    return shown


def _central_lines(
    printable: Sequence[str], lang: str, en: Mapping[str, str] | None = None
) -> list[tuple[str, str]]:
    """Central's prepared receipt text (title dropped) as receipt lines; " | " rows as a table."""
    lines: list[tuple[str, str]] = []
    for text in printable[1:]:
        if CENTRAL_CELL_SEP in text:
            lines.append(table_row(term(c.strip(), lang, en) for c in text.split(CENTRAL_CELL_SEP)))
            continue
        label, sep, value = text.partition(CENTRAL_LABEL_SEP)
        # a TAB in a plain line would make it read as a table row
        lines.append(
            (term(label, lang, en), value) if sep else ("", term(text, lang, en).replace("\t", " "))
        )
    return lines


def _without_empty_tables(lines: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Drop a table header with no rows under it (the no-records line says it)."""

    def row(i: int) -> bool:
        return 0 <= i < len(lines) and is_table_row(*lines[i])

    return [ln for i, ln in enumerate(lines) if not row(i) or row(i - 1) or row(i + 1)]


def _answer_lines(answer: QueryAnswer, lang: str) -> list[tuple[str, str]]:
    """The answer's table (header + rows), or its no-records line."""
    if not answer.rows:
        return [("", texts(lang)["receipt.no_records"])]
    en = _central_en(answer)
    if not answer.columns:
        return [
            (term(str(r[0]), lang, en), " ".join(str(c) for c in r[1:])) for r in answer.rows if r
        ]
    return [table_row(term(str(c), lang, en) for c in answer.columns)] + [
        table_row(term(str(c), lang, en) for c in r) for r in answer.rows
    ]


def build_receipt(
    item: Item,
    lang: str,
    *,
    fields: Mapping[str, Any],
    session: Mapping[str, Any],
    answer: QueryAnswer | None = None,
) -> ReceiptDoc:
    """The receipt of `item` for this session; without a layout: the item name and the answer."""
    rlang = receipt_language(item, lang)
    en = rlang == "en"
    t = texts(rlang)
    session = dict(session)
    status = str(session.get("status") or "")
    session["status"] = t.get(f"case.{status}", status)  # "received" → 已受理 / Received
    # central's named values (QueryResult.values, or a progress answer's case state): its data,
    # so only known terms are put in the receipt language, like its printed text
    result = {
        k: term(v, rlang) if isinstance(v, str) else v
        for k, v in (answer.values if answer is not None else {}).items()
    }
    if isinstance(result.get("status"), str):
        result["status"] = t.get(
            f"case.{result['status']}", result["status"]
        )  # in_progress → 办理中
    fields = _shown_fields(item, fields, rlang)
    layout = item.receipt
    own: list[tuple[str, str, str]] = []  # (zh label, label, value) of the layout's lines
    title, footer, qr = item.name(rlang), "", ""
    if layout is not None:
        title = layout.title_en if en else layout.title_zh
        footer = layout.footer_en if en else layout.footer_zh
        for line in layout.lines:
            value = _resolve(line.ref, fields, result, session)
            if not value:
                continue  # a label with nothing after it tells the citizen nothing
            if line.mask:
                value = MASKERS[line.mask](value)
            own.append((line.label_zh, line.label_en if en else line.label_zh, value))
        qr = _resolve(layout.qr, fields, result, session) if layout.qr else ""
    if answer is not None and answer.printable_lines:
        # Central prepared the receipt text (masked): it is the body. The layout adds only lines
        # central did not print (by label or by value), so nothing appears twice (e.g. the ID).
        central = _central_lines(answer.printable_lines, rlang, _central_en(answer))
        zh_labels = {text.partition(CENTRAL_LABEL_SEP)[0] for text in answer.printable_lines}
        values = {v for _, v in central if v}
        extra = [(label, v) for zh, label, v in own if zh not in zh_labels and v not in values]
        head = 0
        while head < len(central) and central[head][0]:
            head += 1  # central's identity lines come first; the layout's own lines follow them
        lines = _without_empty_tables(central[:head] + extra + central[head:])
    else:
        lines = [(label, v) for _, label, v in own]
        if answer is not None:
            lines += _answer_lines(answer, rlang)
    # Every receipt carries a QR: what the layout names, else the case number, which any
    # terminal's 办件进度查询 reads from the scanner (said under it, so nobody scans it to verify).
    case_no = str(session.get("case_no") or "")
    if not qr and case_no:
        qr = case_no
        footer = "\n".join(x for x in (t["receipt.qr_case_no"], footer) if x)
    if item.kind in OFFICIAL_KINDS and lang == "en":
        footer = "\n".join(x for x in (footer, texts("en")["receipt.official_chinese"]) if x)
    return ReceiptDoc(title=title, lines=tuple(lines), qr=qr or None, footer=footer)

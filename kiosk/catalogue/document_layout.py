"""The `document` block of a print item: check it (schema's _Checker) and build DocumentLayout."""

from __future__ import annotations

import re
from typing import Any

from kiosk.catalogue.model import RESULT_NAMES, SESSION_KEYS, DocumentLayout, DocumentLine

DOCUMENT_KEYS = {"title", "issuer", "seal", "valid_days", "intro", "lines", "table", "footer"}
DOC_LINE_KEYS = {"label", "ref", "mask"}
DOC_MASKS = ("id_number_issuer", "id_number", "name", "phone")
"""id_number_issuer: 610902********1235, as issuing bodies print it; the holder's name is printed
in full on a certificate (it is what a bank checks), so `name` is there for other people only."""
SEAL_RE = re.compile(r"demo|file:[a-z0-9][a-z0-9_-]{0,40}\.png")
MAX_VALID_DAYS = 3660
REF_RE = re.compile(r"(field|result|session)\.([a-z][a-z0-9_]{0,31})")


def check_document(c: Any, d: Any, path: str, field_names: set[str], kind: Any) -> None:
    """Report every problem of a `document` block to the checker `c`."""
    if not c.obj(d, path, DOCUMENT_KEYS, ("title", "seal", "valid_days", "lines")):
        return
    for key, max_len in (("title", 60), ("issuer", 60), ("intro", 400), ("footer", 600)):
        c.text(d, key, path, required=key in ("title", "issuer"), max_len=max_len)
    seal = d.get("seal")
    if "seal" in d and (not isinstance(seal, str) or not SEAL_RE.fullmatch(seal)):
        c.add(f"{path}.seal", f'must be "demo" or "file:NAME.png" (assets/seals), got {seal!r}')
    c.int_(d, "valid_days", path, 1, MAX_VALID_DAYS)
    table = d.get("table")
    if table is not None and c.obj(table, f"{path}.table", {"title"}, ("title",)):
        c.text(table, "title", f"{path}.table", max_len=60)
    lines = c.list_(d, "lines", path)
    if isinstance(d.get("lines"), list) and not lines:
        c.add(f"{path}.lines", "a document needs at least one line")
    for i, line in enumerate(lines):
        p = f"{path}.lines[{i}]"
        if not c.obj(line, p, DOC_LINE_KEYS, ("label", "ref")):
            continue
        c.text(line, "label", p, max_len=30)
        if line.get("mask") is not None and line["mask"] not in DOC_MASKS:
            c.add(f"{p}.mask", f"unknown mask {line['mask']!r} (one of {', '.join(DOC_MASKS)})")
        ref = line.get("ref")
        m = REF_RE.fullmatch(ref) if isinstance(ref, str) else None
        if "ref" not in line:
            continue
        if not m:
            c.add(f"{p}.ref", f"must be field.NAME, result.KEY or session.KEY, got {ref!r}")
        elif m.group(1) == "field" and m.group(2) not in field_names:
            c.add(f"{p}.ref", f"refers to unknown field {m.group(2)!r}")
        elif m.group(1) == "session" and m.group(2) not in SESSION_KEYS:
            c.add(
                f"{p}.ref", f"unknown session key {m.group(2)!r} (one of {', '.join(SESSION_KEYS)})"
            )
        elif m.group(1) == "result" and m.group(2) not in RESULT_NAMES.get(str(kind), ()):
            c.add(
                f"{p}.ref",
                f"result.{m.group(2)} is not a value central sends, so it would "
                f"never print (allowed: {', '.join(RESULT_NAMES.get(str(kind), ()))})",
            )


def build_document(d: dict | None, department_zh: str) -> DocumentLayout | None:
    """The layout of a validated block (issuer defaults to the item's department)."""
    if d is None:
        return None
    table = d.get("table")
    return DocumentLayout(
        title=d["title"],
        issuer=d.get("issuer") or department_zh,
        seal=d["seal"],
        valid_days=d["valid_days"],
        lines=tuple(DocumentLine(x["label"], x["ref"], x.get("mask")) for x in d["lines"]),
        intro=d.get("intro", ""),
        table_title=table["title"] if table else None,
        footer=d.get("footer", ""),
    )

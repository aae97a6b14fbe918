"""Issued documents (核验码 → what was issued): policy, summary, issue; the table and its
statements are central.storage.documents (digest registration and lookup re-exported here)."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from central.storage import documents as store_docs
from drivers.privacy import mask_id_issuer, mask_name
from kiosk import central_api as api

log = logging.getLogger(__name__)

DEFAULT_VALID_DAYS = 90


@dataclass(frozen=True)
class Policy:
    """What the catalogue says about an item's document."""

    title: str
    issuer: str
    valid_days: int


def policy(bundle: bytes | None, item_code: str, item_name: str) -> Policy:
    """The document policy of an item from the published bundle (defaults without one)."""
    if bundle:
        for item in json.loads(bundle)["catalogue"].get("items", []):
            if isinstance(item, Mapping) and item.get("code") == item_code:
                doc = item.get("document") or {}
                return Policy(
                    str(doc.get("title") or item_name),
                    str(doc.get("issuer") or item.get("department_zh") or ""),
                    int(doc.get("valid_days") or DEFAULT_VALID_DAYS),
                )
    return Policy(item_name, "", DEFAULT_VALID_DAYS)


def summary(name: str, id_number: str, values: Mapping[str, str], rows: Sequence[Any]) -> list[str]:
    """The masked key lines a verifier sees (never the full name or ID number)."""
    out = []
    if name:
        out.append(f"持证人：{mask_name(name)}")
    out.append(f"身份证号：{mask_id_issuer(id_number)}")
    if values.get("status"):
        out.append(f"状态：{values['status']}")
    if values.get("period"):
        out.append(f"期间：{values['period']}")
    out.append(f"明细：{len(rows)} 条")
    return out


def issue(
    db: Any,
    *,
    case_no: str,
    item_code: str,
    terminal_id: str,
    pol: Policy,
    lines: list[str],
    now: float,
) -> str:
    """Insert a new document row (inside the caller's transaction); its fresh 核验码."""
    for _ in range(5):
        code = api.new_verify_code()
        if store_docs.insert_document(
            db,
            code=code,
            case_no=case_no,
            item_code=item_code,
            terminal_id=terminal_id,
            title=pol.title,
            issuer=pol.issuer,
            lines=lines,
            issued_at=now,
            expires_at=now + pol.valid_days * 86400,
        ):
            return code
        # 100 bits: a collision is practically impossible, but never overwrite
    raise RuntimeError("could not allocate a unique verification code")


register_digest = store_docs.register_digest
lookup = store_docs.lookup

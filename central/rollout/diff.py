"""What a new catalogue changes against the active one, item by item."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

IGNORED_TOP = {"version", "issued_at", "expires_at", "items", "format"}


@dataclass(frozen=True)
class FieldChange:
    """One field of an item: before and after (shortened for the page)."""

    name: str
    old: str
    new: str


@dataclass(frozen=True)
class ItemChange:
    """An added, removed or changed item."""

    code: str
    name: str
    change: str
    fields: tuple[FieldChange, ...] = ()

    @property
    def label(self) -> str:
        """新增 / 删除 / 修改."""
        return {"added": "新增", "removed": "删除", "changed": "修改"}[self.change]


@dataclass
class CatalogueDiff:
    """Items added, removed and changed; other top-level sections that changed."""

    old_version: int | None
    new_version: int
    items: list[ItemChange] = field(default_factory=list)
    unchanged: int = 0
    sections: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing but the version and dates differs."""
        return not self.items and not self.sections


def catalogue_of(bundle: bytes | None) -> dict[str, Any] | None:
    """The catalogue inside a signed bundle (None for no bundle)."""
    if bundle is None:
        return None
    return json.loads(bundle)["catalogue"]


def short(value: Any, limit: int = 160) -> str:
    """A value as a page shows it: text as is, structures as compact JSON, cut at `limit`."""
    if value is None:
        return "—"
    text = (
        value
        if isinstance(value, str)
        else json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    )
    return text if len(text) <= limit else text[: limit - 1] + "…"


def diff(old: dict[str, Any] | None, new: dict[str, Any]) -> CatalogueDiff:
    """Compare two catalogues (old None: everything is new)."""
    out = CatalogueDiff(old.get("version") if old else None, int(new["version"]))
    before = {i["code"]: i for i in (old or {}).get("items", [])}
    after = {i["code"]: i for i in new.get("items", [])}
    for code in sorted(after.keys() - before.keys()):
        out.items.append(ItemChange(code, after[code].get("name_zh", code), "added"))
    for code in sorted(before.keys() - after.keys()):
        out.items.append(ItemChange(code, before[code].get("name_zh", code), "removed"))
    for code in sorted(after.keys() & before.keys()):
        a, b = before[code], after[code]
        changes = tuple(
            FieldChange(k, short(a.get(k)), short(b.get(k)))
            for k in sorted(a.keys() | b.keys())
            if a.get(k) != b.get(k)
        )
        if changes:
            out.items.append(ItemChange(code, b.get("name_zh", code), "changed", changes))
        else:
            out.unchanged += 1
    for key in sorted((new.keys() | (old or {}).keys()) - IGNORED_TOP):
        if (old or {}).get(key) != new.get(key):
            out.sections.append(key)
    return out

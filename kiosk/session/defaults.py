"""Fewer taps and anonymous requests: default values of a form, and the fields an anonymous
citizen must fill (both from the catalogue; the engine calls these through small hooks)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import MutableMapping

from kiosk.catalogue.model import Field, Item

SKIP_CONFIRM_KINDS = frozenset({"query", "progress"})
"""Read-only kinds: nothing is submitted or printed, so 下一步 asks central at once."""
DATE_DEFAULT_RE = re.compile(r"today(?:-(\d{1,3})m)?")
"""A date field's default: "today", or "today-12m" (12 months back, the same day or the last)."""


def resolve_default(f: Field, today: dt.date) -> str | None:
    """The raw value a field starts with ("" / None: none)."""
    if f.default is None:
        return None
    if f.type != "date":
        return f.default
    m = DATE_DEFAULT_RE.fullmatch(f.default)
    if m is None:
        return f.default  # an ISO date (the schema checked it)
    back = int(m.group(1) or 0)
    y, mo = divmod(today.year * 12 + today.month - 1 - back, 12)
    mo += 1
    last = (dt.date(y + mo // 12, mo % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(y, mo, min(today.day, last)).isoformat()


def apply_defaults(
    item: Item, values: MutableMapping[str, str], today: dt.date, anonymous: bool = False
) -> None:
    """Fill every empty field that has a default (never overwrites what the citizen chose);
    anonymous, only the fields the design requires (no 电话回复 for nobody to call)."""
    need = set(item.anonymous_required or ()) if anonymous else None
    for f in item.fields:
        if need is not None and f.name not in need:
            continue
        if not values.get(f.name):
            v = resolve_default(f, today)
            if v:
                values[f.name] = v


def effective_fields(item: Item, anonymous: bool) -> tuple[Field, ...]:
    """The item's fields as they are checked: anonymous, exactly the design's list is required."""
    if not anonymous or item.anonymous_required is None:
        return item.fields
    need = set(item.anonymous_required)
    return tuple(dataclasses.replace(f, required=f.name in need) for f in item.fields)

"""Validation of a whole catalogue dict with precise paths, and building the typed model."""

from __future__ import annotations

import logging
import re
from datetime import date, datetime
from typing import Any

from kiosk.catalogue.document_layout import build_document, check_document
from kiosk.catalogue.errors import Invalid
from kiosk.catalogue.model import (
    AUTHS,
    CARD_TYPES,
    CHANNELS,
    DEVICES,
    FIELD_TYPES,
    FORMAT,
    KINDS,
    LEGACY_AUTHS,
    MASKS,
    PREFILLS,
    RESULT_NAMES,
    SESSION_KEYS,
    Catalogue,
    Category,
    Field,
    Item,
    Material,
    Option,
    RatingTag,
    Receipt,
    ReceiptLine,
    normalize_auth,
)

log = logging.getLogger(__name__)

CODE_RE = re.compile(r"[0-9A-Z][0-9A-Z-]{2,39}")
NAME_RE = re.compile(r"[a-z][a-z0-9_]{0,31}")
VALUE_RE = re.compile(r"[A-Za-z0-9_-]{1,32}")
WINDOW_RE = re.compile(r"([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)")
REF_RE = re.compile(r"(field|result|session)\.([a-z][a-z0-9_]{0,31})")

TOP_KEYS = {
    "format",
    "version",
    "issued_at",
    "expires_at",
    "categories",
    "rating_tags",
    "items",
    # guidance sections (issue 23): kiosk.guide.schema
    "bundles",
    "guide",
    "guides",
    "policy_categories",
    "policies",
}
ITEM_KEYS = {
    "code",
    "name_zh",
    "name_en",
    "department_zh",
    "department_en",
    "category",
    "kind",
    "auth",
    "order",
    "devices",
    "fields",
    "materials",
    "receipt",
    "enabled",
    "hours",
    "offline",
    "description_zh",
    "description_en",
    "document",
    "channels",
    "anonymous",
    "tile",
}
FIELD_COMMON = {
    "name",
    "type",
    "label_zh",
    "label_en",
    "required",
    "hint_zh",
    "hint_en",
    "prefill",
    "scan",
}
FIELD_EXTRA = {
    "text": {"max_length", "pattern"},
    "number": {"min", "max", "decimals"},
    "phone": set(),
    "date": {"min", "max", "default"},
    "choice": {"options", "default"},
    "id_number": set(),
    "uscc": set(),
    "case_no": {"max_length", "pattern"},
}
RECEIPT_KEYS = {"title_zh", "title_en", "lines", "qr", "footer_zh", "footer_en"}
LINE_KEYS = {"label_zh", "label_en", "ref", "mask"}
MAX_ITEMS = 5000


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _Checker:
    """Collects `path: message` problems while walking the dict."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, path: str, msg: str) -> None:
        self.problems.append(f"{path or '(catalogue)'}: {msg}")

    def obj(self, value: Any, path: str, allowed: set[str], required: tuple[str, ...]) -> bool:
        if not isinstance(value, dict):
            self.add(path, f"must be an object, got {_tname(value)}")
            return False
        for key in value:
            if key not in allowed:
                self.add(_join(path, key), "unknown key (typo?)")
        for key in required:
            if key not in value:
                self.add(_join(path, key), "required")
        return True

    def text(
        self, d: dict, key: str, path: str, *, required: bool = True, max_len: int = 200
    ) -> None:
        if key not in d:
            return
        v = d[key]
        p = _join(path, key)
        if not isinstance(v, str):
            self.add(p, f"must be text, got {_tname(v)}")
        elif required and not v.strip():
            self.add(p, "must not be empty")
        elif len(v) > max_len:
            self.add(p, f"at most {max_len} characters, got {len(v)}")

    def bool_(self, d: dict, key: str, path: str) -> None:
        if key in d and not isinstance(d[key], bool):
            self.add(_join(path, key), f"must be true or false, got {_tname(d[key])}")

    def int_(self, d: dict, key: str, path: str, lo: int, hi: int) -> bool:
        if key not in d:
            return False
        v = d[key]
        if not isinstance(v, int) or isinstance(v, bool):
            self.add(_join(path, key), f"must be a whole number, got {_tname(v)}")
            return False
        if not lo <= v <= hi:
            self.add(_join(path, key), f"must be between {lo} and {hi}, got {v}")
            return False
        return True

    def list_(self, d: dict, key: str, path: str) -> list:
        if key not in d:
            return []
        v = d[key]
        if not isinstance(v, list):
            self.add(_join(path, key), f"must be a list, got {_tname(v)}")
            return []
        return v


def _iso_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _tname(v: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "text",
        bool: "true/false",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(v), type(v).__name__)


def parse_timestamp(value: Any) -> datetime:
    """An ISO 8601 timestamp with a UTC offset (naive times are ambiguous across terminals)."""
    if not isinstance(value, str):
        raise ValueError(f"must be an ISO 8601 timestamp, got {_tname(value)}")
    try:
        ts = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not an ISO 8601 timestamp: {value!r}") from None
    if ts.tzinfo is None or ts.utcoffset() is None:
        raise ValueError(f"needs a UTC offset (e.g. +08:00): {value!r}")
    return ts


def _check_labels(c: _Checker, d: dict, path: str, keys: tuple[str, ...]) -> None:
    for k in keys:
        c.text(d, k, path)


def _check_bilingual_list(
    c: _Checker,
    d: dict,
    key: str,
    path: str,
    *,
    code_re: re.Pattern[str],
    code_key: str = "code",
    min_len: int = 0,
) -> set[str]:
    codes: set[str] = set()
    entries = c.list_(d, key, path)
    if key in d and len(entries) < min_len:
        c.add(
            f"{path}.{key}" if path else key,
            f"needs at least {min_len} entr{'y' if min_len == 1 else 'ies'}",
        )
    for i, e in enumerate(entries):
        p = f"{key}[{i}]" if not path else f"{path}.{key}[{i}]"
        if not c.obj(e, p, {code_key, "zh", "en"}, (code_key, "zh", "en")):
            continue
        _check_labels(c, e, p, ("zh", "en"))
        code = e.get(code_key)
        if code_key in e:
            if not isinstance(code, str) or not code_re.fullmatch(code):
                c.add(f"{p}.{code_key}", f"must match {code_re.pattern}, got {code!r}")
            elif code in codes:
                c.add(f"{p}.{code_key}", f"duplicate {code_key} {code!r}")
            else:
                codes.add(code)
    return codes


def _check_field(c: _Checker, f: Any, path: str, auth: Any) -> str | None:
    if not isinstance(f, dict):
        c.add(path, f"must be an object, got {_tname(f)}")
        return None
    ftype = f.get("type")
    if "type" not in f:
        c.add(f"{path}.type", "required")
    elif ftype not in FIELD_TYPES:
        c.add(f"{path}.type", f"unknown type {ftype!r} (one of {', '.join(FIELD_TYPES)})")
        ftype = None
    allowed = FIELD_COMMON | (FIELD_EXTRA[ftype] if ftype else set().union(*FIELD_EXTRA.values()))
    c.obj(f, path, allowed, ("name", "type", "label_zh", "label_en"))
    name = f.get("name")
    if "name" in f and (not isinstance(name, str) or not NAME_RE.fullmatch(name)):
        c.add(f"{path}.name", f"must match {NAME_RE.pattern}, got {name!r}")
        name = None
    _check_labels(c, f, path, ("label_zh", "label_en"))
    c.text(f, "hint_zh", path, required=False)
    c.text(f, "hint_en", path, required=False)
    for k in ("required", "scan"):
        c.bool_(f, k, path)
    required = f.get("required", True)
    prefill = f.get("prefill")
    if prefill is not None:
        if prefill not in PREFILLS:
            c.add(f"{path}.prefill", f"unknown prefill {prefill!r} (one of {', '.join(PREFILLS)})")
        elif auth == ():
            c.add(f"{path}.prefill", "needs an item that identifies the citizen (auth not empty)")
    if ftype in ("text", "case_no"):
        c.int_(f, "max_length", path, 1, 500)
        pattern = f.get("pattern")
        if pattern is not None:
            try:
                if not isinstance(pattern, str):
                    raise TypeError
                re.compile(pattern)
            except (re.error, TypeError):
                c.add(f"{path}.pattern", f"not a valid regular expression: {pattern!r}")
    if ftype == "text":
        if "max_length" not in f:
            c.add(f"{path}.max_length", "required for a text field")
        if required is True and prefill is None:
            c.add(
                f"{path}.required",
                "a required text field makes citizens type Chinese on a touch "
                "screen; use choice/number/date/id_number, a prefill, or required: false",
            )
    if ftype == "number":
        for k in ("min", "max"):
            if k in f and (not isinstance(f[k], (int, float)) or isinstance(f[k], bool)):
                c.add(f"{path}.{k}", f"must be a number, got {_tname(f[k])}")
        c.int_(f, "decimals", path, 0, 6)
        lo, hi = f.get("min"), f.get("max")
        if isinstance(lo, (int, float)) and isinstance(hi, (int, float)) and lo > hi:
            c.add(f"{path}.min", f"{lo} is greater than max {hi}")
    if ftype == "date":
        bounds: dict[str, date] = {}
        for k in ("min", "max"):
            if k in f and f[k] != "today":
                try:
                    bounds[k] = date.fromisoformat(f[k]) if isinstance(f[k], str) else None  # type: ignore[assignment]
                    if bounds[k] is None:
                        raise ValueError
                except ValueError:
                    c.add(
                        f"{path}.{k}", f'must be an ISO date (YYYY-MM-DD) or "today", got {f[k]!r}'
                    )
        d = f.get("default")
        if d is not None and not (
            isinstance(d, str) and (re.fullmatch(r"today(?:-\d{1,3}m)?", d) or _iso_date(d))
        ):
            c.add(f"{path}.default", f'must be an ISO date, "today" or "today-Nm", got {d!r}')
        if (
            "min" in bounds
            and "max" in bounds
            and bounds["min"]
            and bounds["max"]
            and bounds["min"] > bounds["max"]
        ):
            c.add(f"{path}.min", f"{f['min']} is after max {f['max']}")
    if ftype == "choice":
        if "options" not in f:
            c.add(f"{path}.options", "a choice field needs options")
        else:
            opts = c.list_(f, "options", path)
            if isinstance(f["options"], list) and not opts:
                c.add(f"{path}.options", "a choice field needs at least one option")
            values: set[str] = set()
            for i, o in enumerate(opts):
                p = f"{path}.options[{i}]"
                if not c.obj(o, p, {"value", "zh", "en"}, ("value", "zh", "en")):
                    continue
                _check_labels(c, o, p, ("zh", "en"))
                v = o.get("value")
                if "value" in o:
                    if not isinstance(v, str) or not VALUE_RE.fullmatch(v):
                        c.add(f"{p}.value", f"must match {VALUE_RE.pattern}, got {v!r}")
                    elif v in values:
                        c.add(f"{p}.value", f"duplicate option value {v!r}")
                    else:
                        values.add(v)
            if (
                "default" in f
                and values
                and (not isinstance(f["default"], str) or f["default"] not in values)
            ):
                c.add(f"{path}.default", f"{f['default']!r} is not one of the option values")
    return name if isinstance(name, str) else None


def _allowed_results(kind: str) -> str:
    names = RESULT_NAMES.get(kind, ())
    if names:
        return "allowed: " + ", ".join(f"result.{n}" for n in names)
    return "a submission's receipt has no result values: use session.case_no or session.status"


def _check_result_ref(c: _Checker, p: str, name: str, item: str, kind: Any, line: str) -> None:
    """A `result.NAME` must be a value central sends for this kind of item (else it never prints)."""
    if kind not in KINDS or name in RESULT_NAMES[kind]:
        return  # an unknown kind is reported on its own
    c.add(
        p,
        f"item {item}, {line}: result.{name} is not a value central sends for items of kind {kind}, "
        f"so it would never print ({_allowed_results(kind)})",
    )


def _check_receipt(
    c: _Checker, r: Any, path: str, field_names: set[str], item: str, kind: Any
) -> None:
    if not c.obj(r, path, RECEIPT_KEYS, ("title_zh", "title_en", "lines")):
        return
    _check_labels(c, r, path, ("title_zh", "title_en"))
    c.text(r, "footer_zh", path, required=False, max_len=500)
    c.text(r, "footer_en", path, required=False, max_len=500)
    lines = c.list_(r, "lines", path)
    if "lines" in r and isinstance(r["lines"], list) and not lines:
        c.add(f"{path}.lines", "a receipt needs at least one line")
    refs = [(f"{path}.qr", r["qr"], "qr")] if r.get("qr") is not None else []
    for i, line in enumerate(lines):
        p = f"{path}.lines[{i}]"
        if not c.obj(line, p, LINE_KEYS, ("label_zh", "label_en", "ref")):
            continue
        _check_labels(c, line, p, ("label_zh", "label_en"))
        if "ref" in line:
            refs.append(
                (f"{p}.ref", line["ref"], f"line {i + 1} {str(line.get('label_zh'))[:40]!r}")
            )
        if line.get("mask") is not None and line["mask"] not in MASKS:
            c.add(f"{p}.mask", f"unknown mask {line['mask']!r} (one of {', '.join(MASKS)})")
    for p, ref, where in refs:
        m = REF_RE.fullmatch(ref) if isinstance(ref, str) else None
        if not m:
            c.add(p, f"must be field.NAME, result.KEY or session.KEY, got {ref!r}")
        elif m.group(1) == "field" and m.group(2) not in field_names:
            c.add(p, f"refers to unknown field {m.group(2)!r}")
        elif m.group(1) == "session" and m.group(2) not in SESSION_KEYS:
            c.add(p, f"unknown session key {m.group(2)!r} (one of {', '.join(SESSION_KEYS)})")
        elif m.group(1) == "result":
            _check_result_ref(c, p, m.group(2), item, kind, where)


def _check_item(c: _Checker, it: Any, path: str, categories: set[str] | None) -> None:
    if not c.obj(
        it,
        path,
        ITEM_KEYS,
        (
            "code",
            "name_zh",
            "name_en",
            "department_zh",
            "department_en",
            "category",
            "kind",
            "auth",
            "order",
        ),
    ):
        return
    code = it.get("code")
    if "code" in it and (not isinstance(code, str) or not CODE_RE.fullmatch(code)):
        c.add(f"{path}.code", f"must match {CODE_RE.pattern} (事项编码), got {code!r}")
    _check_labels(c, it, path, ("name_zh", "name_en", "department_zh", "department_en"))
    c.text(it, "description_zh", path, required=False, max_len=1000)
    c.text(it, "description_en", path, required=False, max_len=1000)
    kind, auth = it.get("kind"), None
    if "kind" in it and kind not in KINDS:
        c.add(f"{path}.kind", f"unknown kind {kind!r} (one of {', '.join(KINDS)})")
    if "auth" in it:
        auth = _check_auth(c, it.get("auth"), f"{path}.auth")
    cat = it.get("category")
    if "category" in it:
        if not isinstance(cat, str) or not NAME_RE.fullmatch(cat):
            c.add(f"{path}.category", f"must match {NAME_RE.pattern}, got {cat!r}")
        elif categories is not None and cat not in categories:
            c.add(f"{path}.category", f"unknown category {cat!r}")
    c.int_(it, "order", path, 0, 100_000)
    for k in ("enabled", "offline", "tile"):
        c.bool_(it, k, path)
    if it.get("offline") is True and kind != "apply":
        c.add(f"{path}.offline", "only apply items can be accepted offline")
    devices = c.list_(it, "devices", path)
    for i, d in enumerate(devices):
        if d not in DEVICES:
            c.add(f"{path}.devices[{i}]", f"unknown device {d!r} (one of {', '.join(DEVICES)})")
    if len(set(map(str, devices))) != len(devices):
        c.add(f"{path}.devices", "lists a device twice")
    if kind == "print" and "a4printer" not in devices:
        c.add(f"{path}.devices", "a print item needs the a4printer (its document is A4)")
    channels = c.list_(it, "channels", path)
    if kind == "pay":
        if not channels:
            c.add(
                f"{path}.channels", f"a pay item needs its payment channels ({', '.join(CHANNELS)})"
            )
        for i, ch in enumerate(channels):
            if ch not in CHANNELS:
                c.add(
                    f"{path}.channels[{i}]",
                    f"unknown channel {ch!r} (one of {', '.join(CHANNELS)})",
                )
        if len(set(map(str, channels))) != len(channels):
            c.add(f"{path}.channels", "lists a channel twice")
    elif "channels" in it and kind in KINDS:  # an unknown kind is reported on its own
        c.add(f"{path}.channels", "only pay items have payment channels")
    if auth == ("id_card",) and "idcard" not in devices:
        c.add(f"{path}.devices", "an item with auth id_card needs the idcard reader")
    if auth == ("id_card", "face") and not {"idcard", "camera"} <= set(map(str, devices)):
        c.add(
            f"{path}.devices",
            "an item with auth id_card+face needs the idcard reader and the camera",
        )
    elif auth and "face" in auth and "camera" not in devices:
        c.add(f"{path}.devices", "an item with face in its auth needs the camera")
    for i, w in enumerate(c.list_(it, "hours", path)):
        m = WINDOW_RE.fullmatch(w) if isinstance(w, str) else None
        if not m or (m.group(3) == "24" and m.group(4) != "00") or w[:5] >= w[6:]:
            c.add(f"{path}.hours[{i}]", f'{w!r} is not a window "HH:MM-HH:MM" with start < end')
    names: set[str] = set()
    fields = c.list_(it, "fields", path)
    for i, f in enumerate(fields):
        name = _check_field(c, f, f"{path}.fields[{i}]", auth)
        if name is not None:
            if name in names:
                c.add(f"{path}.fields[{i}].name", f"duplicate field name {name!r}")
            names.add(name)
    if "anonymous" in it:
        _check_anonymous(c, it["anonymous"], f"{path}.anonymous", kind, auth, fields)
    if kind == "progress" and not any(
        isinstance(f, dict) and f.get("type") == "case_no" for f in fields
    ):
        c.add(f"{path}.fields", "a progress item needs a case_no field")
    for i, m in enumerate(c.list_(it, "materials", path)):
        p = f"{path}.materials[{i}]"
        if c.obj(m, p, {"zh", "en", "cards"}, ("zh", "en")):
            _check_labels(c, m, p, ("zh", "en"))
            cards = m.get("cards", [])
            if (
                not isinstance(cards, list)
                or not cards
                and "cards" in m
                or any(x not in CARD_TYPES for x in cards)
                or len(set(map(str, cards))) != len(cards)
            ):
                c.add(
                    f"{p}.cards",
                    "must list card types accepted as this identity document, "
                    "each once: " + ", ".join(CARD_TYPES),
                )
    if it.get("receipt") is not None:
        _check_receipt(c, it["receipt"], f"{path}.receipt", names, str(code)[:40], kind)
    if it.get("document") is not None:
        if kind in KINDS and kind != "print":
            c.add(f"{path}.document", "only print items print an A4 document")
        elif kind == "print":
            check_document(c, it["document"], f"{path}.document", names, kind)
    elif kind == "print":
        c.add(f"{path}.document", "a print item needs a document layout")


def _check_anonymous(c: _Checker, a: Any, path: str, kind: Any, auth: Any, fields: list) -> None:
    """`anonymous: {required: [field, …]}`: submitted without identification, these required."""
    if not c.obj(a, path, {"required"}, ("required",)):
        return
    if kind != "apply":
        c.add(path, "only apply items can be submitted anonymously")
    if auth == ():
        c.add(path, "an item with an empty auth is anonymous anyway")
    by_name = {
        f["name"]: f for f in fields if isinstance(f, dict) and isinstance(f.get("name"), str)
    }
    for i, name in enumerate(c.list_(a, "required", path)):
        f = by_name.get(name) if isinstance(name, str) else None
        if f is None:
            c.add(f"{path}.required[{i}]", f"unknown field {name!r}")
        elif f.get("prefill") is not None:
            c.add(
                f"{path}.required[{i}]",
                f"{name!r} is filled from the ID card, which an anonymous citizen does not give",
            )


def _check_auth(c: _Checker, auth: Any, path: str) -> tuple[str, ...] | None:
    """`auth`: a list of AUTHS (face only after a card or code), or a legacy string; None
    when invalid (the checks that depend on it are then skipped)."""
    if isinstance(auth, str):
        if auth in LEGACY_AUTHS:
            return LEGACY_AUTHS[auth]
        c.add(path, f"unknown auth {auth!r} (a list of {', '.join(AUTHS)})")
        return None
    if not isinstance(auth, list):
        c.add(path, f"must be a list of {', '.join(AUTHS)}, got {_tname(auth)}")
        return None
    out: list[str] = []
    ok = True
    for i, m in enumerate(auth):
        if m not in AUTHS:
            c.add(f"{path}[{i}]", f"unknown identification {m!r} (one of {', '.join(AUTHS)})")
            ok = False
        elif m in out:
            c.add(f"{path}[{i}]", f"{m!r} listed twice")
            ok = False
        else:
            out.append(m)
    if out == ["face"]:
        c.add(path, "face is checked after a card or code, never alone")
        ok = False
    return tuple(out) if ok else None


def validate_catalogue(data: Any) -> list[str]:
    """Every problem of a catalogue dict as `path: message`; empty when valid."""
    c = _Checker()
    if not c.obj(
        data, "", TOP_KEYS, ("format", "version", "issued_at", "expires_at", "rating_tags", "items")
    ):
        return c.problems
    if "format" in data and data["format"] != FORMAT:
        c.add("format", f"format {data['format']!r} is not supported by this software ({FORMAT})")
    c.int_(data, "version", "", 1, 2**53)
    stamps: dict[str, datetime] = {}
    for k in ("issued_at", "expires_at"):
        if k in data:
            try:
                stamps[k] = parse_timestamp(data[k])
            except ValueError as exc:
                c.add(k, str(exc))
    if len(stamps) == 2 and stamps["expires_at"] <= stamps["issued_at"]:
        c.add("expires_at", "must be after issued_at")
    categories = None
    if "categories" in data:
        categories = _check_bilingual_list(c, data, "categories", "", code_re=NAME_RE)
        if not isinstance(data["categories"], list):
            categories = None  # already reported; do not flag every item's category too
    _check_bilingual_list(c, data, "rating_tags", "", code_re=NAME_RE, min_len=1)
    items = c.list_(data, "items", "")
    if "items" in data and isinstance(data["items"], list) and not items:
        c.add("items", "a catalogue needs at least one item")
    if len(items) > MAX_ITEMS:
        c.add("items", f"at most {MAX_ITEMS} items, got {len(items)}")
        return c.problems
    codes: dict[str, int] = {}
    orders: dict[int, int] = {}
    for i, it in enumerate(items):
        _check_item(c, it, f"items[{i}]", categories)
        if not isinstance(it, dict):
            continue
        code, order = it.get("code"), it.get("order")
        if isinstance(code, str):
            if code in codes:
                c.add(f"items[{i}].code", f"duplicate code {code!r} (also items[{codes[code]}])")
            else:
                codes[code] = i
        if isinstance(order, int) and not isinstance(order, bool):
            if order in orders:
                c.add(f"items[{i}].order", f"duplicate order {order} (also items[{orders[order]}])")
            else:
                orders[order] = i
    from kiosk.guide.schema import check_guidance  # issue 23: bundles, guide, guides, policies

    check_guidance(c, data)
    return c.problems


def _field(f: dict) -> Field:
    return Field(
        name=f["name"],
        type=f["type"],
        label_zh=f["label_zh"],
        label_en=f["label_en"],
        required=f.get("required", True),
        hint_zh=f.get("hint_zh", ""),
        hint_en=f.get("hint_en", ""),
        options=tuple(Option(o["value"], o["zh"], o["en"]) for o in f.get("options", ())),
        max_length=f.get("max_length"),
        min=f.get("min"),
        max=f.get("max"),
        decimals=f.get("decimals", 0),
        pattern=f.get("pattern"),
        prefill=f.get("prefill"),
        scan=f.get("scan", False),
        default=f.get("default"),
    )


def _receipt(r: dict | None) -> Receipt | None:
    if r is None:
        return None
    return Receipt(
        title_zh=r["title_zh"],
        title_en=r["title_en"],
        lines=tuple(
            ReceiptLine(x["label_zh"], x["label_en"], x["ref"], x.get("mask")) for x in r["lines"]
        ),
        qr=r.get("qr"),
        footer_zh=r.get("footer_zh", ""),
        footer_en=r.get("footer_en", ""),
    )


def _item(it: dict) -> Item:
    return Item(
        code=it["code"],
        name_zh=it["name_zh"],
        name_en=it["name_en"],
        department_zh=it["department_zh"],
        department_en=it["department_en"],
        category=it["category"],
        kind=it["kind"],
        auth=normalize_auth(it["auth"]),
        order=it["order"],
        devices=tuple(it.get("devices", ())),
        fields=tuple(_field(f) for f in it.get("fields", ())),
        materials=tuple(
            Material(m["zh"], m["en"], tuple(m.get("cards", ()))) for m in it.get("materials", ())
        ),
        receipt=_receipt(it.get("receipt")),
        enabled=it.get("enabled", True),
        hours=tuple(it.get("hours", ())),
        offline=it.get("offline", False),
        description_zh=it.get("description_zh", ""),
        description_en=it.get("description_en", ""),
        document=build_document(it.get("document"), it["department_zh"]),
        channels=tuple(it.get("channels", ())),
        anonymous_required=tuple(it["anonymous"]["required"]) if "anonymous" in it else None,
        tile=it.get("tile", True),
    )


def build_catalogue(data: dict, *, digest: str = "", key_id: str = "") -> Catalogue:
    """Validate a catalogue dict and build the immutable model; Invalid lists every problem."""
    problems = validate_catalogue(data)
    if problems:
        raise Invalid(problems)
    return Catalogue(
        version=data["version"],
        issued_at=parse_timestamp(data["issued_at"]),
        expires_at=parse_timestamp(data["expires_at"]),
        items=tuple(_item(it) for it in data["items"]),
        rating_tags=tuple(RatingTag(t["code"], t["zh"], t["en"]) for t in data["rating_tags"]),
        categories=tuple(Category(t["code"], t["zh"], t["en"]) for t in data.get("categories", ())),
        format=data["format"],
        digest=digest,
        key_id=key_id,
        guidance=_guidance(data),
    )


def _guidance(data: dict) -> Any:
    from kiosk.guide.schema import build_guidance  # issue 23

    return build_guidance(data)

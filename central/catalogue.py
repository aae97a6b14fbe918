"""The published catalogue as the service needs it: verification on publish, items, tags."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from central.errors import BundleRejected, NotNewer
from central.sandbox.queries import BUILTIN_ITEMS
from central.storage import Storage
from kiosk.central_api import DEFAULT_RATING_TAGS, RatingTag

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ItemInfo:
    """What the service needs of one item."""

    code: str
    name: str
    kind: str
    enabled: bool = True
    anonymous_required: tuple[str, ...] | None = None
    """Fields an anonymous submission must carry; None: anonymous submissions refused."""
    name_en: str = ""
    fields: tuple[Any, ...] | None = None
    """The item's form fields (kiosk.catalogue.model.Field) a request is validated against;
    None: not known (the built-in items), only the contract's checks apply."""


@dataclass(frozen=True)
class ActiveCatalogue:
    """Items by code and the reason-tag codes of the active catalogue (or the built-ins)."""

    version: int
    items: dict[str, ItemInfo]
    tag_codes: frozenset[str]


def _name(item: Mapping[str, Any]) -> str:
    for key in ("names", "name"):
        value = item.get(key)
        if isinstance(value, Mapping):
            return str(value.get("zh") or value.get("zh_CN") or value.get("en") or "")
        if isinstance(value, str):
            return value
    return str(item.get("name_zh", ""))


def _fields(item: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """The item's fields as kiosk.catalogue Field objects (None when they do not parse: a
    catalogue dict that was not schema-checked keeps the contract's checks only)."""
    from kiosk.catalogue.schema import _field

    raw = item.get("fields", [])
    if not isinstance(raw, list):
        return None
    try:
        return tuple(_field(f) for f in raw)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _tag_code(tag: Any) -> str | None:
    if isinstance(tag, str):
        return tag
    if isinstance(tag, Mapping):
        return str(tag.get("code")) if tag.get("code") else None
    code = getattr(tag, "code", None)
    return str(code) if code else None


def from_catalogue_dict(catalogue: Mapping[str, Any]) -> ActiveCatalogue:
    """Read items and tags from the `catalogue` part of a (verified) bundle."""
    items = {}
    for item in catalogue.get("items", []):
        if isinstance(item, Mapping) and item.get("code"):
            anon = item.get("anonymous")
            required = anon.get("required") if isinstance(anon, Mapping) else None
            items[str(item["code"])] = ItemInfo(
                str(item["code"]),
                _name(item),
                str(item.get("kind", "")),
                bool(item.get("enabled", True)),
                tuple(map(str, required)) if isinstance(required, list) else None,
                str(item.get("name_en", "")),
                _fields(item),
            )
    tags = [c for c in map(_tag_code, catalogue.get("rating_tags") or []) if c]
    return ActiveCatalogue(
        int(catalogue.get("version", 0)),
        items,
        frozenset(tags) if tags else frozenset(t.code for t in DEFAULT_RATING_TAGS),
    )


def from_bundle_bytes(bundle: bytes) -> ActiveCatalogue:
    """Parse a stored (already verified) bundle."""
    return from_catalogue_dict(json.loads(bundle)["catalogue"])


def builtin() -> ActiveCatalogue:
    """What the service answers while no catalogue is published."""
    return ActiveCatalogue(
        0,
        {code: ItemInfo(code, name, kind) for code, (name, kind) in BUILTIN_ITEMS.items()},
        frozenset(t.code for t in DEFAULT_RATING_TAGS),
    )


def default_tags() -> list[RatingTag]:
    """The built-in reason tags."""
    return list(DEFAULT_RATING_TAGS)


def verify(bundle: bytes, trusted_raw: Mapping[str, bytes], now: float) -> ActiveCatalogue:
    """Verify a bundle against trusted keys (kiosk.catalogue.signing); raise BundleRejected."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from kiosk.catalogue import signing
    from kiosk.catalogue.errors import CatalogueError

    trusted = {k: Ed25519PublicKey.from_public_bytes(v) for k, v in trusted_raw.items()}
    if not trusted:
        raise BundleRejected("the service trusts no catalogue key yet (kiosk central trust add)")
    try:
        verified = signing.verify_bundle(bundle, trusted, now=datetime.fromtimestamp(now, UTC))
    except CatalogueError as exc:
        raise BundleRejected(f"{getattr(exc, 'reason', 'rejected')}: {exc}") from None
    return ActiveCatalogue(
        int(verified.version),
        {
            i.code: ItemInfo(
                i.code,
                i.name_zh,
                i.kind,
                i.enabled,
                i.anonymous_required,
                i.name_en,
                tuple(i.fields),
            )
            for i in verified.items
        },
        frozenset(t.code for t in verified.rating_tags)
        or frozenset(t.code for t in DEFAULT_RATING_TAGS),
    )


def publish(store: Storage, bundle: bytes, by: str, now: float) -> tuple[ActiveCatalogue, str]:
    """Verify and store a bundle; (catalogue, ETag). BundleRejected, or NotNewer on an old version."""
    active = verify(bundle, store.trusted_keys(), now)
    etag = store.publish(active.version, bundle, len(active.items), by, now)
    if etag is None:
        current = store.published()
        raise NotNewer(
            f"version {active.version} is not above the published "
            f"{current.version if current else 0}"
        )
    log.info(
        "catalogue version %s published by %s (%d items)", active.version, by, len(active.items)
    )
    return active, etag

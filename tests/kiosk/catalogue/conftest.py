"""Shared fixtures of the catalogue tests: the shipped source, fresh keys, bundle factories."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.catalogue.signing import sign_catalogue
from kiosk.commands.catalogue import load_source

ROOT = Path(__file__).resolve().parents[3]
SOURCE = ROOT / "config" / "catalogue" / "catalogue.yaml"
BUNDLE = ROOT / "config" / "catalogue" / "bundle.json"
DEMO_KEY = ROOT / "config" / "demo" / "catalogue-demo.key"
DEMO_PUB = ROOT / "config" / "demo" / "catalogue-demo.pub"
CST = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=CST)

_SOURCE_CACHE: dict = {}


def source_dict(version: int = 1) -> dict:
    """The shipped catalogue source with version and a validity window around NOW."""
    if not _SOURCE_CACHE:
        _SOURCE_CACHE["data"] = load_source(SOURCE)
    data = copy.deepcopy(_SOURCE_CACHE["data"])
    data["version"] = version
    data["issued_at"] = (NOW - timedelta(days=1)).isoformat()
    data["expires_at"] = (NOW + timedelta(days=30)).isoformat()
    return data


@pytest.fixture
def source() -> dict:
    """A valid catalogue dict (version 1) of the 17 tiles, without the guidance sections (issue
    23): a mistake in an item is then reported once, not again by each guide naming the item
    (tests/kiosk/guide check the whole source)."""
    from kiosk.guide.schema import strip_guidance

    return strip_guidance(source_dict())


@pytest.fixture(scope="session")
def key() -> Ed25519PrivateKey:
    """A signing key generated for this test session."""
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="session")
def other_key() -> Ed25519PrivateKey:
    """A second, untrusted key."""
    return Ed25519PrivateKey.generate()


@pytest.fixture
def trusted(key: Ed25519PrivateKey) -> dict:
    """key id "test" → the session key's public key."""
    return {"test": key.public_key()}


@pytest.fixture
def make_bundle(key: Ed25519PrivateKey) -> Callable[..., bytes]:
    """make_bundle(version, mutate=None, signer=key, key_id="test") → bundle bytes."""

    def make(
        version: int = 1,
        mutate: Callable[[dict], None] | None = None,
        signer: Ed25519PrivateKey | None = None,
        key_id: str = "test",
    ) -> bytes:
        data = source_dict(version)
        if mutate:
            mutate(data)
        return json.dumps(sign_catalogue(data, signer or key, key_id), ensure_ascii=False).encode()

    return make

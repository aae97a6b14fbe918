"""Canonical JSON, signatures, verify_bundle and key files."""

from __future__ import annotations

import base64
import json
import os
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.catalogue.errors import (
    BadSignature,
    Expired,
    Invalid,
    KeyFileError,
    Malformed,
    Truncated,
    UnknownKey,
)
from kiosk.catalogue.signing import (
    add_signature,
    canonical_json,
    generate_keypair,
    load_private_key,
    load_public_key,
    parse_bundle,
    public_key_fingerprint,
    sign_catalogue,
    verify_bundle,
)

from .conftest import NOW, source_dict

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


def test_canonical_json_exact_bytes() -> None:
    assert (
        canonical_json({"b": 1, "a": ["办件", {"y": None, "x": True}]})
        == '{"a":["办件",{"x":true,"y":null}],"b":1}'.encode()
    )


@settings(max_examples=100, deadline=None)
@given(json_values)
def test_canonical_json_is_stable_under_reformatting(value: object) -> None:
    canon = canonical_json(value)
    pretty = json.dumps(value, indent=3, ensure_ascii=True)
    assert canonical_json(json.loads(pretty)) == canon
    assert json.loads(canon) == value


def test_canonical_json_refuses_nan() -> None:
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})


def test_signature_is_ed25519_over_canonical_catalogue(key: Ed25519PrivateKey) -> None:
    data = source_dict()
    bundle = sign_catalogue(data, key, "k1")
    assert set(bundle) == {"catalogue", "signatures"}
    (sig,) = bundle["signatures"]
    assert sig["key_id"] == "k1"
    raw = base64.b64decode(sig["sig"])
    assert len(raw) == 64
    key.public_key().verify(raw, canonical_json(data))  # raises if not


def test_verify_returns_catalogue_with_digest_and_key(key, trusted) -> None:
    bundle = json.dumps(sign_catalogue(source_dict(7), key, "test"), indent=2).encode()
    cat = verify_bundle(bundle, trusted, now=NOW)
    assert cat.version == 7 and cat.key_id == "test" and len(cat.digest) == 64
    assert len(cat.enabled_items()) == 17 and len(cat.items) == 26 and len(cat.rating_tags) == 6
    # A dict works as well as bytes (the central service passes parsed JSON).
    assert verify_bundle(json.loads(bundle), trusted, now=NOW).digest == cat.digest


def test_rotation_two_signatures_either_key_verifies(key, other_key) -> None:
    bundle = add_signature(sign_catalogue(source_dict(), key, "old"), other_key, "new")
    assert [s["key_id"] for s in bundle["signatures"]] == ["old", "new"]
    assert verify_bundle(bundle, {"old": key.public_key()}, now=NOW).key_id == "old"
    assert verify_bundle(bundle, {"new": other_key.public_key()}, now=NOW).key_id == "new"
    # An untrusted key id before a trusted one does not matter.
    bundle["signatures"].reverse()
    assert verify_bundle(bundle, {"old": key.public_key()}, now=NOW).key_id == "old"


def test_known_id_with_the_wrong_key_is_bad_signature(key, other_key) -> None:
    bundle = sign_catalogue(source_dict(), other_key, "test")
    with pytest.raises(BadSignature):
        verify_bundle(bundle, {"test": key.public_key()}, now=NOW)


def test_unknown_key_id(key) -> None:
    bundle = sign_catalogue(source_dict(), key, "someone")
    with pytest.raises(UnknownKey) as ei:
        verify_bundle(bundle, {"test": key.public_key()}, now=NOW)
    assert "'someone'" in str(ei.value) and "test" in str(ei.value)


def test_signature_checked_before_content(key, other_key) -> None:
    """An unsigned invalid catalogue reports the signature, not its content (no parsing of junk)."""
    data = source_dict()
    data["items"] = "junk"
    bundle = sign_catalogue(data, other_key, "test")
    with pytest.raises(BadSignature):
        verify_bundle(bundle, {"test": key.public_key()}, now=NOW)
    with pytest.raises(Invalid):
        verify_bundle(sign_catalogue(data, key, "test"), {"test": key.public_key()}, now=NOW)


def test_expiry_boundary(key, trusted) -> None:
    data = source_dict()
    bundle = sign_catalogue(data, key, "test")
    from datetime import datetime

    expires = datetime.fromisoformat(data["expires_at"])
    assert verify_bundle(bundle, trusted, now=expires - timedelta(seconds=1))
    with pytest.raises(Expired):
        verify_bundle(bundle, trusted, now=expires)
    with pytest.raises(ValueError):
        verify_bundle(bundle, trusted, now=expires.replace(tzinfo=None))


@pytest.mark.parametrize(
    "data, exc",
    [
        (b"", Truncated),
        (b"   \n", Truncated),
        (b'{"catalogue": {"a": ', Truncated),
        (b'{"catalogue": {"a": "\xe5\x8a', Truncated),
        (b"\xff\xfe{}", Malformed),
        (b"[1, 2]", Malformed),
        (b"{} x", Malformed),
        (b'{"catalogue": {}, "signatures": [], "extra": 1}', Malformed),
        (b'{"catalogue": {}, "signatures": []}', Malformed),
        (b'{"catalogue": [], "signatures": [{}]}', Malformed),
        (b'{"catalogue": {}, "signatures": [{"key_id": "a"}]}', Malformed),
        (b'{"catalogue": {"a": 1, "a": 2}, "signatures": [{"key_id": "a", "sig": ""}]}', Malformed),
        (b'{"catalogue": {"a": NaN}, "signatures": [{"key_id": "a", "sig": ""}]}', Malformed),
        (b"[" * 100_000 + b"]" * 100_000, Malformed),
    ],
)
def test_malformed_bundles(data: bytes, exc: type) -> None:
    with pytest.raises(exc):
        parse_bundle(data)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_never_crash(data: bytes) -> None:
    with pytest.raises((Malformed, UnknownKey, BadSignature)):
        verify_bundle(data, {}, now=NOW)


def test_keygen_files_and_modes(tmp_path: Path) -> None:
    priv, pub = generate_keypair(tmp_path / "keys" / "city-2027a")
    assert priv.name == "city-2027a.key" and pub.name == "city-2027a.pub"
    assert stat.S_IMODE(os.stat(priv).st_mode) == 0o600
    assert priv.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert pub.read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----")
    sk, pk = load_private_key(priv), load_public_key(pub)
    bundle = sign_catalogue(source_dict(), sk, "city-2027a")
    assert verify_bundle(bundle, {"city-2027a": pk}, now=NOW).version == 1
    with pytest.raises(KeyFileError, match="already exists"):
        generate_keypair(tmp_path / "keys" / "city-2027a")
    assert len(public_key_fingerprint(pk)) == 16


def test_public_key_as_raw_hex(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    from cryptography.hazmat.primitives import serialization

    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    (tmp_path / "k.hex").write_text(raw.hex() + "\n")
    assert (
        load_public_key(tmp_path / "k.hex").public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        == raw
    )


@pytest.mark.parametrize(
    "content",
    [b"", b"hello", b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", b"00" * 31],
)
def test_bad_public_key_files(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "k.pub").write_bytes(content)
    with pytest.raises(KeyFileError):
        load_public_key(tmp_path / "k.pub")


def test_missing_and_wrong_type_key_files(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="cannot read"):
        load_public_key(tmp_path / "none.pub")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    ec_key = ec.generate_private_key(ec.SECP256R1())
    (tmp_path / "ec.key").write_bytes(
        ec_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (tmp_path / "ec.pub").write_bytes(
        ec_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    with pytest.raises(KeyFileError, match="not an Ed25519"):
        load_private_key(tmp_path / "ec.key")
    with pytest.raises(KeyFileError, match="not an Ed25519"):
        load_public_key(tmp_path / "ec.pub")

"""Signed bundles: canonical JSON, Ed25519 signatures, verification, key files."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk.catalogue.errors import (
    BadSignature,
    Expired,
    KeyFileError,
    Malformed,
    Truncated,
    UnknownKey,
)
from kiosk.catalogue.model import Catalogue
from kiosk.catalogue.schema import build_catalogue

log = logging.getLogger(__name__)

MAX_BUNDLE_BYTES = 16 * 1024 * 1024
MAX_SIGNATURES = 16


def canonical_json(obj: Any) -> bytes:
    """UTF-8 JSON with sorted keys, no spaces, non-ASCII kept (the bytes that get signed)."""
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def sign_catalogue(catalogue: dict, private_key: Ed25519PrivateKey, key_id: str) -> dict:
    """Bundle {"catalogue", "signatures": [{"key_id", "sig"}]} signed by one key."""
    return add_signature({"catalogue": catalogue, "signatures": []}, private_key, key_id)


def add_signature(bundle: dict, private_key: Ed25519PrivateKey, key_id: str) -> dict:
    """A copy of the bundle with one more signature (key rotation: sign with old and new key)."""
    if not key_id or not isinstance(key_id, str):
        raise ValueError("key_id must be a non-empty string")
    sig = private_key.sign(canonical_json(bundle["catalogue"]))
    others = [s for s in bundle.get("signatures", []) if s.get("key_id") != key_id]
    return {
        "catalogue": bundle["catalogue"],
        "signatures": others + [{"key_id": key_id, "sig": base64.b64encode(sig).decode("ascii")}],
    }


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise Malformed(f"duplicate JSON key {k!r}")
        out[k] = v
    return out


def _reject_constant(name: str) -> Any:
    raise Malformed(f"{name} is not valid JSON")


def parse_bundle(data: bytes | str | dict) -> dict:
    """Parse bundle bytes into {"catalogue": dict, "signatures": list}; Malformed/Truncated if not."""
    if isinstance(data, dict):
        bundle = data
    else:
        if isinstance(data, str):
            data = data.encode("utf-8")
        if len(data) > MAX_BUNDLE_BYTES:
            raise Malformed(f"bundle is {len(data)} bytes, more than {MAX_BUNDLE_BYTES}")
        if not data.strip():
            raise Truncated("bundle file is empty")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.reason == "unexpected end of data":
                raise Truncated(
                    f"bundle ends inside a UTF-8 character at byte {exc.start}"
                ) from None
            raise Malformed(f"bundle is not UTF-8 ({exc.reason} at byte {exc.start})") from None
        try:
            bundle = json.loads(
                text, object_pairs_hook=_reject_duplicates, parse_constant=_reject_constant
            )
        except json.JSONDecodeError as exc:
            if exc.pos >= len(text.rstrip()) or "Unterminated" in exc.msg:
                raise Truncated(
                    f"bundle ends early: {exc.msg} at byte {exc.pos} of {len(data)}"
                    " (torn write or interrupted download?)"
                ) from None
            raise Malformed(
                f"bundle is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
            ) from None
        except RecursionError:
            raise Malformed("bundle nests too deeply") from None
    if not isinstance(bundle, dict):
        raise Malformed("bundle must be a JSON object")
    extra = set(bundle) - {"catalogue", "signatures"}
    if extra:
        raise Malformed(f"unknown key(s) in bundle: {', '.join(sorted(extra))}")
    if not isinstance(bundle.get("catalogue"), dict):
        raise Malformed('bundle has no "catalogue" object')
    sigs = bundle.get("signatures")
    if not isinstance(sigs, list) or not sigs:
        raise Malformed('bundle has no "signatures" list')
    if len(sigs) > MAX_SIGNATURES:
        raise Malformed(f"bundle has {len(sigs)} signatures, at most {MAX_SIGNATURES}")
    for i, s in enumerate(sigs):
        if not (
            isinstance(s, dict)
            and set(s) == {"key_id", "sig"}
            and isinstance(s["key_id"], str)
            and isinstance(s["sig"], str)
        ):
            raise Malformed(f'signatures[{i}] must be {{"key_id": text, "sig": base64 text}}')
    return bundle


def check_signatures(
    bundle: dict, trusted: Mapping[str, Ed25519PublicKey], *, message: bytes | None = None
) -> str:
    """Key id of the first trusted signature that verifies; UnknownKey / BadSignature otherwise.

    `message`: the canonical JSON of bundle["catalogue"] if the caller already has it.
    """
    if message is None:
        message = canonical_json(bundle["catalogue"])
    tried: list[str] = []
    for s in bundle["signatures"]:
        key = trusted.get(s["key_id"])
        if key is None:
            continue
        tried.append(s["key_id"])
        try:
            sig = base64.b64decode(s["sig"], validate=True)
        except (binascii.Error, ValueError):
            continue
        if base64.b64encode(sig).decode("ascii") != s["sig"]:
            continue  # non-canonical base64 (stray padding bits): refuse, do not "repair"
        try:
            key.verify(sig, message)
        except InvalidSignature:
            continue
        return s["key_id"]
    ids = ", ".join(repr(s["key_id"]) for s in bundle["signatures"])
    if not tried:
        raise UnknownKey(
            f"signed by {ids}, none of which is trusted here "
            f"(trusted: {', '.join(sorted(trusted)) or 'none'})"
        )
    raise BadSignature(
        f"signature by {', '.join(map(repr, tried))} does not verify: "
        "the bundle was changed after signing or signed by another key"
    )


def verify_bundle(
    bundle: dict | bytes, trusted: Mapping[str, Ed25519PublicKey], now: datetime | None = None
) -> Catalogue:
    """Parse, check the signature by a trusted key, validate and check expiry; the Catalogue."""
    parsed = parse_bundle(bundle)
    data = parsed["catalogue"]
    message = canonical_json(data)
    key_id = check_signatures(parsed, trusted, message=message)
    digest = hashlib.sha256(message).hexdigest()
    catalogue = build_catalogue(data, digest=digest, key_id=key_id)
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if catalogue.is_expired(now):
        raise Expired(
            f"catalogue version {catalogue.version} expired at "
            f"{catalogue.expires_at.isoformat()} (now {now.isoformat(timespec='seconds')})"
        )
    log.debug("catalogue version %s verified with key %s", catalogue.version, key_id)
    return catalogue


# --- key files -------------------------------------------------------------------------------


def generate_keypair(prefix: str | Path) -> tuple[Path, Path]:
    """Write PREFIX.key (private PEM, mode 0600, never overwritten) and PREFIX.pub (public PEM)."""
    prefix = Path(prefix)
    priv_path, pub_path = (
        prefix.with_name(prefix.name + ".key"),
        prefix.with_name(prefix.name + ".pub"),
    )
    for p in (priv_path, pub_path):
        if p.exists():
            raise KeyFileError(f"{p} already exists; refusing to overwrite a key")
    key = Ed25519PrivateKey.generate()
    priv_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    pub_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    try:
        priv_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(priv_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(priv_pem)
        os.chmod(priv_path, 0o600)
        pub_path.write_bytes(pub_pem)
    except OSError as exc:
        raise KeyFileError(f"cannot write key files at {prefix}: {exc.strerror or exc}") from None
    return priv_path, pub_path


def _read(path: str | Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise KeyFileError(f"cannot read key file {path}: {exc.strerror or exc}") from None


def load_private_key(path: str | Path) -> Ed25519PrivateKey:
    """An Ed25519 private key from an unencrypted PEM file."""
    try:
        key = serialization.load_pem_private_key(_read(path), password=None)
    except (ValueError, TypeError) as exc:
        raise KeyFileError(f"{path}: not an unencrypted PEM private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path}: not an Ed25519 key ({type(key).__name__})")
    return key


def load_public_key(path: str | Path) -> Ed25519PublicKey:
    """An Ed25519 public key from a PEM file or a file holding the raw 32 bytes as hex."""
    raw = _read(path)
    text = raw.strip()
    if text.startswith(b"-----BEGIN"):
        try:
            key = serialization.load_pem_public_key(raw)
        except ValueError as exc:
            raise KeyFileError(f"{path}: not a PEM public key ({exc})") from None
        if not isinstance(key, Ed25519PublicKey):
            raise KeyFileError(f"{path}: not an Ed25519 key ({type(key).__name__})")
        return key
    try:
        data = bytes.fromhex(text.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        data = b""
    if len(data) != 32:
        raise KeyFileError(f"{path}: neither a PEM public key nor 32 bytes of hex")
    return Ed25519PublicKey.from_public_bytes(data)


def public_key_fingerprint(key: Ed25519PublicKey) -> str:
    """SHA-256 (hex, first 16) of the raw public key bytes, for logs and `show`."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]

"""Trusted catalogue keys from the terminal configuration (demo keys refused unless allowed)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kiosk import resources
from kiosk.catalogue.errors import KeyFileError
from kiosk.catalogue.signing import load_public_key

if TYPE_CHECKING:
    from kiosk.config import TerminalConfig

log = logging.getLogger(__name__)

DEMO_PUBLIC_KEY = resources.DEMO_PUBLIC_KEY


def _raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def is_demo_key(key: Ed25519PublicKey) -> bool:
    """Whether this is the public demo key shipped in config/demo (anyone can sign with it)."""
    try:
        return _raw(load_public_key(DEMO_PUBLIC_KEY)) == _raw(key)
    except KeyFileError:
        return False


def trusted_keys_from_config(cfg: TerminalConfig) -> dict[str, Ed25519PublicKey]:
    """key_id → public key for each configured key; demo keys only with allow_demo_keys.

    A key marked `demo`, or whose bytes are the shipped demo key under another name, is left out
    (with a warning) unless catalogue.allow_demo_keys is true. An unreadable key file raises
    KeyFileError naming the config entry.
    """
    allow_demo = cfg.catalogue.allow_demo_keys
    keys: dict[str, Ed25519PublicKey] = {}
    for i, entry in enumerate(cfg.catalogue.trusted_keys):
        path = cfg.resolve(entry.public_key_file)
        try:
            key = load_public_key(path)  # type: ignore[arg-type]
        except KeyFileError as exc:
            raise KeyFileError(f"catalogue.trusted_keys[{i}] ({entry.key_id}): {exc}") from None
        demo = entry.demo or is_demo_key(key)
        if demo and not allow_demo:
            log.warning(
                "catalogue key %s is the public demo key; refused because "
                "catalogue.allow_demo_keys is false",
                entry.key_id,
            )
            continue
        if entry.key_id in keys:
            raise KeyFileError(f"catalogue.trusted_keys[{i}]: key id {entry.key_id!r} listed twice")
        keys[entry.key_id] = key
    return keys

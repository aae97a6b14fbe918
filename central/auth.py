"""Terminal HMAC authentication and staff bearer tokens."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from central.errors import ApiError
from central.storage import Storage
from kiosk import central_api as api

log = logging.getLogger(__name__)


def _unauthorized(code: str, message: str) -> ApiError:
    return ApiError(401, code, message)


def authenticate_terminal(
    store: Storage,
    now: float,
    method: str,
    path_with_query: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    accept_v1: bool = True,
) -> str:
    """Check X-Terminal-Id / X-Timestamp / X-Signature; return the terminal id or raise 401.

    v1.1 signs the Idempotency-Key when the request has one; a v1.0 signature (key not
    signed) passes only while `accept_v1` (the transition setting)."""
    terminal_id = headers.get(api.HEADER_TERMINAL_ID, "")
    ts_text = headers.get(api.HEADER_TIMESTAMP, "")
    signature = headers.get(api.HEADER_SIGNATURE, "")
    if not terminal_id or not ts_text or not signature:
        raise _unauthorized(
            "auth_missing",
            f"{api.HEADER_TERMINAL_ID}, {api.HEADER_TIMESTAMP} and "
            f"{api.HEADER_SIGNATURE} headers are required",
        )
    if not api.TERMINAL_ID_RE.fullmatch(terminal_id):
        raise _unauthorized("unknown_terminal", "unknown terminal")
    if not ts_text.isascii() or not ts_text.isdigit() or len(ts_text) > 12:
        raise _unauthorized("bad_timestamp", f"{api.HEADER_TIMESTAMP} must be unix seconds")
    timestamp = int(ts_text)
    skew = timestamp - now
    if abs(skew) > api.MAX_SKEW_S:
        raise _unauthorized(
            "clock_skew",
            f"timestamp differs from server time by {skew:+.0f} s "
            f"(limit {api.MAX_SKEW_S} s): check the terminal clock",
        )
    secret = store.terminal_secret(terminal_id)
    if secret is None:
        raise _unauthorized("unknown_terminal", "unknown terminal")
    key = headers.get(api.HEADER_IDEMPOTENCY_KEY, "").strip() or None
    if api.verify(secret, method, path_with_query, timestamp, body, signature, key):
        return terminal_id
    if key is not None and api.verify(secret, method, path_with_query, timestamp, body, signature):
        if accept_v1:
            log.info(
                "terminal %s: v1.0 signature accepted (Idempotency-Key not signed)", terminal_id
            )
            return terminal_id
        raise _unauthorized(
            "v1_signature_refused",
            "v1.0 signature: contract v1.1 signs the Idempotency-Key too "
            "(update the terminal software)",
        )
    raise _unauthorized("bad_signature", "signature does not match")
    return terminal_id


def authenticate_staff(store: Storage, headers: Mapping[str, str]) -> str:
    """Check `Authorization: Bearer TOKEN`; return the staff name or raise 401."""
    value = headers.get(api.HEADER_AUTHORIZATION, "")
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(
            401,
            "auth_missing",
            "staff endpoints need Authorization: Bearer TOKEN",
            {"WWW-Authenticate": "Bearer"},
        )
    name = store.token_name(token.strip())
    if name is None:
        raise ApiError(401, "bad_token", "unknown staff token", {"WWW-Authenticate": "Bearer"})
    return name

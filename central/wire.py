"""Wire helpers every router shares: strict JSON bodies, JSON answers, error bodies, doc parts."""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, TypeVar

from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError

from central.errors import ApiError
from kiosk import central_api as api

CN_TZ = timezone(timedelta(hours=8))
JSON = "application/json"
M = TypeVar("M", bound=BaseModel)
MAX_DEPTH = 32
"""Deepest nesting a request body may have (the contract's bodies need 4)."""

TERMINAL_SECURITY: dict[str, list[str]] = {
    "terminalId": [],
    "terminalTimestamp": [],
    "terminalSignature": [],
}
"""The security requirement of a terminal-signed endpoint: the three headers together."""
STAFF_SECURITY: dict[str, list[str]] = {"staffBearer": []}

STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    408: "request_timeout",
    409: "conflict",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    500: "internal_error",
    503: "unavailable",
}


def ts(t: float) -> datetime:
    """A UTC datetime of unix seconds."""
    return datetime.fromtimestamp(t, tz=UTC)


def json_response(
    model: BaseModel, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A model as a JSON answer."""
    return Response(model.model_dump_json(), status, headers=headers, media_type=JSON)


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    """The JSON ErrorBody answer."""
    return json_response(api.ErrorBody(error=code, message=message), status, headers)


def describe(exc: ValidationError | RequestValidationError) -> tuple[str, str]:
    """(code, message) for a validation failure: locations and rule names, never input values."""
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return "invalid_json", "body is not valid JSON"
    parts = []
    for e in errors[:5]:
        loc = ".".join(_loc(p) for p in e.get("loc", ()) if p != "body") or "(body)"
        parts.append(f"{loc}: {_msg(e)}")
    types = {e.get("type") for e in errors}
    code = "tag_required" if types == {"tag_required"} else "validation_failed"
    return code, "; ".join(parts) + (f" (+{len(errors) - 5} more)" if len(errors) > 5 else "")


def _loc(part: Any) -> str:
    # a location part may be a client-chosen dict key (a field name): never echo one that is not
    # a plain identifier (an ID number typed as a key would otherwise come back in the message)
    text = str(part)
    if isinstance(part, int) or (
        re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,39}", text) and not re.search(r"[0-9]{6}", text)
    ):
        return text
    return "(key)"


def _msg(e: Any) -> str:
    # pydantic's own messages name the rule, not the input; a validator's ValueError text is
    # ours (kiosk.central_api writes none that quote the value) but is cut short all the same
    text = str(e.get("msg", "invalid"))
    return (
        text[:160] if e.get("type") != "value_error" else text.removeprefix("Value error, ")[:160]
    )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ValueError("duplicate key")
        out[k] = v
    return out


def _check_tree(value: Any, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise ValueError("nested too deeply")
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("NUL character")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("not a finite number")
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_tree(k, depth + 1)
            _check_tree(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            _check_tree(v, depth + 1)


def strict_json(body: bytes) -> Any:
    """Parse a request body as strict JSON (RFC 8259 plus: no NaN/Infinity, no duplicate keys,
    no NUL characters, bounded depth); ApiError 400 invalid_json otherwise."""
    try:
        value = json.loads(
            body.decode("utf-8"), parse_constant=_reject_constant, object_pairs_hook=_pairs
        )
        _check_tree(value)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        why = (
            str(exc)
            if str(exc)
            in ("duplicate key", "NUL character", "nested too deeply", "not a finite number")
            else "syntax"
        )
        raise ApiError(400, "invalid_json", f"body is not valid JSON ({why})") from None
    return value


def parse(model: type[M], body: bytes) -> M:
    """A request body as `model`: strict JSON first, then the contract's validation (422)."""
    strict_json(body)
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        code, message = describe(exc)
        raise ApiError(400 if code == "invalid_json" else 422, code, message) from None


def errors_doc(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries with the ErrorBody model."""
    return {c: {"model": api.ErrorBody} for c in codes}


def body_doc(
    model: type[BaseModel],
    registry: dict[str, type[BaseModel]],
    idempotent: bool = False,
    terminal: bool = True,
    optional_key: bool = False,
) -> dict[str, Any]:
    """openapi_extra of an endpoint reading `model` as its raw (signed) body."""
    registry[model.__name__] = model
    extra: dict[str, Any] = {
        "requestBody": {
            "required": True,
            "content": {JSON: {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}},
        }
    }
    params: list[dict[str, Any]] = []
    if idempotent or optional_key:
        params.append(idempotency_param(required=idempotent))
    if params:
        extra["parameters"] = params
    if terminal:
        extra["security"] = [dict(TERMINAL_SECURITY)]
    return extra


def idempotency_param(required: bool = True) -> dict[str, Any]:
    """The Idempotency-Key header parameter (a UUID, signed in v1.1)."""
    return {
        "name": api.HEADER_IDEMPOTENCY_KEY,
        "in": "header",
        "required": required,
        "description": "UUID chosen by the terminal, the same on every retry of one call "
        "(v1.1: part of the signed string)",
        "schema": {
            "type": "string",
            "format": "uuid",
            "pattern": "^" + api.IDEMPOTENCY_KEY_RE.pattern + "$",
        },
    }


def auth_params() -> list[dict[str, Any]]:
    """The three signature headers as OpenAPI parameters (for routers written before the
    security schemes; new ones use terminal_doc()/body_doc(), which declare the scheme)."""
    return [
        {"name": h, "in": "header", "required": True, "schema": {"type": "string"}}
        for h in (api.HEADER_TERMINAL_ID, api.HEADER_TIMESTAMP, api.HEADER_SIGNATURE)
    ]


def terminal_doc() -> dict[str, Any]:
    """openapi_extra of a terminal-signed endpoint without a body."""
    return {"security": [dict(TERMINAL_SECURITY)]}

"""The served OpenAPI document: request body schemas, security schemes, contract version."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from kiosk import central_api as api

BODIES: dict[str, type[BaseModel]] = {}
"""Models read from raw (signed) bodies, registered by central.wire.body_doc."""

SECURITY_SCHEMES: dict[str, Any] = {
    "terminalId": {
        "type": "apiKey",
        "in": "header",
        "name": api.HEADER_TERMINAL_ID,
        "description": "the terminal's id (kiosk terminal_id)",
    },
    "terminalTimestamp": {
        "type": "apiKey",
        "in": "header",
        "name": api.HEADER_TIMESTAMP,
        "description": f"unix seconds; within ±{api.MAX_SKEW_S} s of the server clock",
    },
    "terminalSignature": {
        "type": "apiKey",
        "in": "header",
        "name": api.HEADER_SIGNATURE,
        "description": "hex HMAC-SHA256 under the terminal secret of METHOD\\nPATH_WITH_QUERY\\n"
        "TIMESTAMP\\nsha256_hex(body), v1.1: plus \\nIDEMPOTENCY_KEY when the "
        "request has one (docs/central-api.md)",
    },
    "staffBearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "staff token (kiosk central token add)",
    },
}


def install(app: FastAPI) -> None:
    """Replace app.openapi with the contract's document (built once)."""

    def custom_openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        _, defs = models_json_schema(
            [(m, "validation") for m in BODIES.values()],
            ref_template="#/components/schemas/{model}",
        )
        comps = schema.setdefault("components", {})
        schemas = comps.setdefault("schemas", {})
        for name, sch in defs.get("$defs", {}).items():
            schemas.setdefault(name, sch)
        tighten(schemas)
        comps["securitySchemes"] = SECURITY_SCHEMES
        _default_security(schema)
        schema["info"]["x-contract-version"] = api.CONTRACT_VERSION
        app.openapi_schema = schema
        return schema

    app.openapi = custom_openapi  # type: ignore[method-assign]


def _default_security(schema: dict[str, Any]) -> None:
    # Routers added by other areas (好差评, codes, bundles …) name their auth through the shared
    # dependencies; the document states it for them: staff paths the bearer, /v1 the signature.
    from central.wire import STAFF_SECURITY, TERMINAL_SECURITY

    for path, ops in schema.get("paths", {}).items():
        for op in ops.values():
            if not isinstance(op, dict) or "security" in op:
                continue
            if path.startswith("/v1/admin/"):
                op["security"] = [dict(STAFF_SECURITY)]
            elif path.startswith("/v1/") and not path.startswith("/v1/verify"):
                op["security"] = [dict(TERMINAL_SECURITY)]


ID_NUMBER_FORMAT = "gb11643"
"""OpenAPI format of an 18-character ID number whose check digit is right (GB 11643)."""
JPEG_B64_PATTERN = r"^/9j/(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
MOMENT_PATTERN = r"^20[0-9]{2}-"
ID_NUMBER = {"format": ID_NUMBER_FORMAT, "pattern": r"^[0-9]{17}[0-9X]$"}

TIGHTEN: dict[tuple[str, str], dict[str, Any]] = {
    ("Identity", "id_number"): ID_NUMBER,
    ("FaceVerification", "id_number"): ID_NUMBER,
    ("FaceVerification", "image_jpeg_b64"): {"pattern": JPEG_B64_PATTERN},
    ("PayCode", "code"): {"pattern": "^" + api.PAYMENT_CODE_RE.pattern + "$"},
}
"""Rules the models check in Python (check digits, prefixes), written out for the schema."""
MOMENTS = (("Submission", "created_at"), ("Rating", "rated_at"))
FIELD_MAPS = (("Submission", "fields"), ("QueryRequest", "params"), ("PaymentRequest", "fields"))
FIELD_NAMES = {
    "propertyNames": {"pattern": r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"},
    "maxProperties": api.MAX_FIELDS,
}
TAG_CODE = {"pattern": r"^[a-z][a-z0-9_]{0,31}$"}
"""A reason tag code (kiosk.central_api.RatingTag.code); which ones exist is the catalogue's."""
NO_NUL = r"^(?:[^\x00\s](?:[^\x00]*[^\x00\s])?)?$"
"""Strings carry no NUL character (strict JSON: central.wire.strict_json refuses them) and no
whitespace at either end (the models strip it, so " x" would count as "x")."""
SUBMISSION_WHO = [
    {
        "required": ["applicant"],
        "properties": {"applicant": {"type": "object"}, "anonymous": {"const": False}},
    },
    {
        "required": ["anonymous"],
        "properties": {"anonymous": {"const": True}, "applicant": {"type": "null"}},
    },
]
"""Submission: an applicant or `anonymous: true`, never both or neither."""


def _close_pattern_maps(node: Any) -> None:
    # a dict with patterned keys (devices, fields) refuses any other key, as the model does
    if isinstance(node, dict):
        if "patternProperties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for v in node.values():
            _close_pattern_maps(v)
    elif isinstance(node, list):
        for v in node:
            _close_pattern_maps(v)


def _no_nul(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "string" and not (
            {"pattern", "format", "enum", "const"} & set(node)
        ):
            node["pattern"] = NO_NUL
        for v in node.values():
            _no_nul(v)
    elif isinstance(node, list):
        for v in node:
            _no_nul(v)


def tighten(schemas: dict[str, Any]) -> None:
    """Make the request schemas as strict as the server's validation."""
    _close_pattern_maps(schemas)
    for name in BODIES:
        _no_nul(schemas.get(name))
    for model in ("Identity", "DeviceState", "Liveness", "DocumentDigest"):
        _no_nul(schemas.get(model))
    for model, prop in FIELD_MAPS:
        target = schemas.get(model, {}).get("properties", {}).get(prop)
        if target is not None:
            target.update(FIELD_NAMES)
    tags = schemas.get("Rating", {}).get("properties", {}).get("tags")
    if tags is not None:
        tags["uniqueItems"] = True
        tags.setdefault("items", {}).update(TAG_CODE)
        negative = [lv.value for lv in api.RatingLevel if lv.is_negative]
        schemas["Rating"]["anyOf"] = [  # 差评 needs a reason tag
            {"properties": {"level": {"not": {"enum": negative}}}},
            {"required": ["tags"], "properties": {"tags": {"minItems": 1}}},
        ]
    for (model, prop), extra in TIGHTEN.items():
        target = schemas.get(model, {}).get("properties", {}).get(prop)
        if target is not None:
            target.update(extra)
    for model, prop in MOMENTS:
        target = schemas.get(model, {}).get("properties", {}).get(prop)
        for branch in (target or {}).get("anyOf", [target] if target else []):
            if branch.get("format") == "date-time":
                branch["pattern"] = MOMENT_PATTERN
    if "Submission" in schemas:
        schemas["Submission"]["oneOf"] = SUBMISSION_WHO

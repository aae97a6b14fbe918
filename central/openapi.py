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
    "terminalId": {"type": "apiKey", "in": "header", "name": api.HEADER_TERMINAL_ID,
                   "description": "the terminal's id (kiosk terminal_id)"},
    "terminalTimestamp": {"type": "apiKey", "in": "header", "name": api.HEADER_TIMESTAMP,
                          "description": f"unix seconds; within ±{api.MAX_SKEW_S} s of "
                                         "the server clock"},
    "terminalSignature": {
        "type": "apiKey", "in": "header", "name": api.HEADER_SIGNATURE,
        "description": "hex HMAC-SHA256 under the terminal secret of METHOD\\nPATH_WITH_QUERY\\n"
                       "TIMESTAMP\\nsha256_hex(body), v1.1: plus \\nIDEMPOTENCY_KEY when the "
                       "request has one (docs/central-api.md)"},
    "staffBearer": {"type": "http", "scheme": "bearer",
                    "description": "staff token (kiosk central token add)"},
}


def install(app: FastAPI) -> None:
    """Replace app.openapi with the contract's document (built once)."""

    def custom_openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description,
                             routes=app.routes)
        _, defs = models_json_schema([(m, "validation") for m in BODIES.values()],
                                     ref_template="#/components/schemas/{model}")
        comps = schema.setdefault("components", {})
        schemas = comps.setdefault("schemas", {})
        for name, sch in defs.get("$defs", {}).items():
            schemas.setdefault(name, sch)
        comps["securitySchemes"] = SECURITY_SCHEMES
        schema["info"]["x-contract-version"] = api.CONTRACT_VERSION
        app.openapi_schema = schema
        return schema

    app.openapi = custom_openapi  # type: ignore[method-assign]

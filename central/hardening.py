"""HTTP hardening of the app: body limits, JSON content type, JSON errors, a 500 without
traceback, the access log. (Connection-level limits live in central.server.)"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import traceback
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from central.errors import ApiError
from central.wire import STATUS_CODES, describe, error_response
from drivers.privacy import scrub_text

log = logging.getLogger(__name__)
access_log = logging.getLogger("central.access")

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
CATALOGUE_UPLOADS = ("/v1/admin/catalogue", "/console/catalogue/upload")
FORM_PREFIX = "/console/"
"""The staff console posts HTML forms (urlencoded, multipart), not JSON; its pages check their
own forms (CSRF token, fields) — everything else must be application/json."""
BODY_TIMEOUT_S = 30.0
"""The whole request body must arrive within this (the head has central.connections' limit)."""


def json_content_type(value: str) -> bool:
    """`application/json`, optionally with `charset=utf-8` (any case), nothing else."""
    mime, _, params = value.partition(";")
    if mime.strip().lower() != "application/json":
        return False
    for param in filter(None, (p.strip() for p in params.split(";"))):
        name, _, val = param.partition("=")
        if name.strip().lower() != "charset" or val.strip().strip('"').lower() not in (
            "utf-8",
            "utf8",
        ):
            return False
    return True


class Limits:
    """ASGI middleware: body size limits, `application/json` for bodies (415), JSON 500 without
    traceback, access log (paths scrubbed of personal data)."""

    def __init__(
        self,
        app: Callable[..., Awaitable[None]],
        *,
        max_body: int,
        max_catalogue: int,
        body_timeout_s: float = BODY_TIMEOUT_S,
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.max_catalogue = max_catalogue
        self.body_timeout_s = body_timeout_s

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        limit = self.max_catalogue if path in CATALOGUE_UPLOADS else self.max_body
        headers: dict[str, str] = {}
        for k, v in scope.get("headers", []):
            headers.setdefault(k.decode("latin-1").lower(), v.decode("latin-1"))
        started = time.perf_counter()
        state = {"status": 0, "sent": False}

        async def _send(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                state["sent"] = True
            await send(message)

        seen = 0
        deadline: float | None = None
        body_done = False

        async def _receive() -> dict[str, Any]:
            nonlocal seen, deadline, body_done
            if body_done:  # later receives wait for a disconnect: no deadline there
                return await receive()  # type: ignore[no-any-return]
            # a slow body (bytes trickled to hold a worker) gets one deadline for all of it
            loop = asyncio.get_running_loop()
            deadline = deadline or loop.time() + self.body_timeout_s
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - loop.time()))
            except TimeoutError:
                raise ApiError(
                    408,
                    "body_timeout",
                    f"request body not received within {self.body_timeout_s:g} s",
                ) from None
            if message["type"] == "http.request":
                body_done = not message.get("more_body", False)
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise ApiError(413, "body_too_large", f"request body over {limit} bytes")
            return message

        try:
            length = headers.get("content-length")
            has_body = (length not in (None, "0")) or "transfer-encoding" in headers
            if length is not None and (
                not (length.isascii() and length.isdigit()) or int(length) > limit
            ):
                await error_response(413, "body_too_large", f"request body over {limit} bytes")(
                    scope, receive, _send
                )
            elif (
                scope.get("method") in BODY_METHODS
                and has_body
                and not path.startswith(FORM_PREFIX)
                and not json_content_type(headers.get("content-type", ""))
            ):
                await error_response(
                    415,
                    "unsupported_media_type",
                    "request bodies must be Content-Type: application/json",
                )(scope, receive, _send)
            else:
                await self.app(scope, _receive, _send)
        except ClientDisconnect:  # the client went away mid-body (a killed terminal): no one
            log.info(
                "client disconnected during %s %s",
                scope.get("method"),  # to answer
                scrub_text(path)[:200],
            )
        except Exception as exc:  # the one place that turns any bug into a JSON 500
            frames = traceback.extract_tb(exc.__traceback__)
            where = (
                f"{Path(frames[-1].filename).name}:{frames[-1].lineno} in {frames[-1].name}"
                if frames
                else "?"
            )
            log.error(
                "unhandled %s at %s on %s %s: %s",
                type(exc).__name__,
                where,
                scope.get("method"),
                scrub_text(path),
                scrub_text(str(exc)[:200]),
            )
            if not state["sent"]:
                await error_response(
                    500, "internal_error", "internal error; the service log has details"
                )(scope, receive, _send)
        finally:
            access_log.info(
                json.dumps(
                    {
                        "method": scope.get("method"),
                        "path": scrub_text(path)[:200],
                        "status": state["status"],
                        "ms": round((time.perf_counter() - started) * 1000, 2),
                        "terminal": scrub_text(headers.get("x-terminal-id", "")[:40]) or None,
                    },
                    ensure_ascii=False,
                )
            )


def install(app: FastAPI, *, max_body: int, max_catalogue: int) -> None:
    """Add the middleware and the JSON error handlers (messages never echo input values)."""
    app.add_middleware(Limits, max_body=max_body, max_catalogue=max_catalogue)

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> Response:
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> Response:
        code = STATUS_CODES.get(exc.status_code, f"http_{exc.status_code}")
        # Starlette's own details ("Not Found", "Method Not Allowed") never carry the path
        message = exc.detail if isinstance(exc.detail, str) else code
        return error_response(exc.status_code, code, message[:200], dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> Response:
        code, message = describe(exc)
        return error_response(400 if code == "invalid_json" else 422, code, message)

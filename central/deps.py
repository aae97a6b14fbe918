"""FastAPI dependencies: the raw (signed) body, terminal signatures, staff bearer tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from central.auth import authenticate_staff, authenticate_terminal
from central.service import Service


async def read_body(request: Request) -> bytes:
    """The raw request body (the bytes the signature covers)."""
    return await request.body()


def service(request: Request) -> Service:
    """The app's Service."""
    svc: Service = request.app.state.service
    return svc


def path_with_query(request: Request) -> str:
    """PATH_WITH_QUERY exactly as the client sent it (raw path, raw query string)."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    path = raw.decode("latin-1")
    qs = request.scope.get("query_string", b"").decode("latin-1")
    return f"{path}?{qs}" if qs else path


def terminal(request: Request, body: bytes = Depends(read_body)) -> str:
    """The signing terminal's id (401 otherwise); v1.0 signatures per the app's settings."""
    svc = service(request)
    return authenticate_terminal(
        svc.store,
        svc.clock(),
        request.method,
        path_with_query(request),
        request.headers,
        body,
        accept_v1=svc.settings.v1_signatures,
    )


def staff(request: Request) -> str:
    """The staff name behind `Authorization: Bearer TOKEN` (401 otherwise)."""
    return authenticate_staff(service(request).store, request.headers)


RawBody = Annotated[bytes, Depends(read_body)]
"""The raw body, as a parameter type."""
TerminalId = Annotated[str, Depends(terminal)]
"""The authenticated terminal's id, as a parameter type."""
StaffName = Annotated[str, Depends(staff)]
"""The authenticated staff name, as a parameter type."""
Svc = Annotated[Service, Depends(service)]
"""The app's Service, as a parameter type."""

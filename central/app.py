"""The central service's app factory: `create_app(...)` wires routers, dependencies, hardening.

The routes live in central.routers (an APIRouter per area), auth in central.deps, HTTP hardening
in central.hardening, shared logic in central.service, simulated back ends in central.sandbox.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from central import backends as be
from central import deps, hardening, openapi
from central.deps import path_with_query
from central.exports import CSV_COLUMNS, ratings_csv
from central.routers import haocha as haocha_routes
from central.routers import identity as identity_routes
from central.routers import payments as payment_routes
from central.routers import queries as query_routes
from central.routers import staff as staff_routes
from central.routers import terminal as terminal_routes
from central.routers import verify
from central.routers.queries import QUERY_KINDS
from central.routers.terminal import APPLY_KINDS
from central.sandbox.progress import PROGRESS
from central.service import Service
from central.settings import Settings
from central.storage import Storage
from central.wire import CN_TZ, JSON, error_response
from central.wire import auth_params as _auth_params
from central.wire import body_doc as _body_doc
from central.wire import describe as _describe
from central.wire import errors_doc as _errors
from central.wire import json_response as _json
from central.wire import parse as _parse
from central.wire import ts as _ts
from kiosk import central_api as api

log = logging.getLogger(__name__)

_Service = Service
__all__ = [
    "APPLY_KINDS",
    "CN_TZ",
    "CSV_COLUMNS",
    "JSON",
    "PROGRESS",
    "QUERY_KINDS",
    "create_app",
    "error_response",
    "path_with_query",
    "ratings_csv",
    "_Service",
    "_auth_params",
    "_body_doc",
    "_describe",
    "_errors",
    "_json",
    "_parse",
    "_ts",
]
# (names other modules imported from here before the split; new code imports central.wire,
# central.service, central.routers.*)


def create_app(
    db_path: str | Path | None = None,
    *,
    clock: Callable[[], float] = time.time,
    offline_after_s: float = 180.0,
    max_body_bytes: int = 64 * 1024,
    max_catalogue_bytes: int = 4 * 1024 * 1024,
    idempotency_retention_days: float = 90.0,
    payment_ttl_s: float = 300.0,
    key_file: str | Path | None = None,
    sandbox: bool = True,
    accept_v1_signatures: bool | None = None,
    case_check: bool = True,
    backends: be.Backends | None = None,
) -> FastAPI:
    """The service over the database db_path: a URL (postgresql://…) or a SQLite file path.

    Without db_path the settings come from the environment (central.settings: CENTRAL_DB …),
    so `uvicorn central.app:create_app --factory --workers N` works. A new SQLite file is
    created at the current schema; any other database must be migrated (`kiosk central
    migrate`), else this raises central.storage.NotMigrated.

    `sandbox=False` (production) turns the simulated back ends and the /sandbox routes off and,
    unless `accept_v1_signatures` says otherwise, refuses v1.0 signatures. `backends` plugs in
    real department systems. Idempotency records older than idempotency_retention_days (longer
    than any terminal keeps an undelivered outbox row) are purged at start-up.
    """
    if db_path is None:
        from central.settings import from_env

        db_path, env = from_env()
        offline_after_s = env.get("offline_after_s", offline_after_s)
        idempotency_retention_days = env.get(
            "idempotency_retention_days", idempotency_retention_days
        )
        payment_ttl_s = env.get("payment_ttl_s", payment_ttl_s)
        sandbox = env.get("sandbox", sandbox)
        accept_v1_signatures = env.get("accept_v1_signatures", accept_v1_signatures)
    store = Storage(db_path, key_file=key_file)
    settings = Settings(
        sandbox=sandbox,
        accept_v1_signatures=accept_v1_signatures,
        case_check=case_check,
        offline_after_s=offline_after_s,
        max_body_bytes=max_body_bytes,
        max_catalogue_bytes=max_catalogue_bytes,
        idempotency_retention_days=idempotency_retention_days,
        payment_ttl_s=payment_ttl_s,
    )
    if backends is None:
        backends = be.sandbox() if sandbox else be.production()
    svc = Service(store, clock, settings, backends)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):  # type: ignore[no-untyped-def]
        purged = store.purge_idempotency(clock() - idempotency_retention_days * 86400)
        if purged:
            log.info(
                "purged %d idempotency record(s) older than %g days",
                purged,
                idempotency_retention_days,
            )
        yield
        store.close()

    app = FastAPI(
        title="Central service API" + (" (sandbox)" if sandbox else ""),
        version=api.API_VERSION,
        description=f"Executable form of the terminal ↔ central contract "
        f"v{api.CONTRACT_VERSION}; see docs/central-api.md.",
        lifespan=lifespan,
        redoc_url=None,
    )
    app.state.service = svc
    app.state.settings = settings
    hardening.install(app, max_body=max_body_bytes, max_catalogue=max_catalogue_bytes)

    @app.get("/healthz", include_in_schema=True, tags=["ops"])
    def healthz() -> dict[str, str]:
        """Liveness for load balancers (unauthenticated, touches no storage)."""
        return {"status": "ok"}

    app.include_router(verify.router)
    app.include_router(terminal_routes.router)
    app.include_router(query_routes.router)
    app.include_router(staff_routes.router)
    app.include_router(identity_routes.router(deps.terminal, available=backends.face))
    app.include_router(haocha_routes.router(svc, deps.terminal, deps.staff))  # issue 19: 好差评
    from central.routers import codes as code_routes

    app.include_router(code_routes.router(deps.terminal, clock=clock, enabled=sandbox))  # issue 24
    payment_routes.install(
        app, svc, deps.terminal, openapi.BODIES, ttl_s=payment_ttl_s, sandbox=sandbox
    )
    from central.console.views import install as install_console
    from central.rollout.serving import Rollout

    install_console(app, store, clock=clock, offline_after_s=offline_after_s)
    svc.rollout = Rollout(store)
    openapi.install(app)
    return app

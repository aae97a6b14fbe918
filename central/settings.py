"""Settings of one central app (Settings), and the environment form for
`uvicorn central.app:create_app --factory` (no arguments):

CENTRAL_DB                      database URL or SQLite path (required)
CENTRAL_SECRET_KEY_FILE         server key file, 0600 (or CENTRAL_SECRET_KEY: 64 hex digits)
CENTRAL_OFFLINE_AFTER_S         a terminal without a heartbeat for this long is offline (180)
CENTRAL_IDEMPOTENCY_RETENTION_DAYS  first answers kept this long for retries (90)
CENTRAL_PAYMENT_TTL_S           an unpaid order closes after this (300)
CENTRAL_LOG_LEVEL               log level of a worker process (INFO); logs go to stderr, scrubbed
CENTRAL_SANDBOX                 1: simulated back ends and /sandbox routes (default); 0: production
CENTRAL_ACCEPT_V1_SIGNATURES    1/0: accept v1.0 signatures (default: as CENTRAL_SANDBOX)
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any

from central.errors import CentralError


@dataclass(frozen=True)
class Settings:
    """What create_app's keyword arguments decide (defaults: the embedded sandbox/demo)."""

    sandbox: bool = True
    """Serve the simulated back ends (query answers, payments platform, face, case progress) and
    the /sandbox routes. Off in production (`kiosk central serve --no-sandbox`)."""
    accept_v1_signatures: bool | None = None
    """Accept v1.0 signatures (Idempotency-Key not signed) during the transition to v1.1.
    None: the sandbox's choice (on with the sandbox, off without)."""
    case_check: bool = True
    """Case numbers carry the 4-digit keyed check group (REGION-YYYYMMDD-SEQ-CHECK)."""
    offline_after_s: float = 180.0
    max_body_bytes: int = 64 * 1024
    max_catalogue_bytes: int = 4 * 1024 * 1024
    idempotency_retention_days: float = 90.0
    payment_ttl_s: float = 300.0

    @property
    def v1_signatures(self) -> bool:
        """Whether v1.0 signatures are accepted."""
        return self.sandbox if self.accept_v1_signatures is None else self.accept_v1_signatures


ENV_DB = "CENTRAL_DB"
_NUMBERS = {
    "CENTRAL_OFFLINE_AFTER_S": "offline_after_s",
    "CENTRAL_IDEMPOTENCY_RETENTION_DAYS": "idempotency_retention_days",
    "CENTRAL_PAYMENT_TTL_S": "payment_ttl_s",
}


def from_env(environ: dict[str, str] | None = None) -> tuple[str, dict[str, Any]]:
    """(database, create_app keyword arguments) from the environment."""
    env = os.environ if environ is None else environ
    db = env.get(ENV_DB, "").strip()
    if not db:
        raise CentralError(f"{ENV_DB} is not set: the database URL (postgresql://…) or SQLite path")
    kwargs: dict[str, Any] = {}
    for name, arg in _NUMBERS.items():
        if env.get(name, "").strip():
            try:
                value = float(env[name])
            except ValueError:
                raise CentralError(f"{name} must be a number, not {env[name][:20]!r}") from None
            if not value > 0:
                raise CentralError(f"{name} must be above 0")
            kwargs[arg] = value
    for name, arg in (
        ("CENTRAL_SANDBOX", "sandbox"),
        ("CENTRAL_ACCEPT_V1_SIGNATURES", "accept_v1_signatures"),
    ):
        flag = env.get(name, "").strip().lower()
        if flag:
            if flag not in ("0", "1", "true", "false", "yes", "no"):
                raise CentralError(f"{name} must be 1 or 0, not {flag[:10]!r}")
            kwargs[arg] = flag in ("1", "true", "yes")
    if not logging.getLogger().handlers:  # a worker process uvicorn spawned: nothing set up yet
        from kiosk.logs import setup_logging

        setup_logging(None, env.get("CENTRAL_LOG_LEVEL", "INFO").upper() or "INFO")
    return db, kwargs


def to_env(
    db: str,
    key_file: str | None = None,
    *,
    sandbox: bool | None = None,
    accept_v1_signatures: bool | None = None,
) -> dict[str, str]:
    """The variables that make a worker process's create_app() open `db` with `key_file`."""
    out = {ENV_DB: db}
    if sandbox is not None:
        out["CENTRAL_SANDBOX"] = "1" if sandbox else "0"
    if accept_v1_signatures is not None:
        out["CENTRAL_ACCEPT_V1_SIGNATURES"] = "1" if accept_v1_signatures else "0"
    if key_file:
        out["CENTRAL_SECRET_KEY_FILE"] = os.path.abspath(key_file)
    return out

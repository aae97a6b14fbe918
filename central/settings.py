"""Settings from the environment, for `uvicorn central.app:create_app --factory` (no arguments).

CENTRAL_DB                      database URL or SQLite path (required)
CENTRAL_SECRET_KEY_FILE         server key file, 0600 (or CENTRAL_SECRET_KEY: 64 hex digits)
CENTRAL_OFFLINE_AFTER_S         a terminal without a heartbeat for this long is offline (180)
CENTRAL_IDEMPOTENCY_RETENTION_DAYS  first answers kept this long for retries (90)
CENTRAL_PAYMENT_TTL_S           an unpaid order closes after this (300)
CENTRAL_LOG_LEVEL               log level of a worker process (INFO); logs go to stderr, scrubbed
"""
from __future__ import annotations

import logging
import os
from typing import Any

from central.errors import CentralError

ENV_DB = "CENTRAL_DB"
_NUMBERS = {"CENTRAL_OFFLINE_AFTER_S": "offline_after_s",
            "CENTRAL_IDEMPOTENCY_RETENTION_DAYS": "idempotency_retention_days",
            "CENTRAL_PAYMENT_TTL_S": "payment_ttl_s"}


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
    if not logging.getLogger().handlers:  # a worker process uvicorn spawned: nothing set up yet
        from kiosk.logs import setup_logging

        setup_logging(None, env.get("CENTRAL_LOG_LEVEL", "INFO").upper() or "INFO")
    return db, kwargs


def to_env(db: str, key_file: str | None = None) -> dict[str, str]:
    """The variables that make a worker process's create_app() open `db` with `key_file`."""
    out = {ENV_DB: db}
    if key_file:
        out["CENTRAL_SECRET_KEY_FILE"] = os.path.abspath(key_file)
    return out

"""Schema migrations (Alembic, shipped in central/storage/migrations): run, stamp, check."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

from central.storage.engine import WRITE, redact
from central.storage.errors import NotMigrated
from central.storage.keys import ServerKey
from central.storage.schema import load_all

log = logging.getLogger(__name__)

MIGRATIONS = Path(str(files("central.storage") / "migrations"))  # package data, also in a wheel
LEGACY_REVISION = "0001"
"""What a database written by the raw-sqlite3 storage (meta.schema_version = 1) is at."""


def _config(
    conn: Connection | None = None, server_key: Callable[[], ServerKey] | None = None
) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    cfg.attributes["server_key"] = server_key
    return cfg


@functools.cache
def head() -> str:
    """The newest revision this code knows."""
    rev = ScriptDirectory.from_config(_config()).get_current_head()
    assert rev is not None
    return rev


def state(conn: Connection) -> str | None:
    """The database's revision; "legacy" for an unversioned schema-v1 database; None when empty."""
    rev = MigrationContext.configure(conn).get_current_revision()
    if rev is not None:
        return rev
    names = set(inspect(conn).get_table_names())
    if not names:
        return None
    if "meta" in names and "terminals" in names:
        return "legacy"
    return "unknown"


def _fk_off(conn: Connection) -> None:
    # SQLite recreates tables in batch migrations: foreign keys must be off, and that pragma only
    # works outside a transaction (so on the raw connection, before SQLAlchemy begins).
    if conn.dialect.name == "sqlite":
        conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]


def _fk_on(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        dbapi = conn.connection.dbapi_connection
        bad = dbapi.execute("PRAGMA foreign_key_check").fetchall()  # type: ignore[union-attr]
        dbapi.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
        if bad:
            raise NotMigrated(f"foreign key check failed after migrating: {bad[:3]}")


def upgrade(
    engine: Engine, server_key: Callable[[], ServerKey], target: str = "head"
) -> tuple[str | None, str]:
    """Bring the database to `target`; (revision before, revision after)."""
    with engine.connect() as conn:
        conn.execution_options(**{WRITE: True})  # SQLite: each step inside BEGIN IMMEDIATE
        _fk_off(conn)
        try:
            before = state(conn)
            conn.commit()
            if before == "unknown":
                raise NotMigrated(
                    f"{redact(engine.url)} holds tables that are not this service's: "
                    "refusing to migrate it"
                )
            if before == "legacy":
                log.info("unversioned schema-v1 database: stamping revision %s", LEGACY_REVISION)
                command.stamp(_config(conn, server_key), LEGACY_REVISION)
                conn.commit()
            command.upgrade(_config(conn, server_key), target)
            conn.commit()
        finally:
            _fk_on(conn)
        after = MigrationContext.configure(conn).get_current_revision()
        conn.commit()
    log.info("database %s migrated %s → %s", redact(engine.url), before, after)
    return before, after or ""


def create_new(engine: Engine) -> None:
    """An empty database straight at head: create_all, then stamp (Alembic's documented way)."""
    with engine.connect() as conn:
        conn.execution_options(**{WRITE: True})
        with conn.begin():
            load_all().create_all(conn)
            command.stamp(_config(conn), "head")


def check(conn: Connection, where: str) -> None:
    """Raise NotMigrated unless the database is at this code's head revision."""
    rev = state(conn)
    if rev == head():
        return
    hint = f"run `kiosk central migrate --db {where}`"
    if rev is None:
        raise NotMigrated(f"{where}: the database is empty (no schema): {hint}")
    if rev == "legacy":
        raise NotMigrated(
            f"{where}: the database has the old unversioned schema: {hint} "
            "(it keeps every row and encrypts the terminal secrets)"
        )
    if rev == "unknown":
        raise NotMigrated(f"{where}: the database holds tables that are not this service's")
    known = {s.revision for s in ScriptDirectory.from_config(_config()).walk_revisions()}
    if rev not in known:
        raise NotMigrated(
            f"{where}: the database is at revision {rev}, newer than this code "
            f"(head {head()}): upgrade the service, not the database"
        )
    raise NotMigrated(
        f"{where}: the database is at revision {rev}, this code needs {head()}: {hint}"
    )


def is_empty(conn: Connection) -> bool:
    """No tables at all (a file SQLite just created, a fresh PostgreSQL database)."""
    return not inspect(conn).get_table_names()


def ping(conn: Connection) -> None:
    """A trivial round trip (start-up check of credentials and reachability)."""
    conn.execute(text("SELECT 1"))

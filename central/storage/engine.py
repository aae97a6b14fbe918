"""Engines: a SQLite file (WAL, synchronous=FULL, BEGIN IMMEDIATE) or PostgreSQL via psycopg 3."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from central.storage.errors import StorageError

WRITE = "central_write"
"""Execution option of a connection that will write (SQLite: BEGIN IMMEDIATE)."""


def to_url(db: str | Path) -> URL:
    """A SQLAlchemy URL for a database URL (sqlite:///…, postgresql://…) or a plain file path."""
    text = str(db)
    if "://" not in text:
        return URL.create("sqlite+pysqlite", database=str(Path(text).expanduser()))
    try:
        url = make_url(text)
    except ArgumentError:
        raise StorageError(f"not a database URL: {redact(text)}") from None
    if url.get_backend_name() == "postgresql":
        return url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise StorageError("an in-memory SQLite database cannot be shared: give a file")
        return url.set(drivername="sqlite+pysqlite")
    raise StorageError(f"unsupported database {url.get_backend_name()!r}: sqlite or postgresql")


def redact(text: str | URL) -> str:
    """The URL without its password (for messages and logs)."""
    try:
        url = make_url(str(text)) if not isinstance(text, URL) else text
    except ArgumentError:
        return "(unparsable URL)"
    return url.render_as_string(hide_password=True)


def sqlite_path(url: URL) -> Path | None:
    """The file of a SQLite URL, None for other engines."""
    return Path(url.database or "") if url.get_backend_name() == "sqlite" else None


def _private_file(path: Path) -> None:
    """Create the database file (and its WAL/SHM companions) 0600 before SQLite does (umask)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if p == path or path.exists():
            fd = os.open(p, os.O_RDWR | os.O_CREAT, 0o600)
            os.close(fd)
        if p.exists() and p.stat().st_mode & 0o077:
            os.chmod(p, 0o600)


def make_engine(url: URL, *, pool_size: int = 10, max_overflow: int = 30) -> Engine:
    """An engine for `url` with this service's connection settings."""
    if url.get_backend_name() == "sqlite":
        path = sqlite_path(url)
        assert path is not None
        try:
            _private_file(path)
        except OSError as exc:
            raise StorageError(
                f"{path}: cannot open the service database: {exc.strerror}"
            ) from None
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=pool_size,
            max_overflow=max_overflow,
        )

        @event.listens_for(engine, "connect")
        def _connect(dbapi: Any, _record: Any) -> None:
            dbapi.isolation_level = None  # the driver's own BEGIN handling off: see _begin
            cur = dbapi.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            # Writers take the write lock at BEGIN (two writers never both read, then deadlock
            # on the upgrade). Readers begin nothing: each of their single statements is its own
            # snapshot in autocommit mode, and never blocks in WAL mode.
            if conn.get_execution_options().get(WRITE, False):
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    # No pre-ping (a round trip per checkout); a connection the server dropped fails one
    # statement, and SQLAlchemy then replaces the whole pool.
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_recycle=1800,
        connect_args={
            "connect_timeout": 10,
            # per process: ops (and a test) see the workers
            "application_name": f"kiosk-central-{os.getpid()}",
        },
    )

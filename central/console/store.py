"""The console's database handle: an SQLAlchemy engine on central's database."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event

log = logging.getLogger(__name__)


def engine_for(db: str | Path | Engine) -> Engine:
    """An engine for central's database: an Engine as is, a URL, or an SQLite file path."""
    if isinstance(db, Engine):
        return db
    text = str(db)
    if "://" not in text:
        text = f"sqlite:///{Path(text)}"
    engine = create_engine(text, future=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

    return engine


class ConsoleStore:
    """Transactions on the console's and the rollout's tables (central's migrations create
    them: open the database through central.storage.Storage first)."""

    def __init__(self, db: str | Path | Engine) -> None:
        self.engine = engine_for(db)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction: committed when the block ends, rolled back on an exception."""
        with self.engine.begin() as conn:
            yield conn

    def close(self) -> None:
        """Release pooled connections."""
        self.engine.dispose()

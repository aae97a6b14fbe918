"""The SQLAlchemy engine over the service database (SQLite file for now, any URL later)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event

from central.haocha.tables import metadata


def engine_for(db_path: str | Path, url: str = "") -> Engine:
    """An engine on `url`, or on the SQLite file the Storage uses; our tables created."""
    if url:
        engine = create_engine(url, pool_pre_ping=True)
    else:
        engine = create_engine(f"sqlite:///{Path(db_path)}", connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(conn: Any, _record: Any) -> None:  # same durability as central.storage
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

    metadata.create_all(engine)
    return engine

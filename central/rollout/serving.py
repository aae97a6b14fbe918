"""What central serves each terminal: the pilot bundle for the pilot group, else the published one."""
from __future__ import annotations

from typing import Any

from central.rollout.stages import serving
from central.storage import PublishedCatalogue, Storage


class Rollout:
    """The two questions the terminal API asks (GET /v1/catalogue and the heartbeat's command)."""

    def __init__(self, db: Any, store: Storage) -> None:
        self.db = db
        """A store with .transaction() yielding an SQLAlchemy Connection (the console's)."""
        self.store = store

    def catalogue_for(self, terminal_id: str) -> PublishedCatalogue | None:
        """The bundle this terminal should run (None: nothing published)."""
        published = self.store.published_version()
        with self.db.transaction() as conn:
            pilot = serving(conn, terminal_id, published)
        return pilot or self.store.published()

    def version_for(self, terminal_id: str) -> int | None:
        """The catalogue version this terminal should run (None: nothing published)."""
        published = self.store.published_version()
        with self.db.transaction() as conn:
            pilot = serving(conn, terminal_id, published)
        return pilot.version if pilot else published

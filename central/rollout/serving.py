"""What central serves each terminal: the pilot bundle for the pilot group, else the published one."""

from __future__ import annotations

from central import catalogue as cat
from central.rollout.stages import Stage, serving
from central.rollout.tables import stages
from central.storage import PublishedCatalogue, Storage


class Rollout:
    """The two questions the terminal API asks (GET /v1/catalogue and the heartbeat's command)."""

    def __init__(self, store: Storage) -> None:
        self.store = store
        """Reads go through `store.engine` without the write lock (never wait for a writer)."""
        self._pilot: tuple[int, cat.ActiveCatalogue] | None = None

    def catalogue_for(self, terminal_id: str) -> PublishedCatalogue | None:
        """The bundle this terminal should run (None: nothing published)."""
        published = self.store.published_version()
        with self.store.engine.connect() as conn:
            pilot = serving(conn, terminal_id, published)
        return pilot or self.store.published()

    def version_for(self, terminal_id: str) -> int | None:
        """The catalogue version this terminal should run (None: nothing published)."""
        published = self.store.published_version()
        with self.store.engine.connect() as conn:
            pilot = serving(conn, terminal_id, published)
        return pilot.version if pilot else published

    def pilot_item(self, code: str) -> cat.ItemInfo | None:
        """An item of the version in pilot (pilot terminals submit items the published version
        does not have yet); None without a pilot or such an item."""
        from sqlalchemy import select

        with self.store.engine.connect() as conn:
            row = conn.execute(
                select(stages.c.version).where(stages.c.state == Stage.PILOT.value)
            ).first()
            if row is None:
                return None
            if self._pilot is None or self._pilot[0] != row[0]:
                bundle = conn.execute(
                    select(stages.c.bundle).where(stages.c.version == row[0])
                ).scalar_one()
                self._pilot = (row[0], cat.from_bundle_bytes(bytes(bundle)))
        return self._pilot[1].items.get(code)

"""Stage a verified bundle, serve it to the pilot group, then publish it to every terminal."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from central import catalogue as cat
from central.errors import NotNewer
from central.rollout.errors import RolloutError
from central.rollout.tables import pilots, stages
from central.storage import PublishedCatalogue, Storage

log = logging.getLogger(__name__)


class Stage(str, Enum):
    """Where a staged bundle stands."""

    STAGED = "staged"
    """Verified and stored; no terminal gets it yet."""
    PILOT = "pilot"
    """Served to the pilot group's terminals."""
    PUBLISHED = "published"
    """Published to every terminal (it is central's active catalogue or was)."""
    WITHDRAWN = "withdrawn"
    """Stopped before publishing to all (or superseded by a newer published version)."""

    @property
    def label(self) -> str:
        """Chinese name of the stage."""
        return {
            "staged": "已上传待发布",
            "pilot": "试点中",
            "published": "已全面发布",
            "withdrawn": "已撤回",
        }[self.value]


@dataclass(frozen=True)
class Staged:
    """One uploaded bundle and its stage."""

    version: int
    etag: str
    items: int
    state: Stage
    staged_at: float
    staged_by: str
    changed_at: float
    changed_by: str


def etag_of(bundle: bytes) -> str:
    """The ETag central serves for a bundle (the same bytes keep it after publishing to all)."""
    return '"' + hashlib.sha256(bundle).hexdigest()[:32] + '"'


def _row(r: object) -> Staged:
    m = r._mapping  # type: ignore[attr-defined]
    return Staged(
        m["version"],
        m["etag"],
        m["items"],
        Stage(m["state"]),
        m["staged_at"],
        m["staged_by"],
        m["changed_at"],
        m["changed_by"],
    )


def stage(db: Connection, store: Storage, bundle: bytes, by: str, now: float) -> Staged:
    """Verify a bundle against central's trusted keys and keep it, not served to anyone yet."""
    active = cat.verify(bundle, store.trusted_keys(), now)
    published = store.published_version() or 0
    if active.version <= published:
        raise NotNewer(f"version {active.version} is not above the published {published}")
    if db.execute(select(stages.c.version).where(stages.c.version == active.version)).first():
        raise RolloutError(f"version {active.version} was uploaded already")
    db.execute(
        insert(stages).values(
            version=active.version,
            bundle=bundle,
            etag=etag_of(bundle),
            items=len(active.items),
            state=Stage.STAGED.value,
            staged_at=now,
            staged_by=by,
            changed_at=now,
            changed_by=by,
        )
    )
    log.info("catalogue version %d staged by %s", active.version, by)
    return get(db, active.version)


def get(db: Connection, version: int) -> Staged:
    """One staged bundle; RolloutError when unknown."""
    r = db.execute(select(stages).where(stages.c.version == version)).first()
    if r is None:
        raise RolloutError(f"version {version} was never uploaded")
    return _row(r)


def bundle_of(db: Connection, version: int) -> bytes:
    """The signed bytes of a staged version."""
    r = db.execute(select(stages.c.bundle).where(stages.c.version == version)).first()
    if r is None:
        raise RolloutError(f"version {version} was never uploaded")
    return bytes(r[0])


def history(db: Connection) -> list[Staged]:
    """Every uploaded version, newest first."""
    return [_row(r) for r in db.execute(select(stages).order_by(stages.c.version.desc()))]


def _move(db: Connection, version: int, to: Stage, by: str, now: float) -> None:
    db.execute(
        update(stages)
        .where(stages.c.version == version)
        .values(state=to.value, changed_at=now, changed_by=by)
    )


def start_pilot(db: Connection, version: int, by: str, now: float) -> Staged:
    """Serve a staged version to the pilot group (one pilot at a time)."""
    s = get(db, version)
    if s.state == Stage.PILOT:
        return s
    if s.state != Stage.STAGED:
        raise RolloutError(
            f"version {version} is {s.state.label}; only an uploaded version can start a pilot"
        )
    other = db.execute(select(stages.c.version).where(stages.c.state == Stage.PILOT.value)).first()
    if other:
        raise RolloutError(
            f"version {other[0]} is in pilot: publish it to all or withdraw it first"
        )
    if not pilot_ids(db):
        raise RolloutError("the pilot group is empty: add terminals to it first")
    _move(db, version, Stage.PILOT, by, now)
    log.info("catalogue version %d in pilot (%s)", version, by)
    return get(db, version)


def publishable(db: Connection, version: int) -> bytes:
    """The bundle of a staged or pilot version about to be published to all (RolloutError if
    it is neither); the caller publishes it through central's Storage, then mark_published."""
    s = get(db, version)
    if s.state not in (Stage.STAGED, Stage.PILOT):
        raise RolloutError(f"version {version} is {s.state.label}")
    return bundle_of(db, version)


def mark_published(db: Connection, version: int, by: str, now: float) -> Staged:
    """Record that `version` went to every terminal; older staged versions are withdrawn."""
    _move(db, version, Stage.PUBLISHED, by, now)
    db.execute(
        update(stages)
        .where(
            stages.c.version < version, stages.c.state.in_([Stage.STAGED.value, Stage.PILOT.value])
        )
        .values(state=Stage.WITHDRAWN.value, changed_at=now, changed_by=by)
    )
    return get(db, version)


def publish_all(db_store: Any, store: Storage, version: int, by: str, now: float) -> Staged:
    """Publish a staged or pilot version to every terminal. Three short transactions: central's
    own publish must not run inside a console transaction (on SQLite both want the write lock)."""
    with db_store.transaction() as db:
        bundle = publishable(db, version)
    cat.publish(store, bundle, by, now)
    with db_store.transaction() as db:
        return mark_published(db, version, by, now)


def withdraw(db: Connection, version: int, by: str, now: float) -> Staged:
    """Stop a staged or pilot version (pilot terminals keep it: they never go back a version)."""
    s = get(db, version)
    if s.state not in (Stage.STAGED, Stage.PILOT):
        raise RolloutError(f"version {version} is {s.state.label}")
    _move(db, version, Stage.WITHDRAWN, by, now)
    return get(db, version)


def pilot_ids(db: Connection) -> list[str]:
    """Terminal ids of the pilot group."""
    return [r[0] for r in db.execute(select(pilots.c.terminal_id).order_by(pilots.c.terminal_id))]


def set_pilots(
    db: Connection, terminal_ids: list[str], known: set[str], by: str, now: float
) -> list[str]:
    """Replace the pilot group; ids central does not know are refused with RolloutError."""
    unknown = sorted(set(terminal_ids) - known)
    if unknown:
        raise RolloutError("unknown terminal(s): " + ", ".join(unknown[:5]))
    db.execute(delete(pilots))
    for tid in sorted(set(terminal_ids)):
        db.execute(insert(pilots).values(terminal_id=tid, added_at=now, added_by=by))
    return pilot_ids(db)


def serving(db: Connection, terminal_id: str, published: int | None) -> PublishedCatalogue | None:
    """The pilot bundle this terminal gets instead of the published one, or None."""
    if (
        db.execute(select(pilots.c.terminal_id).where(pilots.c.terminal_id == terminal_id)).first()
        is None
    ):
        return None
    r = db.execute(select(stages).where(stages.c.state == Stage.PILOT.value)).first()
    if r is None or r._mapping["version"] <= (published or 0):
        return None
    m = r._mapping
    return PublishedCatalogue(
        m["version"], bytes(m["bundle"]), m["etag"], m["items"], m["changed_at"]
    )

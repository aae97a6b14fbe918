"""The service database behind one interface, on SQLAlchemy Core: SQLite or PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, and_, bindparam, case, func, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DataError, IntegrityError, OperationalError, SQLAlchemyError

from central.storage import keys, migrate
from central.storage import schema as t
from central.storage.engine import WRITE, make_engine, redact, sqlite_path, to_url
from central.storage.errors import NotMigrated, OutOfRange, StorageError

log = logging.getLogger(__name__)

INT64 = (-(2**63), 2**63 - 1)
# Lifecycle rank: events of one case at the same instant come out in this order.
_STATE_ORDER = ("received", "accepted", "in_progress", "completed", "rejected")


# Hot statements built once (each request reads the secret and the published version):
# building a Core statement and its cache key costs more than SQLite answering it.
_SECRET = select(t.terminals.c.secret_enc).where(
    t.terminals.c.terminal_id == bindparam("tid"), t.terminals.c.enabled == 1
)
_VERSION = select(func.max(t.catalogues.c.version))
_TOKEN = select(t.staff_tokens.c.name).where(t.staff_tokens.c.token_hash == bindparam("h"))
_CASE = select(
    t.cases.c.case_no,
    t.cases.c.kind,
    t.cases.c.item_code,
    t.cases.c.region_code,
    t.cases.c.terminal_id,
    t.cases.c.received_at,
).where(t.cases.c.case_no == bindparam("case_no"))


def hash_token(token: str) -> str:
    """Staff tokens are stored as sha256 hex (they are 256-bit random, so no salt/KDF needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def bounded(**values: int | None) -> None:
    """Raise OutOfRange for any integer that does not fit a 64-bit column."""
    for name, v in values.items():
        if v is not None and not INT64[0] <= v <= INT64[1]:
            raise OutOfRange(name, "integer out of the 64-bit range")


def upsert(
    db: Connection,
    table: Any,
    values: dict[str, Any],
    keys_: list[str],
    update: dict[str, Any] | None,
) -> Any:
    """INSERT … ON CONFLICT (keys_) DO UPDATE SET update (DO NOTHING when update is None)."""
    ins = (postgresql.insert if db.dialect.name == "postgresql" else sqlite.insert)(table).values(
        values
    )
    if update is None:
        return ins.on_conflict_do_nothing(index_elements=keys_)
    return ins.on_conflict_do_update(index_elements=keys_, set_=update)


@dataclass(frozen=True)
class IdempotentAnswer:
    """A stored first answer to a creating call."""

    endpoint: str
    body_hash: str
    status: int
    response: bytes


@dataclass(frozen=True)
class PublishedCatalogue:
    """The newest published bundle."""

    version: int
    bundle: bytes
    etag: str
    items: int
    published_at: float


class Storage:
    """The service database; thread-safe (a connection pool), shared by several processes.

    `db` is a URL (postgresql://…, sqlite:///…) or a SQLite file path. A new or empty SQLite
    file is created at the current schema; anything else must already be migrated
    (`kiosk central migrate`), else NotMigrated.
    """

    def __init__(
        self,
        db: str | Path,
        *,
        key_file: str | Path | None = None,
        create: bool = True,
        pool_size: int = 10,
        max_overflow: int = 30,
    ) -> None:
        self.url = to_url(db)
        self.where = redact(self.url)
        self.path = sqlite_path(self.url)
        self.engine = make_engine(self.url, pool_size=pool_size, max_overflow=max_overflow)
        self._local = threading.local()
        self._write_lock = threading.Lock() if self.path is not None else None
        try:
            with self.engine.connect() as conn:
                fresh = self.path is not None and create and migrate.is_empty(conn)
            if fresh:
                migrate.create_new(self.engine)
                log.info("created service database %s at revision %s", self.where, migrate.head())
            with self.engine.connect() as conn:
                migrate.check(conn, str(self.path) if self.path is not None else self.where)
        except NotMigrated:
            self.engine.dispose()
            raise
        except SQLAlchemyError as exc:
            self.engine.dispose()
            raise StorageError(
                f"{self.where}: cannot open the service database: {_reason(exc)}"
            ) from None
        self._key = keys.load(key_file, self.path, create=fresh)
        self.server_key = self._key
        """The server key: terminal secrets and other personal data at rest (central.haocha)."""
        self._salt = bytes.fromhex(self._meta("subject_salt", secrets.token_hex(16)))

    def _meta(self, name: str, default: str) -> str:
        """A meta value, set to `default` the first time (first writer wins across processes)."""
        with self.transaction() as db:
            db.execute(upsert(db, t.meta, {"key": name, "value": default}, ["key"], None))
            return str(db.execute(select(t.meta.c.value).where(t.meta.c.key == name)).scalar_one())

    def subject_hash(self, id_number: str) -> str:
        """Keyed hash of an ID number: cases are linkable per person without storing the number."""
        return hashlib.blake2b(id_number.encode(), key=self._salt, digest_size=16).hexdigest()

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    @property
    def dialect(self) -> str:
        """ "sqlite" or "postgresql"."""
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction (SQLite: BEGIN IMMEDIATE); COMMIT, or ROLLBACK on any exception.

        The yielded Connection is opaque to endpoint code: pass it to Storage's static methods.
        Reads made by this thread meanwhile (Storage.case(), published_version() …) and a nested
        transaction() use the same connection: a request never holds two pooled connections
        (with a full pool that would deadlock) and sees its own uncommitted rows.
        """
        outer = getattr(self._local, "conn", None)
        if outer is not None:
            yield outer
            return
        try:
            # SQLite has one writer at a time anyway: queue this process's writers on a lock
            # instead of in SQLite's sleeping busy handler, each holding a pooled connection.
            with self._write_lock or nullcontext(), self.engine.connect() as db:
                db.execution_options(**{WRITE: True})
                with db.begin():
                    self._local.conn = db
                    try:
                        yield db
                    finally:
                        self._local.conn = None
        except (DataError, OverflowError) as exc:
            raise OutOfRange("value", f"does not fit its column: {_reason(exc)}") from None
        except OperationalError as exc:
            raise StorageError(f"{self.where}: database unavailable: {_reason(exc)}") from None

    def _read(self, stmt: Any, params: dict[str, Any] | None = None) -> list[Any]:
        outer = getattr(self._local, "conn", None)
        try:
            if outer is not None:
                return list(outer.execute(stmt, params).all())
            with self.engine.connect() as db:
                return list(db.execute(stmt, params).all())
        except (DataError, OverflowError) as exc:
            raise OutOfRange("value", f"does not fit its column: {_reason(exc)}") from None
        except OperationalError as exc:
            raise StorageError(f"{self.where}: database unavailable: {_reason(exc)}") from None

    def _first(self, stmt: Any, params: dict[str, Any] | None = None) -> Any:
        rows = self._read(stmt, params)
        return rows[0] if rows else None

    def _one(self, sql: str, args: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
        """A raw read with ? placeholders, for tests and ops scripts (never endpoint code)."""
        rows = self._all(sql, args)
        return rows[0] if rows else None

    def _all(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        names = {f"p{i}": a for i, a in enumerate(args)}
        counter = iter(range(len(args)))
        stmt = text(re.sub(r"\?", lambda _m: f":p{next(counter)}", sql))
        return [tuple(r) for r in self._read(stmt.bindparams(**names) if names else stmt)]

    # --- terminals, tokens, keys ---------------------------------------------------------

    def add_terminal(self, terminal_id: str, secret: bytes | None, now: float) -> bytes:
        """Register (or re-key) a terminal; return its secret (generated when None)."""
        secret = secret if secret is not None else secrets.token_bytes(32)
        sealed = self._key.seal(terminal_id, secret)
        with self.transaction() as db:
            db.execute(
                upsert(
                    db,
                    t.terminals,
                    {"terminal_id": terminal_id, "secret_enc": sealed, "registered_at": now},
                    ["terminal_id"],
                    {"secret_enc": sealed},
                )
            )
        return secret

    def terminal_secret(self, terminal_id: str) -> bytes | None:
        """The secret of an enabled terminal, or None."""
        row = self._first(_SECRET, {"tid": terminal_id})
        return self._key.open(terminal_id, row[0]) if row else None

    def add_token(self, name: str, now: float) -> str:
        """Create a staff token; only its hash is stored, the token is returned once."""
        token = secrets.token_urlsafe(32)
        with self.transaction() as db:
            db.execute(
                insert(t.staff_tokens).values(
                    token_hash=hash_token(token), name=name, created_at=now
                )
            )
        return token

    def token_name(self, token: str) -> str | None:
        """The staff name of a token, or None when unknown."""
        row = self._first(_TOKEN, {"h": hash_token(token)})
        return row[0] if row else None

    def add_trusted_key(self, key_id: str, public_key_raw: bytes, now: float) -> None:
        """Trust an Ed25519 public key (32 raw bytes) for catalogue bundles."""
        if len(public_key_raw) != 32:
            raise StorageError("an Ed25519 public key is 32 bytes")
        with self.transaction() as db:
            db.execute(
                upsert(
                    db,
                    t.trusted_keys,
                    {"key_id": key_id, "public_key": public_key_raw, "added_at": now},
                    ["key_id"],
                    {"public_key": public_key_raw},
                )
            )

    def trusted_keys(self) -> dict[str, bytes]:
        """key_id → raw public key."""
        return {
            k: bytes(v)
            for k, v in self._read(select(t.trusted_keys.c.key_id, t.trusted_keys.c.public_key))
        }

    # --- idempotency ---------------------------------------------------------------------

    @staticmethod
    def idempotent_answer(db: Connection, terminal_id: str, key: str) -> IdempotentAnswer | None:
        """The stored first answer for (terminal, key), inside a transaction.

        On PostgreSQL this first takes a transaction-scoped advisory lock on (terminal, key):
        a concurrent first call with the same key (another worker) waits here until this one
        commits, then reads its answer instead of doing the work twice.
        """
        if db.dialect.name == "postgresql":
            lock = int.from_bytes(
                hashlib.blake2b(f"{terminal_id}\x1f{key}".encode(), digest_size=8).digest(),
                "big",
                signed=True,
            )
            db.execute(select(func.pg_advisory_xact_lock(lock)))
        i = t.idempotency.c
        row = db.execute(
            select(i.endpoint, i.body_hash, i.status, i.response).where(
                i.terminal_id == terminal_id, i.key == key
            )
        ).first()
        return IdempotentAnswer(row[0], row[1], row[2], bytes(row[3])) if row else None

    @staticmethod
    def store_answer(
        db: Connection,
        terminal_id: str,
        key: str,
        endpoint: str,
        body_hash: str,
        status: int,
        response: bytes,
        now: float,
    ) -> None:
        """Remember the first answer for (terminal, key), inside the same transaction."""
        db.execute(
            insert(t.idempotency).values(
                terminal_id=terminal_id,
                key=key,
                endpoint=endpoint,
                body_hash=body_hash,
                status=status,
                response=response,
                created_at=now,
            )
        )

    def purge_idempotency(self, before: float) -> int:
        """Forget stored first answers older than `before` (their retries are long over)."""
        with self.transaction() as db:
            return int(
                db.execute(
                    t.idempotency.delete().where(t.idempotency.c.created_at < before)
                ).rowcount
            )

    # --- cases ---------------------------------------------------------------------------

    @staticmethod
    def next_sequence(db: Connection, region_code: str, day: str) -> int:
        """Next case sequence number for (region, day), inside a transaction.

        One INSERT … ON CONFLICT DO UPDATE … RETURNING: the row lock it takes (PostgreSQL) or
        the write lock of BEGIN IMMEDIATE (SQLite) makes it unique across processes.
        """
        s = t.sequences
        stmt = upsert(
            db,
            s,
            {"region_code": region_code, "day": day, "last": 1},
            ["region_code", "day"],
            {"last": s.c.last + 1},
        ).returning(s.c.last)
        return int(db.execute(stmt).scalar_one())

    @staticmethod
    def insert_case(
        db: Connection,
        case_no: str,
        kind: str,
        item_code: str,
        region_code: str,
        terminal_id: str,
        subject_hash: str,
        field_names: list[str],
        local_ref: str | None,
        now: float,
        events: list[tuple[str, float, str]],
    ) -> None:
        """Create a case with its first events, inside a transaction."""
        db.execute(
            insert(t.cases).values(
                case_no=case_no,
                kind=kind,
                item_code=item_code,
                region_code=region_code,
                terminal_id=terminal_id,
                subject_hash=subject_hash,
                field_names=json.dumps(field_names),
                local_ref=local_ref,
                received_at=now,
            )
        )
        Storage.insert_events(db, case_no, events)

    @staticmethod
    def insert_events(db: Connection, case_no: str, events: list[tuple[str, float, str]]) -> None:
        """Append case events inside a transaction (a status already recorded is kept as is)."""
        for status, at, note in events:
            db.execute(
                upsert(
                    db,
                    t.case_events,
                    {"case_no": case_no, "status": status, "at": at, "note": note},
                    ["case_no", "status"],
                    None,
                )
            )

    def case(self, case_no: str) -> dict[str, Any] | None:
        """A case row as a dict, or None."""
        row = self._first(_CASE, {"case_no": case_no})
        return dict(row._mapping) if row is not None else None

    def case_by_local_ref(self, ref: str) -> dict[str, Any] | None:
        """The case a terminal submitted under provisional number `ref` (letters in any case)."""
        c = t.cases.c
        row = self._first(
            select(c.case_no)
            .where(func.upper(c.local_ref) == ref.upper())
            .order_by(c.received_at)
            .limit(1)
        )
        return self.case(row[0]) if row is not None else None

    def case_events(self, case_no: str) -> list[tuple[str, float, str]]:
        """(status, at, note) oldest first."""
        e = t.case_events.c
        rank = case({s: i for i, s in enumerate(_STATE_ORDER)}, value=e.status, else_=99)
        return [
            (r[0], r[1], r[2])
            for r in self._read(
                select(e.status, e.at, e.note).where(e.case_no == case_no).order_by(e.at, rank)
            )
        ]

    def add_case_events(self, case_no: str, events: list[tuple[str, float, str]]) -> None:
        """Append events (ignoring ones already recorded)."""
        with self.transaction() as db:
            self.insert_events(db, case_no, events)

    # --- ratings -------------------------------------------------------------------------

    @staticmethod
    def insert_rating(
        db: Connection,
        case_no: str,
        item_code: str,
        level: str,
        tags: list[str],
        comment: str,
        terminal_id: str,
        region_code: str,
        channel: str,
        rated_at: float | None,
        now: float,
    ) -> int | None:
        """Store a rating; None when the case already has one (一次一评)."""
        stmt = upsert(
            db,
            t.ratings,
            {
                "case_no": case_no,
                "item_code": item_code,
                "level": level,
                "tags": json.dumps(tags, ensure_ascii=False),
                "comment": comment,
                "terminal_id": terminal_id,
                "region_code": region_code,
                "channel": channel,
                "rated_at": rated_at,
                "received_at": now,
            },
            ["case_no"],
            None,
        )
        try:
            rid = db.execute(stmt.returning(t.ratings.c.rating_id)).scalar()
        except IntegrityError:  # the case vanished (foreign key): treat like "cannot rate"
            raise StorageError(f"case {case_no} cannot be rated") from None
        return int(rid) if rid is not None else None

    def ratings(
        self, since: float | None, until: float | None, item_code: str | None
    ) -> list[dict[str, Any]]:
        """Ratings received in [since, until), optionally for one item, oldest first."""
        r = t.ratings.c
        conds = []
        if since is not None:
            conds.append(r.received_at >= since)
        if until is not None:
            conds.append(r.received_at < until)
        if item_code is not None:
            conds.append(r.item_code == item_code)
        stmt = select(
            r.rating_id,
            r.case_no,
            r.item_code,
            r.level,
            r.tags,
            r.comment,
            r.terminal_id,
            r.region_code,
            r.channel,
            r.rated_at,
            r.received_at,
        )
        out = []
        for row in self._read(stmt.where(and_(True, *conds)).order_by(r.rating_id)):
            d = dict(row._mapping)
            d["tags"] = json.loads(d["tags"])
            out.append(d)
        return out

    # --- heartbeats ----------------------------------------------------------------------

    def store_heartbeat(
        self,
        terminal_id: str,
        now: float,
        devices: dict[str, Any],
        catalogue_version: int,
        outbox_depth: int,
        app_version: str,
        uptime_s: float,
    ) -> None:
        """Keep the latest heartbeat of a terminal (OutOfRange for integers beyond 64 bits)."""
        bounded(catalogue_version=catalogue_version, outbox_depth=outbox_depth)
        values = {
            "terminal_id": terminal_id,
            "received_at": now,
            "devices": json.dumps(devices, ensure_ascii=False),
            "catalogue_version": catalogue_version,
            "outbox_depth": outbox_depth,
            "app_version": app_version,
            "uptime_s": uptime_s,
        }
        with self.transaction() as db:
            db.execute(
                upsert(
                    db,
                    t.heartbeats,
                    values,
                    ["terminal_id"],
                    {k: values[k] for k in values if k != "terminal_id"},
                )
            )

    def terminals(self) -> list[dict[str, Any]]:
        """Every terminal with its latest heartbeat (None fields when none yet)."""
        tm, h = t.terminals.c, t.heartbeats.c
        stmt = (
            select(
                tm.terminal_id,
                tm.registered_at,
                h.received_at.label("last_heartbeat_at"),
                h.devices,
                h.catalogue_version,
                h.outbox_depth,
                h.app_version,
                h.uptime_s,
            )
            .select_from(t.terminals.outerjoin(t.heartbeats, h.terminal_id == tm.terminal_id))
            .order_by(tm.terminal_id)
        )
        out = []
        for row in self._read(stmt):
            d = dict(row._mapping)
            d["devices"] = json.loads(d["devices"]) if d["devices"] else {}
            out.append(d)
        return out

    # --- catalogue -----------------------------------------------------------------------

    def published(self) -> PublishedCatalogue | None:
        """The newest published catalogue bundle, or None."""
        c = t.catalogues.c
        row = self._first(
            select(c.version, c.bundle, c.etag, c["items"], c.published_at)
            .order_by(c.version.desc())
            .limit(1)
        )
        return PublishedCatalogue(row[0], bytes(row[1]), row[2], row[3], row[4]) if row else None

    def published_version(self) -> int | None:
        """Version of the newest published bundle (cheap: no blob read), or None."""
        row = self._first(_VERSION)
        return row[0] if row else None

    def publish(self, version: int, bundle: bytes, items: int, by: str, now: float) -> str | None:
        """Store a bundle if its version is above the newest; return its ETag, else None."""
        bounded(version=version, items=items)
        etag = '"' + hashlib.sha256(bundle).hexdigest()[:32] + '"'
        with self.transaction() as db:
            if db.dialect.name == "postgresql":  # one publisher at a time across workers
                db.execute(text("LOCK TABLE catalogues IN SHARE ROW EXCLUSIVE MODE"))
            newest = db.execute(select(func.max(t.catalogues.c.version))).scalar()
            if newest is not None and version <= newest:
                return None
            db.execute(
                insert(t.catalogues).values(
                    version=version,
                    bundle=bundle,
                    etag=etag,
                    items=items,
                    published_at=now,
                    published_by=by,
                )
            )
        return etag


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return str(orig).strip().splitlines()[0][:200] if str(orig).strip() else type(orig).__name__

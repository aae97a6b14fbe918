"""SQLite (WAL, synchronous=FULL) storage of the reference service: one connection, one lock."""
from __future__ import annotations

import hashlib
import json
import logging
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from central import documents
from central import payment_store
from central.errors import StorageError

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS terminals (
    terminal_id TEXT PRIMARY KEY,
    secret_hex TEXT NOT NULL,
    registered_at REAL NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS staff_tokens (
    token_hash TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS trusted_keys (
    key_id TEXT PRIMARY KEY,
    public_key BLOB NOT NULL,
    added_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS idempotency (
    terminal_id TEXT NOT NULL,
    key TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    body_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    response BLOB NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (terminal_id, key)
);
CREATE TABLE IF NOT EXISTS sequences (
    region_code TEXT NOT NULL,
    day TEXT NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (region_code, day)
);
CREATE TABLE IF NOT EXISTS cases (
    case_no TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    item_code TEXT NOT NULL,
    region_code TEXT NOT NULL,
    terminal_id TEXT NOT NULL,
    subject_hash TEXT NOT NULL,
    field_names TEXT NOT NULL,
    local_ref TEXT,
    received_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS case_events (
    case_no TEXT NOT NULL REFERENCES cases(case_no),
    status TEXT NOT NULL,
    at REAL NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (case_no, status)
);
CREATE TABLE IF NOT EXISTS ratings (
    rating_id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_no TEXT NOT NULL UNIQUE REFERENCES cases(case_no),
    item_code TEXT NOT NULL,
    level TEXT NOT NULL,
    tags TEXT NOT NULL,
    comment TEXT NOT NULL,
    terminal_id TEXT NOT NULL,
    region_code TEXT NOT NULL,
    channel TEXT NOT NULL,
    rated_at REAL,
    received_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS ratings_received ON ratings(received_at);
CREATE TABLE IF NOT EXISTS heartbeats (
    terminal_id TEXT PRIMARY KEY REFERENCES terminals(terminal_id),
    received_at REAL NOT NULL,
    devices TEXT NOT NULL,
    catalogue_version INTEGER NOT NULL,
    outbox_depth INTEGER NOT NULL,
    app_version TEXT NOT NULL,
    uptime_s REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS catalogues (
    version INTEGER PRIMARY KEY,
    bundle BLOB NOT NULL,
    etag TEXT NOT NULL,
    items INTEGER NOT NULL,
    published_at REAL NOT NULL,
    published_by TEXT NOT NULL
);
"""


def hash_token(token: str) -> str:
    """Staff tokens are stored as sha256 hex (they are 256-bit random, so no salt/KDF needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


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
    """The service database. Thread-safe: every call holds one lock around one connection."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path), check_same_thread=False,
                                       isolation_level=None, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.executescript(SCHEMA)
            documents.create_tables(self._db)
            payment_store.create(self._db)
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)",
                             (str(SCHEMA_VERSION),))
        except sqlite3.Error as exc:
            raise StorageError(f"{self.path}: cannot open the service database: {exc}") from None
        self._lock = threading.RLock()
        row = self._one("SELECT value FROM meta WHERE key = 'subject_salt'")
        if row is None:
            salt = secrets.token_hex(16)
            with self.transaction() as db:
                db.execute("INSERT OR IGNORE INTO meta VALUES ('subject_salt', ?)", (salt,))
            row = self._one("SELECT value FROM meta WHERE key = 'subject_salt'")
        assert row is not None  # inserted just above
        self._salt = bytes.fromhex(row[0])

    def subject_hash(self, id_number: str) -> str:
        """Keyed hash of an ID number: cases are linkable per person without storing the number."""
        return hashlib.blake2b(id_number.encode(), key=self._salt, digest_size=16).hexdigest()

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT (ROLLBACK on any exception), under the lock."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _one(self, sql: str, args: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
        with self._lock:
            return self._db.execute(sql, args).fetchone()

    def _all(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    # --- terminals, tokens, keys ---------------------------------------------------------

    def add_terminal(self, terminal_id: str, secret: bytes | None, now: float) -> bytes:
        """Register (or re-key) a terminal; return its secret (generated when None)."""
        secret = secret if secret is not None else secrets.token_bytes(32)
        with self.transaction() as db:
            db.execute(
                "INSERT INTO terminals (terminal_id, secret_hex, registered_at) VALUES (?, ?, ?) "
                "ON CONFLICT(terminal_id) DO UPDATE SET secret_hex = excluded.secret_hex",
                (terminal_id, secret.hex(), now))
        return secret

    def terminal_secret(self, terminal_id: str) -> bytes | None:
        """The secret of an enabled terminal, or None."""
        row = self._one("SELECT secret_hex FROM terminals WHERE terminal_id = ? AND enabled = 1",
                        (terminal_id,))
        return bytes.fromhex(row[0]) if row else None

    def add_token(self, name: str, now: float) -> str:
        """Create a staff token; only its hash is stored, the token is returned once."""
        token = secrets.token_urlsafe(32)
        with self.transaction() as db:
            db.execute("INSERT INTO staff_tokens VALUES (?, ?, ?)", (hash_token(token), name, now))
        return token

    def token_name(self, token: str) -> str | None:
        """The staff name of a token, or None when unknown."""
        row = self._one("SELECT name FROM staff_tokens WHERE token_hash = ?", (hash_token(token),))
        return row[0] if row else None

    def add_trusted_key(self, key_id: str, public_key_raw: bytes, now: float) -> None:
        """Trust an Ed25519 public key (32 raw bytes) for catalogue bundles."""
        if len(public_key_raw) != 32:
            raise StorageError("an Ed25519 public key is 32 bytes")
        with self.transaction() as db:
            db.execute("INSERT INTO trusted_keys VALUES (?, ?, ?) ON CONFLICT(key_id) DO UPDATE "
                       "SET public_key = excluded.public_key", (key_id, public_key_raw, now))

    def trusted_keys(self) -> dict[str, bytes]:
        """key_id → raw public key."""
        return {k: bytes(v) for k, v in self._all("SELECT key_id, public_key FROM trusted_keys")}

    # --- idempotency ---------------------------------------------------------------------

    @staticmethod
    def idempotent_answer(db: sqlite3.Connection, terminal_id: str, key: str) -> IdempotentAnswer | None:
        """The stored first answer for (terminal, key), inside a transaction."""
        row = db.execute("SELECT endpoint, body_hash, status, response FROM idempotency "
                         "WHERE terminal_id = ? AND key = ?", (terminal_id, key)).fetchone()
        return IdempotentAnswer(row[0], row[1], row[2], bytes(row[3])) if row else None

    @staticmethod
    def store_answer(db: sqlite3.Connection, terminal_id: str, key: str, endpoint: str,
                     body_hash: str, status: int, response: bytes, now: float) -> None:
        """Remember the first answer for (terminal, key), inside the same transaction."""
        db.execute("INSERT INTO idempotency VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (terminal_id, key, endpoint, body_hash, status, response, now))

    def purge_idempotency(self, before: float) -> int:
        """Forget stored first answers older than `before` (their retries are long over)."""
        with self.transaction() as db:
            return db.execute("DELETE FROM idempotency WHERE created_at < ?", (before,)).rowcount

    # --- cases ---------------------------------------------------------------------------

    @staticmethod
    def next_sequence(db: sqlite3.Connection, region_code: str, day: str) -> int:
        """Next case sequence number for (region, day), inside a transaction."""
        db.execute("INSERT INTO sequences VALUES (?, ?, 1) ON CONFLICT(region_code, day) "
                   "DO UPDATE SET last = last + 1", (region_code, day))
        return db.execute("SELECT last FROM sequences WHERE region_code = ? AND day = ?",
                          (region_code, day)).fetchone()[0]

    @staticmethod
    def insert_case(db: sqlite3.Connection, case_no: str, kind: str, item_code: str,
                    region_code: str, terminal_id: str, subject_hash: str,
                    field_names: list[str], local_ref: str | None, now: float,
                    events: list[tuple[str, float, str]]) -> None:
        """Create a case with its first events, inside a transaction."""
        db.execute("INSERT INTO cases VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (case_no, kind, item_code, region_code, terminal_id, subject_hash,
                    json.dumps(field_names), local_ref, now))
        db.executemany("INSERT INTO case_events VALUES (?, ?, ?, ?)",
                       [(case_no, s, at, note) for s, at, note in events])

    def case(self, case_no: str) -> dict[str, Any] | None:
        """A case row as a dict, or None."""
        row = self._one("SELECT case_no, kind, item_code, region_code, terminal_id, received_at "
                        "FROM cases WHERE case_no = ?", (case_no,))
        if row is None:
            return None
        keys = ("case_no", "kind", "item_code", "region_code", "terminal_id", "received_at")
        return dict(zip(keys, row))

    def case_by_local_ref(self, ref: str) -> dict[str, Any] | None:
        """The case a terminal submitted under provisional number `ref` (letters in any case)."""
        row = self._one("SELECT case_no FROM cases WHERE UPPER(local_ref) = UPPER(?) "
                        "ORDER BY received_at LIMIT 1", (ref,))
        return self.case(row[0]) if row is not None else None

    def case_events(self, case_no: str) -> list[tuple[str, float, str]]:
        """(status, at, note) oldest first."""
        return self._all("SELECT status, at, note FROM case_events WHERE case_no = ? "
                         "ORDER BY at, rowid", (case_no,))

    def add_case_events(self, case_no: str, events: list[tuple[str, float, str]]) -> None:
        """Append events (ignoring ones already recorded)."""
        with self.transaction() as db:
            db.executemany("INSERT OR IGNORE INTO case_events VALUES (?, ?, ?, ?)",
                           [(case_no, s, at, note) for s, at, note in events])

    # --- ratings -------------------------------------------------------------------------

    @staticmethod
    def insert_rating(db: sqlite3.Connection, case_no: str, item_code: str, level: str,
                      tags: list[str], comment: str, terminal_id: str, region_code: str,
                      channel: str, rated_at: float | None, now: float) -> int | None:
        """Store a rating; None when the case already has one (一次一评)."""
        try:
            cur = db.execute("INSERT INTO ratings (case_no, item_code, level, tags, comment, "
                             "terminal_id, region_code, channel, rated_at, received_at) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             (case_no, item_code, level, json.dumps(tags, ensure_ascii=False),
                              comment, terminal_id, region_code, channel, rated_at, now))
        except sqlite3.IntegrityError:
            return None
        assert cur.lastrowid is not None  # an INSERT that succeeded
        return int(cur.lastrowid)

    def ratings(self, since: float | None, until: float | None,
                item_code: str | None) -> list[dict[str, Any]]:
        """Ratings received in [since, until), optionally for one item, oldest first."""
        sql = ("SELECT rating_id, case_no, item_code, level, tags, comment, terminal_id, "
               "region_code, channel, rated_at, received_at FROM ratings WHERE 1=1")
        args: list[Any] = []
        if since is not None:
            sql += " AND received_at >= ?"
            args.append(since)
        if until is not None:
            sql += " AND received_at < ?"
            args.append(until)
        if item_code is not None:
            sql += " AND item_code = ?"
            args.append(item_code)
        keys = ("rating_id", "case_no", "item_code", "level", "tags", "comment", "terminal_id",
                "region_code", "channel", "rated_at", "received_at")
        out = []
        for row in self._all(sql + " ORDER BY rating_id", tuple(args)):
            d = dict(zip(keys, row))
            d["tags"] = json.loads(d["tags"])
            out.append(d)
        return out

    # --- heartbeats ----------------------------------------------------------------------

    def store_heartbeat(self, terminal_id: str, now: float, devices: dict[str, Any],
                        catalogue_version: int, outbox_depth: int, app_version: str,
                        uptime_s: float) -> None:
        """Keep the latest heartbeat of a terminal."""
        with self.transaction() as db:
            db.execute("INSERT INTO heartbeats VALUES (?, ?, ?, ?, ?, ?, ?) "
                       "ON CONFLICT(terminal_id) DO UPDATE SET received_at = excluded.received_at, "
                       "devices = excluded.devices, catalogue_version = excluded.catalogue_version, "
                       "outbox_depth = excluded.outbox_depth, app_version = excluded.app_version, "
                       "uptime_s = excluded.uptime_s",
                       (terminal_id, now, json.dumps(devices, ensure_ascii=False),
                        catalogue_version, outbox_depth, app_version, uptime_s))

    def terminals(self) -> list[dict[str, Any]]:
        """Every terminal with its latest heartbeat (None fields when none yet)."""
        rows = self._all(
            "SELECT t.terminal_id, t.registered_at, h.received_at, h.devices, h.catalogue_version, "
            "h.outbox_depth, h.app_version, h.uptime_s FROM terminals t "
            "LEFT JOIN heartbeats h ON h.terminal_id = t.terminal_id ORDER BY t.terminal_id")
        keys = ("terminal_id", "registered_at", "last_heartbeat_at", "devices", "catalogue_version",
                "outbox_depth", "app_version", "uptime_s")
        out = []
        for row in rows:
            d = dict(zip(keys, row))
            d["devices"] = json.loads(d["devices"]) if d["devices"] else {}
            out.append(d)
        return out

    # --- catalogue -----------------------------------------------------------------------

    def published(self) -> PublishedCatalogue | None:
        """The newest published catalogue bundle, or None."""
        row = self._one("SELECT version, bundle, etag, items, published_at FROM catalogues "
                        "ORDER BY version DESC LIMIT 1")
        return PublishedCatalogue(row[0], bytes(row[1]), row[2], row[3], row[4]) if row else None

    def published_version(self) -> int | None:
        """Version of the newest published bundle (cheap: no blob read), or None."""
        row = self._one("SELECT MAX(version) FROM catalogues")
        return row[0] if row else None

    def publish(self, version: int, bundle: bytes, items: int, by: str, now: float) -> str | None:
        """Store a bundle if its version is above the newest; return its ETag, else None."""
        etag = '"' + hashlib.sha256(bundle).hexdigest()[:32] + '"'
        with self.transaction() as db:
            row = db.execute("SELECT MAX(version) FROM catalogues").fetchone()
            if row[0] is not None and version <= row[0]:
                return None
            db.execute("INSERT INTO catalogues VALUES (?, ?, ?, ?, ?, ?)",
                       (version, bundle, etag, items, now, by))
        return etag

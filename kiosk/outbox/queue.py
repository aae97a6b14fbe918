"""Durable store-and-forward queue for submissions and ratings (SQLite WAL, synchronous=FULL).

Each row's payload is AES-GCM sealed as a whole, bound to its kind and idempotency key, so the
file never holds personal data in clear. `enqueue` returns only after the transaction is on
disk. Rows move pending → delivered (central's answer kept, purged after the retention period)
or pending → dead (central refused it for good; kept with the reason for the technician).
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drivers.privacy import scrub_text
from kiosk import clock as terminal_clock
from kiosk.crypto import Sealer, SealError, load_or_create_key
from kiosk.outbox import highwater, integrity
from kiosk.outbox.errors import OutboxClosed, OutboxDamaged, OutboxError, OutboxFull, OutboxKeyError
from kiosk.outbox.model import CaseRef, Enqueued, Kind, Row, State, Stats, provisional_case_number

if TYPE_CHECKING:
    from kiosk.config import TerminalConfig

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
KEY_CHECK_PLAINTEXT = b"kiosk outbox key check v1"
MAX_ERROR_CHARS = 500

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT    NOT NULL CHECK (kind IN ('submission', 'rating')),
    idem_key        TEXT    NOT NULL UNIQUE,
    payload         BLOB    NOT NULL,
    created         REAL    NOT NULL,
    updated         REAL    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL    NOT NULL,
    last_error      TEXT,
    state           TEXT    NOT NULL DEFAULT 'pending'
                            CHECK (state IN ('pending', 'delivered', 'dead')),
    provisional_no  TEXT    UNIQUE,
    case_no         TEXT,
    answer          TEXT,
    delivered_at    REAL
);
CREATE INDEX IF NOT EXISTS outbox_queue ON outbox (state, kind, id);
CREATE INDEX IF NOT EXISTS outbox_case ON outbox (case_no);
CREATE TABLE IF NOT EXISTS case_seq (day TEXT PRIMARY KEY, seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
"""


def _aad(kind: str, idem_key: str) -> bytes:
    return f"kiosk-outbox\n{kind}\n{idem_key}".encode("ascii")


def _clean_error(text: str) -> str:
    return scrub_text(text)[:MAX_ERROR_CHARS]


class Outbox:
    """The queue. Thread-safe: one connection, one lock; network I/O never happens under it."""

    def __init__(
        self,
        path: str | Path,
        key: bytes | str | Path,
        *,
        terminal_id: str,
        retention_days: float = 30.0,
        clock: Callable[[], float] = time.time,
        reserve_bytes: int = 0,
    ) -> None:
        self.path = Path(path)
        self.terminal_id = terminal_id
        self.retention_s = retention_days * 86400.0
        self.clock = clock
        self.reserve_bytes = reserve_bytes
        raw_key = key if isinstance(key, bytes) else load_or_create_key(key)
        self._sealer = Sealer(raw_key)
        self._lock = threading.RLock()
        self._listeners: list[Callable[[], None]] = []
        self._conn: sqlite3.Connection | None = None
        self.damage: OutboxDamaged | None = None
        """Set when the queue is found damaged while open (see check); enqueue then refuses."""
        self.full: str = ""
        """Why the last write failed for lack of space ("" when the last write went through)."""
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._hw = integrity.precheck(self.path)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)  # never 0644, whatever the umask
            os.close(fd)
            self._conn = self._open()
            self._stamp = integrity.file_stamp(self.path)
        except sqlite3.Error as exc:
            if integrity.is_corruption(exc):
                raise OutboxDamaged(self.path, "corrupt", f"SQLite: {exc}") from None
            raise OutboxError(f"{self.path}: cannot open the outbox: {exc}") from None
        except OSError as exc:
            raise OutboxError(
                f"{self.path}: cannot open the outbox: {exc.strerror or exc}"
            ) from None

    @classmethod
    def from_config(cls, cfg: TerminalConfig, clock: Callable[[], float] = time.time) -> Outbox:
        """Open the outbox at the paths given by a terminal config."""
        path = cfg.resolve(cfg.outbox.path, base="data")
        key_file = cfg.resolve(cfg.outbox.key_file, base="data")
        assert path is not None and key_file is not None
        return cls(
            path,
            key_file,
            terminal_id=cfg.terminal_id,
            retention_days=cfg.outbox.retention_days,
            clock=clock,
            reserve_bytes=cfg.outbox.reserve_mb * 1024 * 1024,
        )

    # -- set-up --------------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=10.0
        )
        try:
            integrity.quick_check(conn, self.path)
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise OutboxError(f"{self.path}: cannot switch the queue to WAL mode (got {mode})")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA secure_delete=ON")  # purged rows are overwritten with zeros
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("BEGIN IMMEDIATE")
            try:
                fresh = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    raise OutboxError(
                        f"{self.path}: queue schema {version} is newer than this "
                        f"software ({SCHEMA_VERSION})"
                    )
                conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
                check = conn.execute("SELECT value FROM meta WHERE name='key_check'").fetchone()
                if check is None:
                    conn.execute(
                        "INSERT INTO meta VALUES ('key_check', ?)",
                        (self._sealer.seal(KEY_CHECK_PLAINTEXT, b"key-check"),),
                    )
                else:
                    try:
                        ok = self._sealer.open(check[0], b"key-check") == KEY_CHECK_PLAINTEXT
                    except SealError:
                        ok = False
                    if not ok:
                        raise OutboxKeyError(
                            f"{self.path}: the key file does not match this queue, so its rows "
                            f"cannot be decrypted; restore the original key file"
                        )
                self._hw = integrity.reconcile(conn, self.path, self._hw, fresh=fresh)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except BaseException:
            conn.close()
            raise
        integrity.tighten_modes(self.path)
        return conn

    def close(self) -> None:
        """Close the database; later calls raise OutboxClosed."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write_failed(self, conn: sqlite3.Connection, exc: BaseException) -> OutboxError:
        """Roll back if SQLite has not already done so, and name the cause (disk full …)."""
        try:
            if conn.in_transaction:  # after SQLITE_FULL SQLite has rolled back by itself
                conn.execute("ROLLBACK")
        except sqlite3.Error as second:
            log.error("outbox rollback after %s also failed: %s", type(exc).__name__, second)
        if integrity.is_full(exc):
            self.full = f"disk full: {exc}"
            log.error("outbox: %s: the disk is full, nothing new is accepted", self.path)
            return OutboxFull(f"{self.path}: cannot write the queue: disk full ({exc})")
        if isinstance(exc, sqlite3.Error) and integrity.is_corruption(exc):
            self.damage = OutboxDamaged(self.path, "corrupt", f"SQLite: {exc}")
            return self.damage
        return OutboxError(f"{self.path}: cannot write the queue: {exc}")

    @contextmanager
    def _tx(self, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE … COMMIT).

        durable=True: the commit is fsynced (synchronous=FULL) before this returns.
        durable=False: synchronous=NORMAL for this commit only — it reaches the disk with the
        next durable commit or checkpoint, and a power cut may roll it back (but never tear it).
        Used only where losing the write is harmless (see mark_delivered).
        """
        with self._lock:
            conn = self._conn
            if conn is None:
                raise OutboxClosed(f"{self.path}: the outbox is closed")
            try:
                if not durable:
                    conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self._write_failed(conn, exc) from None
            try:
                yield conn
                conn.execute("COMMIT")
                self.full = ""
            except sqlite3.Error as exc:
                raise self._write_failed(conn, exc) from None
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            finally:
                if not durable:
                    try:
                        conn.execute("PRAGMA synchronous=FULL")
                    except sqlite3.Error:
                        log.exception("outbox: cannot restore synchronous=FULL")

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            if self._conn is None:
                raise OutboxClosed(f"{self.path}: the outbox is closed")
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                if integrity.is_corruption(exc):
                    self.damage = OutboxDamaged(self.path, "corrupt", f"SQLite: {exc}")
                    raise self.damage from None
                raise OutboxError(f"{self.path}: cannot read the queue: {exc}") from None

    # -- listeners -----------------------------------------------------------------------------

    def add_listener(self, callback: Callable[[], None]) -> None:
        """Call `callback()` (from the writing thread) after each row becomes due."""
        self._listeners.append(callback)

    def _notify(self) -> None:
        for cb in list(self._listeners):
            try:
                cb()
            except Exception:  # a listener must never break a write that is already on disk
                log.exception("outbox listener failed")

    # -- writing -------------------------------------------------------------------------------

    def enqueue(
        self, kind: Kind | str, payload: dict[str, Any], *, provisional: bool | None = None
    ) -> Enqueued:
        """Queue one row; returns once it is on disk. Submissions get a provisional case number."""
        kind = Kind(kind)
        if not isinstance(payload, dict):
            raise OutboxError("payload must be a JSON object")
        if provisional is None:
            provisional = kind is Kind.SUBMISSION
        try:
            plain = json.dumps(
                payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False
            ).encode("utf-8")
        except (TypeError, ValueError) as exc:
            raise OutboxError(
                f"payload is not JSON-serialisable: {exc.__class__.__name__}"
            ) from None
        self.refuse_if_blocked()
        idem_key = str(uuid.uuid4())
        sealed = self._sealer.seal(plain, _aad(kind, idem_key))
        now = self.clock()
        with self._lock:
            with self._tx() as conn:
                day, seq = self._next_provisional(conn, now) if provisional else ("", 0)
                number = (
                    provisional_case_number(self.terminal_id, day, seq) if provisional else None
                )
                cur = conn.execute(
                    "INSERT INTO outbox (kind, idem_key, payload, created, updated, next_attempt_at,"
                    " provisional_no) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (kind.value, idem_key, sealed, now, now, now, number),
                )
                row_id = cur.lastrowid
            assert row_id is not None
            self._record_highwater(row_id, day, seq)
        log.info("queued %s #%d%s", kind.value, row_id, f" ({number})" if number else "")
        self._notify()
        return Enqueued(row_id, kind, idem_key, now, number)

    def refuse_if_blocked(self) -> None:
        """Raise OutboxDamaged / OutboxFull when the queue must not take new rows now."""
        if self.damage is not None:
            raise self.damage
        if self.reserve_bytes:
            free = integrity.free_bytes(self.path.parent)
            if free is not None and free < self.reserve_bytes:
                self.full = (
                    f"{free // (1024 * 1024)} MiB free, below the reserve of "
                    f"{self.reserve_bytes // (1024 * 1024)} MiB"
                )
                raise OutboxFull(f"{self.path}: not accepting new rows: {self.full}")

    def _next_provisional(self, conn: sqlite3.Connection, now: float) -> tuple[str, int]:
        day = terminal_clock.strftime("%Y%m%d", now)
        conn.execute(
            "INSERT INTO case_seq (day, seq) VALUES (?, 1) "
            "ON CONFLICT(day) DO UPDATE SET seq = seq + 1",
            (day,),
        )
        seq = conn.execute("SELECT seq FROM case_seq WHERE day = ?", (day,)).fetchone()[0]
        assert self._hw is not None  # set when the queue opened
        floor = self._hw.seq.get(day, 0) + 1  # never below a number already handed out
        if seq < floor:
            conn.execute("UPDATE case_seq SET seq = ? WHERE day = ?", (floor, day))
            seq = floor
        return day, seq

    def _record_highwater(self, row_id: int, day: str, seq: int) -> None:
        """After a commit: raise the marks outside the database (lags by at most one row)."""
        hw = self._hw
        assert hw is not None  # set when the queue opened
        hw.row_high = max(hw.row_high, row_id)
        if day:
            hw.seq[day] = max(hw.seq.get(day, 0), seq)
        try:
            highwater.save(self.path, hw)
        except OSError as exc:  # the row is on disk; the next write will tell whether space is back
            if integrity.is_full(exc):
                self.full = f"disk full: {exc.strerror or exc}"
            log.error(
                "outbox: cannot update %s: %s", highwater.path_for(self.path), exc.strerror or exc
            )

    def check(self) -> OutboxDamaged | None:
        """Is the open queue still the one we opened, intact, not behind its marks? (hourly)"""
        with self._lock:
            if self._conn is None:
                raise OutboxClosed(f"{self.path}: the outbox is closed")
            if self.damage is None:
                assert self._hw is not None  # set when the queue opened
                self.damage = integrity.check_open(self._conn, self.path, self._stamp, self._hw)
                if self.damage is not None:
                    log.error("%s; fix: %s", self.damage, self.damage.fix)
            return self.damage

    def mark_delivered(self, row_id: int, answer: dict[str, Any] | None = None) -> bool:
        """Record central's answer (case_no kept for lookup); False if the row was not pending.

        Not fsynced on its own (it rides on the next durable commit): if a power cut loses it,
        the row is simply sent again with the same idempotency key and central answers with the
        first answer — no duplicate, and one fsync less per delivered row.
        """
        answer = answer or {}
        case_no = answer.get("case_no")
        now = self.clock()
        with self._tx(durable=False) as conn:
            cur = conn.execute(
                "UPDATE outbox SET state='delivered', delivered_at=?, updated=?, case_no=?,"
                " answer=?, last_error=NULL, attempts=attempts+1"
                " WHERE id=? AND state='pending'",
                (
                    now,
                    now,
                    str(case_no) if case_no is not None else None,
                    json.dumps(answer, ensure_ascii=False, sort_keys=True),
                    row_id,
                ),
            )
            return cur.rowcount == 1

    def mark_retry(self, row_id: int, error: str, next_attempt_at: float) -> bool:
        """Count a failed attempt and schedule the next one; False if the row was not pending."""
        with self._tx() as conn:
            cur = conn.execute(
                "UPDATE outbox SET attempts=attempts+1, last_error=?, next_attempt_at=?, updated=?"
                " WHERE id=? AND state='pending'",
                (_clean_error(error), next_attempt_at, self.clock(), row_id),
            )
            return cur.rowcount == 1

    def defer(self, row_id: int, reason: str, next_attempt_at: float) -> bool:
        """Postpone a row without counting an attempt (e.g. waiting for its submission)."""
        with self._tx() as conn:
            cur = conn.execute(
                "UPDATE outbox SET last_error=?, next_attempt_at=?, updated=?"
                " WHERE id=? AND state='pending'",
                (_clean_error(reason), next_attempt_at, self.clock(), row_id),
            )
            return cur.rowcount == 1

    def mark_dead(self, row_id: int, reason: str, *, count_attempt: bool = True) -> bool:
        """Central refused the row for good: keep it, with the reason, for the technician."""
        with self._tx() as conn:
            cur = conn.execute(
                "UPDATE outbox SET state='dead', last_error=?, updated=?,"
                " attempts=attempts+? WHERE id=? AND state='pending'",
                (_clean_error(reason), self.clock(), 1 if count_attempt else 0, row_id),
            )
            return cur.rowcount == 1

    def retry_dead(self, row_id: int | None = None) -> int:
        """Make one dead row (or all with None) pending again, due now; returns how many."""
        now = self.clock()
        with self._tx() as conn:
            if row_id is None:
                cur = conn.execute(
                    "UPDATE outbox SET state='pending', attempts=0, next_attempt_at=?,"
                    " updated=? WHERE state='dead'",
                    (now, now),
                )
            else:
                cur = conn.execute(
                    "UPDATE outbox SET state='pending', attempts=0, next_attempt_at=?,"
                    " updated=? WHERE state='dead' AND id=?",
                    (now, now, row_id),
                )
            n = cur.rowcount
        if n:
            log.info("%d dead row(s) made pending again", n)
            self._notify()
        return n

    def wake_all(self) -> int:
        """Make every pending row due now (`kiosk outbox flush`); returns how many."""
        now = self.clock()
        with self._tx() as conn:
            n = conn.execute(
                "UPDATE outbox SET next_attempt_at=? WHERE state='pending' AND next_attempt_at > ?",
                (now, now),
            ).rowcount
        self._notify()
        return n

    def purge(self, now: float | None = None) -> int:
        """Delete delivered rows older than the retention period; returns how many."""
        now = self.clock() if now is None else now
        with self._tx() as conn:
            n = conn.execute(
                "DELETE FROM outbox WHERE state='delivered' AND delivered_at < ?",
                (now - self.retention_s,),
            ).rowcount
        if n:
            with self._lock:
                if self._conn is not None:
                    try:
                        self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                    except sqlite3.Error as exc:
                        log.warning("outbox checkpoint after purge failed: %s", exc)
            log.info("purged %d delivered row(s) older than %.0f days", n, self.retention_s / 86400)
        return n

    # -- reading -------------------------------------------------------------------------------

    _COLS = (
        "id, kind, idem_key, payload, created, attempts, next_attempt_at, last_error, state,"
        " provisional_no, case_no, delivered_at"
    )

    @staticmethod
    def _row(t: tuple[Any, ...]) -> Row:
        return Row(
            t[0],
            Kind(t[1]),
            t[2],
            bytes(t[3]),
            t[4],
            t[5],
            t[6],
            t[7],
            State(t[8]),
            t[9],
            t[10],
            t[11],
        )

    def head(self, kind: Kind | str) -> Row | None:
        """The oldest pending row of this kind (rows of a kind are delivered in order)."""
        rows = self._read(
            f"SELECT {self._COLS} FROM outbox WHERE state='pending' AND kind=? ORDER BY id LIMIT 1",
            (Kind(kind).value,),
        )
        return self._row(rows[0]) if rows else None

    def get(self, row_id: int) -> Row | None:
        """One row by id."""
        rows = self._read(f"SELECT {self._COLS} FROM outbox WHERE id=?", (row_id,))
        return self._row(rows[0]) if rows else None

    def rows(
        self, state: State | str | None = None, kind: Kind | str | None = None, limit: int = 1000
    ) -> list[Row]:
        """Rows in id order, optionally filtered."""
        where, params = [], []
        if state is not None:
            where.append("state=?")
            params.append(State(state).value)
        if kind is not None:
            where.append("kind=?")
            params.append(Kind(kind).value)
        sql = f"SELECT {self._COLS} FROM outbox"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return [self._row(t) for t in self._read(sql + " ORDER BY id LIMIT ?", (*params, limit))]

    def payload(self, row: Row) -> dict[str, Any]:
        """Decrypt a row's payload; SealError if the bytes do not authenticate."""
        plain = self._sealer.open(row.sealed, _aad(row.kind, row.idempotency_key))
        data = json.loads(plain.decode("utf-8"))
        assert isinstance(data, dict)
        return data

    def next_due_at(self) -> float | None:
        """Earliest next_attempt_at among the head rows of each kind (None: nothing pending)."""
        times = []
        for kind in Kind:
            row = self.head(kind)
            if row is not None:
                times.append(row.next_attempt_at)
        return min(times) if times else None

    def depth(self) -> int:
        """Number of pending rows."""
        return int(self._read("SELECT count(*) FROM outbox WHERE state='pending'")[0][0])

    def stats(self) -> Stats:
        """Counts by state and kind, oldest pending row, last error."""
        counts = {
            (State(s), Kind(k)): int(n)
            for s, k, n in self._read(
                "SELECT state, kind, count(*) FROM outbox GROUP BY state, kind"
            )
        }
        oldest = self._read("SELECT min(created) FROM outbox WHERE state='pending'")[0][0]
        last = self._read(
            "SELECT last_error, updated FROM outbox WHERE last_error IS NOT NULL"
            " ORDER BY updated DESC, id DESC LIMIT 1"
        )
        return Stats(
            counts, oldest, last[0][0] if last else None, last[0][1] if last else None, self.clock()
        )

    def lookup_case(self, number: str) -> CaseRef | None:
        """Find a submission by its provisional number or by central's case number."""
        rows = self._read(
            "SELECT provisional_no, case_no, state, created, id FROM outbox WHERE kind='submission'"
            " AND (provisional_no=? OR case_no=?) ORDER BY id LIMIT 1",
            (number, number),
        )
        if not rows:
            return None
        p, c, s, created, row_id = rows[0]
        return CaseRef(p, c, State(s), created, row_id)


def open_existing(cfg: TerminalConfig) -> Outbox | None:
    """The configured outbox if its file exists (None otherwise); never creates a queue or key."""
    from kiosk.crypto import load_key

    path = cfg.resolve(cfg.outbox.path, base="data")
    key_file = cfg.resolve(cfg.outbox.key_file, base="data")
    assert path is not None and key_file is not None
    if not path.exists() and not highwater.path_for(path).exists():
        return None
    return Outbox(
        path,
        load_key(key_file),
        terminal_id=cfg.terminal_id,
        retention_days=cfg.outbox.retention_days,
        reserve_bytes=cfg.outbox.reserve_mb * 1024 * 1024,
    )

"""Is this the queue we wrote? Checks at open and on the hourly housekeeping pass.

Damage is told apart by what a technician would have to do about it:
vanished (file gone, marks remain), emptied (0 bytes), replaced (another queue's marker, or no
marker in a queue that should have one), older (an older copy: row ids or provisional numbers
below the marks), corrupt (PRAGMA quick_check or SQLite itself says so), marker (the high-water
file itself is unreadable).
"""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
import uuid
from pathlib import Path

from kiosk.outbox import highwater
from kiosk.outbox.errors import OutboxDamaged
from kiosk.outbox.highwater import HighWater, HighWaterError

log = logging.getLogger(__name__)

_CORRUPT_CODES = {
    getattr(sqlite3, n) for n in ("SQLITE_CORRUPT", "SQLITE_NOTADB") if hasattr(sqlite3, n)
}


def is_corruption(exc: BaseException) -> bool:
    """SQLite says the file is malformed or not a database."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and code & 0xFF in _CORRUPT_CODES:
        return True
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text


def is_full(exc: BaseException) -> bool:
    """SQLITE_FULL or ENOSPC/EDQUOT: the disk (or quota) is full."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        return (code is not None and code & 0xFF == sqlite3.SQLITE_FULL) or "disk is full" in str(
            exc
        )
    return False


def free_bytes(directory: Path) -> int | None:
    """Free bytes for an unprivileged writer where `directory` lives (None if it cannot tell)."""
    try:
        st = os.statvfs(directory)
    except OSError:
        return None
    return st.f_bavail * st.f_frsize


def file_stamp(path: Path) -> tuple[int, int]:
    """(device, inode) of the queue file: a replaced or deleted file changes it."""
    st = path.stat()
    return st.st_dev, st.st_ino


def tighten_modes(path: Path) -> None:
    """The queue and its -wal/-shm companions are 0600 (SQLite copies the mode, but files made
    by an older version or under a loose umask may not be)."""
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), highwater.path_for(path)):
        try:
            if p.stat().st_mode & 0o077:
                os.chmod(p, 0o600)
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.warning("cannot chmod 600 %s: %s", p, exc.strerror or exc)


def _load_marks(path: Path) -> HighWater | None:
    try:
        return highwater.load(path)
    except HighWaterError as exc:
        raise OutboxDamaged(
            path, "marker", f"{highwater.path_for(path).name} unreadable: {exc}"
        ) from None


def precheck(path: Path) -> HighWater | None:
    """Before SQLite touches the file: refuse to start a new queue where one was (vanished, 0 bytes)."""
    marks = _load_marks(path)
    if marks is None:
        return None
    if not path.exists():
        raise OutboxDamaged(
            path,
            "vanished",
            f"the queue file is gone but {marks.row_high} row(s) "
            f"were queued in it (see {highwater.path_for(path).name})",
        )
    if path.stat().st_size == 0:
        raise OutboxDamaged(
            path,
            "emptied",
            f"the queue file is 0 bytes but {marks.row_high} row(s) were queued in it",
        )
    return marks


def quick_check(conn: sqlite3.Connection, path: Path) -> None:
    """PRAGMA quick_check; OutboxDamaged(corrupt) unless it answers ok."""
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        raise OutboxDamaged(path, "corrupt", f"SQLite: {exc}") from None
    if [tuple(r) for r in rows] != [("ok",)]:
        first = "; ".join(str(r[0]) for r in rows[:3])
        raise OutboxDamaged(path, "corrupt", f"quick_check: {first}")


def _db_marks(conn: sqlite3.Connection) -> tuple[str | None, int, dict[str, int]]:
    row = conn.execute("SELECT value FROM meta WHERE name='queue_id'").fetchone()
    queue_id = bytes(row[0]).decode("ascii") if row else None
    seq_row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name='outbox'").fetchone()
    row_high = int(seq_row[0]) if seq_row else 0
    seqs = {str(d): int(n) for d, n in conn.execute("SELECT day, seq FROM case_seq")}
    return queue_id, row_high, seqs


def compare(
    path: Path, marks: HighWater, queue_id: str | None, row_high: int, seqs: dict[str, int]
) -> OutboxDamaged | None:
    """The database against the marks outside it."""
    if queue_id is None:
        return OutboxDamaged(
            path,
            "replaced",
            "the queue has no identity marker: it is not the "
            f"queue {marks.queue_id[:8]}… this terminal wrote",
        )
    if queue_id != marks.queue_id:
        return OutboxDamaged(
            path,
            "replaced",
            f"this is queue {queue_id[:8]}…, not the queue "
            f"{marks.queue_id[:8]}… this terminal wrote",
        )
    if row_high < marks.row_high:
        return OutboxDamaged(
            path,
            "older",
            f"rows up to #{marks.row_high} were queued, the file "
            f"knows only up to #{row_high} (an older copy?)",
        )
    behind = sorted(d for d, n in marks.seq.items() if seqs.get(d, 0) < n)
    if behind:
        d = behind[-1]
        return OutboxDamaged(
            path,
            "older",
            f"provisional numbers of {d} reached {marks.seq[d]}, "
            f"the file knows only {seqs.get(d, 0)}",
        )
    return None


def reconcile(
    conn: sqlite3.Connection, path: Path, marks: HighWater | None, *, fresh: bool
) -> HighWater:
    """Inside the opening transaction: give a new queue its marker, check an old one against
    the marks (OutboxDamaged), and bring the marks up to the database (they may lag by one)."""
    queue_id, row_high, seqs = _db_marks(conn)
    if marks is not None:
        damage = compare(path, marks, queue_id, row_high, seqs)
        if damage is not None:
            raise damage
    elif queue_id is not None and row_high:
        # A marked queue always has its high-water file: without it an older copy of the queue
        # could not be told from the real one.
        raise OutboxDamaged(path, "marker", f"{highwater.path_for(path).name} is missing")
    if queue_id is None:  # a new queue, or one written before markers existed
        queue_id = str(uuid.uuid4())
        conn.execute("INSERT INTO meta VALUES ('queue_id', ?)", (queue_id.encode("ascii"),))
        log.info(
            "outbox %s: %s queue %s", path, "new" if fresh else "marked existing", queue_id[:8]
        )
    merged = HighWater(queue_id, row_high, dict(seqs))
    if (
        marks is None
        or merged.row_high > marks.row_high
        or any(n > marks.seq.get(d, 0) for d, n in seqs.items())
    ):
        try:
            highwater.save(path, merged)
        except OSError as exc:
            log.error("outbox: cannot write %s: %s", highwater.path_for(path), exc.strerror or exc)
    return merged


def check_open(
    conn: sqlite3.Connection, path: Path, stamp: tuple[int, int], marks: HighWater
) -> OutboxDamaged | None:
    """The hourly check of an open queue: same file, not emptied, intact, not behind the marks."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return OutboxDamaged(path, "vanished", "the queue file was deleted while the kiosk ran")
    if (st.st_dev, st.st_ino) != stamp:
        return OutboxDamaged(path, "replaced", "the queue file was replaced while the kiosk ran")
    if st.st_size == 0:
        return OutboxDamaged(path, "emptied", "the queue file was truncated to 0 bytes")
    try:
        disk = _load_marks(path)
    except OutboxDamaged as exc:
        return exc
    if disk is None:
        return OutboxDamaged(path, "marker", f"{highwater.path_for(path).name} was deleted")
    try:
        quick_check(conn, path)
        queue_id, row_high, seqs = _db_marks(conn)
    except OutboxDamaged as exc:
        return exc
    except sqlite3.DatabaseError as exc:
        return OutboxDamaged(path, "corrupt", f"SQLite: {exc}")
    best = HighWater(
        marks.queue_id,
        max(marks.row_high, disk.row_high),
        {d: max(marks.seq.get(d, 0), disk.seq.get(d, 0)) for d in {*marks.seq, *disk.seq}},
    )
    if disk.queue_id != marks.queue_id:
        return OutboxDamaged(
            path, "marker", f"{highwater.path_for(path).name} belongs to another queue"
        )
    return compare(path, best, queue_id, row_high, seqs)

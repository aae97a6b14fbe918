"""`kiosk outbox repair`: save every readable row of a damaged queue, then rebuild it.

Nothing is deleted: the damaged files move into a quarantine folder beside the queue together
with rows.jsonl (every row that could still be read, payload still sealed, so no personal data
in clear). The new queue gets a new identity, the recovered rows with their idempotency keys
(central answers a resent one with its first answer: no duplicate), and row ids and provisional
numbers that continue above the last ones ever issued (plus the one-row lag of the marks).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk import clock as terminal_clock
from kiosk.outbox import highwater
from kiosk.outbox.highwater import LAG, HighWater, HighWaterError

log = logging.getLogger(__name__)

_COLS = (
    "id",
    "kind",
    "idem_key",
    "payload",
    "created",
    "updated",
    "attempts",
    "next_attempt_at",
    "last_error",
    "state",
    "provisional_no",
    "case_no",
    "answer",
    "delivered_at",
)


@dataclass
class RepairReport:
    """What repair found and did."""

    quarantine: Path
    recovered: dict[str, int] = field(default_factory=dict)
    unreadable_ids: list[int] = field(default_factory=list)
    issued_rows: int = 0
    next_row_id: int = 1
    next_seq: dict[str, int] = field(default_factory=dict)
    missing_numbers: list[str] = field(default_factory=list)
    """Provisional numbers issued on recent days that are not in the rebuilt queue (an upper
    bound: delivered rows already purged are among them too)."""

    @property
    def recovered_total(self) -> int:
        """Rows saved and put back in the new queue."""
        return sum(self.recovered.values())

    @property
    def lost(self) -> int:
        """Rows ever queued that are neither recovered nor known purged (an upper bound)."""
        return max(0, self.issued_rows - self.recovered_total)


def _read_rows(path: Path, row_high: int) -> tuple[list[dict[str, Any]], list[int], dict[str, int]]:
    """Every row SQLite can still give us; a full scan first, then one id at a time."""
    rows: dict[int, dict[str, Any]] = {}
    bad: list[int] = []
    seqs: dict[str, int] = {}
    if not path.exists() or path.stat().st_size == 0:
        return [], [], {}
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return [], [], {}
    try:
        try:
            for d, n in conn.execute("SELECT day, seq FROM case_seq"):
                seqs[str(d)] = int(n)
        except sqlite3.Error as exc:
            log.warning("repair: case_seq unreadable: %s", exc)
        try:
            seq = conn.execute("SELECT seq FROM sqlite_sequence WHERE name='outbox'").fetchone()
            row_high = max(row_high, int(seq[0]) if seq else 0)
        except sqlite3.Error:
            pass
        try:
            for t in conn.execute(f"SELECT {', '.join(_COLS)} FROM outbox ORDER BY id"):
                rows[t[0]] = dict(zip(_COLS, t))
        except sqlite3.Error as exc:
            log.warning("repair: full scan stopped (%s); reading rows one by one", exc)
            for rid in range(1, row_high + 1):
                if rid in rows:
                    continue
                try:
                    t = conn.execute(
                        f"SELECT {', '.join(_COLS)} FROM outbox WHERE id=?", (rid,)
                    ).fetchone()
                except sqlite3.Error:
                    bad.append(rid)
                    continue
                if t is not None:
                    rows[t[0]] = dict(zip(_COLS, t))
    finally:
        conn.close()
    good = [r for _, r in sorted(rows.items()) if _valid(r)]
    bad += [rid for rid, r in rows.items() if not _valid(r)]
    return good, sorted(set(bad)), seqs


def _valid(r: dict[str, Any]) -> bool:
    return (
        r["kind"] in ("submission", "rating")
        and r["state"] in ("pending", "delivered", "dead")
        and isinstance(r["idem_key"], str)
        and isinstance(r["payload"], bytes | memoryview)
    )


def _private_dir(p: Path) -> None:
    p.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(p, 0o700)


def repair(path: str | Path, key: bytes, *, terminal_id: str) -> RepairReport:
    """Quarantine the damaged queue at `path` and rebuild it (the kiosk must not be running)."""
    from kiosk.outbox.queue import Outbox

    path = Path(path)
    try:
        marks = highwater.load(path)
    except HighWaterError as exc:
        log.warning(
            "repair: high-water file unreadable (%s): numbering continues above what "
            "the queue file itself still knows",
            exc,
        )
        marks = None
    stamp = terminal_clock.strftime("%Y%m%d-%H%M%S")
    qdir = path.parent / "outbox-quarantine" / stamp
    _private_dir(qdir)
    row_high = marks.row_high if marks else 0
    rows, bad, seqs = _read_rows(path, row_high)
    report = RepairReport(qdir, unreadable_ids=bad)
    with open(qdir / "rows.jsonl", "x", encoding="ascii") as out:
        os.fchmod(out.fileno(), 0o600)
        for r in rows:
            rec = dict(r)
            rec["payload"] = base64.b64encode(bytes(r["payload"])).decode("ascii")
            out.write(json.dumps(rec, sort_keys=True, ensure_ascii=True) + "\n")
        out.flush()
        os.fsync(out.fileno())
    for suffix in ("", "-wal", "-shm", ".highwater"):
        src = Path(f"{path}{suffix}")
        if src.exists():
            shutil.move(src, qdir / (path.name + suffix))
    report.issued_rows = max([row_high] + [r["id"] for r in rows] + [0])
    # New ids and numbers continue above anything that may have been handed out.
    next_row = report.issued_rows + LAG + 1
    next_seq = {
        d: max(seqs.get(d, 0), marks.seq.get(d, 0) if marks else 0) + LAG + 1
        for d in {*seqs, *(marks.seq if marks else {})}
    }
    tmp = path.with_name(path.name + ".rebuild")
    for suffix in ("", "-wal", "-shm", ".highwater"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    box = Outbox(tmp, key, terminal_id=terminal_id)
    try:
        with box._tx() as conn:  # noqa: SLF001 - the rebuild is the queue's own business
            for r in rows:
                conn.execute(
                    f"INSERT INTO outbox ({', '.join(_COLS)}) VALUES "
                    f"({', '.join('?' * len(_COLS))})",
                    tuple(r[c] for c in _COLS),
                )
                report.recovered[r["state"]] = report.recovered.get(r["state"], 0) + 1
            # sqlite_sequence has no unique key: update the row AUTOINCREMENT keeps, or add it
            if (
                conn.execute(
                    "UPDATE sqlite_sequence SET seq = ? WHERE name = 'outbox'", (next_row - 1,)
                ).rowcount
                == 0
            ):
                conn.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES ('outbox', ?)", (next_row - 1,)
                )
            for d, n in next_seq.items():
                conn.execute(
                    "INSERT INTO case_seq (day, seq) VALUES (?, ?) ON CONFLICT(day) "
                    "DO UPDATE SET seq = excluded.seq",
                    (d, n - 1),
                )
            queue_id = bytes(
                conn.execute("SELECT value FROM meta WHERE name='queue_id'").fetchone()[0]
            ).decode("ascii")
        assert box._conn is not None  # noqa: SLF001 - just opened
        box._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # noqa: SLF001
    finally:
        box.close()
    Path(f"{tmp}.highwater").unlink(missing_ok=True)
    os.replace(tmp, path)
    for suffix in ("-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    highwater.save(path, HighWater(queue_id, next_row - 1, {d: n - 1 for d, n in next_seq.items()}))
    report.next_row_id = next_row
    report.next_seq = next_seq
    present = {r["provisional_no"] for r in rows if r["provisional_no"]}
    for day, high in sorted((marks.seq if marks else seqs).items()):
        report.missing_numbers += [
            n
            for n in (f"{terminal_id}-{day}-{i:04d}" for i in range(1, high + 1))
            if n not in present
        ]
    log.warning(
        "outbox repaired: %d row(s) recovered, %d unreadable, up to %d lost; damaged "
        "files kept in %s",
        report.recovered_total,
        len(bad),
        report.lost,
        qdir,
    )
    (qdir / "REPORT.txt").write_text(
        f"repaired {terminal_clock.strftime('%Y-%m-%d %H:%M:%S %z')}\nrecovered {report.recovered}\n"
        f"unreadable row ids {bad}\nrows ever queued {report.issued_rows}\n"
        f"next provisional sequence per day {next_seq}\n"
        f"provisional numbers not in the rebuilt queue {report.missing_numbers}\n",
        encoding="utf-8",
    )
    os.chmod(qdir / "REPORT.txt", 0o600)
    return report

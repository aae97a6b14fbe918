"""The catalogue's anti-rollback floor, kept apart from the store's active/last-good files.

If the floor lived only in those two files, damaging or emptying them would let an older signed
catalogue back in. So the highest version ever installed (and its digest) is also written to a
small file beside the store directory and to the outbox database's meta table; the higher of
the two wins. A bundle below the floor is refused; the floor's own version may be installed
again only with the same content (the technician's fix after damage).
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

META_KEY = "catalogue_floor"


@dataclass(frozen=True)
class Floor:
    """Highest catalogue version ever installed here, with its digest ("" if unknown)."""

    version: int = 0
    digest: str = ""


def _parse(raw: bytes | str) -> Floor:
    try:
        obj = json.loads(raw)
        version, digest = int(obj["version"]), str(obj.get("digest", ""))
    except (ValueError, KeyError, TypeError, OverflowError, RecursionError):
        return Floor()
    return Floor(max(0, version), digest)


class VersionFloor:
    """Reads the higher floor of `file` and the outbox meta; raises both on install."""

    def __init__(self, file: Path, outbox_db: Path | None = None) -> None:
        self.file = Path(file)
        self.outbox_db = Path(outbox_db) if outbox_db else None

    @classmethod
    def for_store(cls, directory: Path, outbox_db: Path | None = None) -> VersionFloor:
        """The floor of a store directory: DIR.floor beside it, plus the outbox if given."""
        directory = Path(directory)
        return cls(directory.parent / f"{directory.name}.floor", outbox_db)

    def _from_file(self) -> Floor:
        try:
            return _parse(self.file.read_bytes())
        except FileNotFoundError:
            return Floor()
        except OSError as exc:
            log.error("catalogue floor %s unreadable: %s", self.file, exc.strerror or exc)
            return Floor()

    def _connect(self) -> sqlite3.Connection | None:
        if (
            self.outbox_db is None
            or not self.outbox_db.exists()
            or self.outbox_db.stat().st_size == 0
        ):
            return None
        return sqlite3.connect(f"file:{self.outbox_db}?mode=rw", uri=True, timeout=5.0)

    def _from_outbox(self) -> Floor:
        try:
            conn = self._connect()
            if conn is None:
                return Floor()
            try:
                row = conn.execute("SELECT value FROM meta WHERE name=?", (META_KEY,)).fetchone()
            finally:
                conn.close()
        except sqlite3.Error as exc:  # a damaged outbox must not stop the catalogue
            log.warning("catalogue floor in %s unreadable: %s", self.outbox_db, exc)
            return Floor()
        return _parse(bytes(row[0])) if row else Floor()

    def get(self) -> Floor:
        """The higher of the two floors."""
        return max(self._from_file(), self._from_outbox(), key=lambda f: f.version)

    def raise_to(self, version: int, digest: str) -> None:
        """Record a newly installed version in both places (never lowers either)."""
        if version < self.get().version:
            return
        data = json.dumps({"version": version, "digest": digest}, sort_keys=True)
        try:
            tmp = self.file.with_name(self.file.name + ".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.write(fd, data.encode("ascii"))
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, self.file)
        except OSError as exc:
            log.error("catalogue floor %s not written: %s", self.file, exc.strerror or exc)
        try:
            conn = self._connect()
            if conn is not None:
                try:
                    conn.execute(
                        "INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name) "
                        "DO UPDATE SET value = excluded.value",
                        (META_KEY, data.encode("ascii")),
                    )
                    conn.commit()
                finally:
                    conn.close()
        except sqlite3.Error as exc:
            log.warning("catalogue floor not written to %s: %s", self.outbox_db, exc)

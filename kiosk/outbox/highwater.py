"""The queue's identity and high-water marks, kept in a small file beside (not inside) the database.

If the database vanishes, is emptied, or is swapped for another or an older copy, the database
alone cannot tell: an empty queue looks like a new one and would hand out provisional case
numbers already printed on receipts. This file remembers the queue's id, the highest row id and
the highest provisional sequence number of each recent day. It is rewritten (temp file, fsync,
rename, fsync of the directory) right after each enqueue commits, under the queue's lock, so it
lags the database by at most one row: after a rebuild numbering resumes two above it.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

FORMAT = 1
KEEP_DAYS = 14
#: How far the file may lag the database (one enqueue between its commit and the file write).
LAG = 1


class HighWaterError(ValueError):
    """The high-water file exists but cannot be read as one."""


@dataclass
class HighWater:
    """Queue id, highest row id and per-day provisional sequence issued so far."""

    queue_id: str
    row_high: int = 0
    seq: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> bytes:
        """Canonical bytes of the file."""
        return json.dumps(
            {
                "format": FORMAT,
                "queue_id": self.queue_id,
                "row_high": self.row_high,
                "seq": dict(sorted(self.seq.items())[-KEEP_DAYS:]),
            },
            sort_keys=True,
        ).encode("ascii")

    @classmethod
    def parse(cls, data: bytes) -> HighWater:
        """Parse the file's bytes; HighWaterError when they are not a high-water record."""
        try:
            obj = json.loads(data.decode("ascii"))
            if obj.get("format") != FORMAT:
                raise HighWaterError(f"unknown format {obj.get('format')!r}")
            queue_id, row_high, seq = obj["queue_id"], obj["row_high"], obj["seq"]
            if (
                not isinstance(queue_id, str)
                or not queue_id
                or not isinstance(row_high, int)
                or row_high < 0
                or not isinstance(seq, dict)
                or not all(
                    isinstance(k, str)
                    and len(k) == 8
                    and k.isdigit()
                    and isinstance(v, int)
                    and v >= 0
                    for k, v in seq.items()
                )
            ):
                raise HighWaterError("fields out of range")
        except (
            UnicodeDecodeError,
            json.JSONDecodeError,
            KeyError,
            AttributeError,
            TypeError,
        ) as exc:
            raise HighWaterError(f"not a high-water record ({type(exc).__name__})") from None
        return cls(queue_id, row_high, dict(seq))


def path_for(db_path: Path) -> Path:
    """The high-water file of a queue file."""
    return db_path.with_name(db_path.name + ".highwater")


def load(db_path: Path) -> HighWater | None:
    """The queue's high-water record, None if there is none; HighWaterError if unreadable."""
    p = path_for(db_path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise HighWaterError(f"{p}: {exc.strerror or exc}") from None
    return HighWater.parse(data)


def save(db_path: Path, hw: HighWater) -> None:
    """Write the record durably (0600); OSError (e.g. ENOSPC) is the caller's to handle."""
    p = path_for(db_path)
    tmp = p.with_name(p.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        data = hw.to_json()
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, p)
    dfd = os.open(p.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)

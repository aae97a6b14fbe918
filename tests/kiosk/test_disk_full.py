"""Issue 17 part 2: a full disk gives OutboxError with the cause, the citizen a plain "本机暂时
无法受理" (not a network message), and intake pauses until space returns.

The full disk is REAL: a 1 MiB tmpfs mounted for the test (the suite runs as root, like CI).
Where mounting is not permitted, the same SQLITE_FULL is produced with SQLite's
`PRAGMA max_page_count` on the queue's own connection; the test says which one ran.
Before the fix the extra ROLLBACK after SQLite's own rollback escaped as a raw
`sqlite3.OperationalError: cannot rollback - no transaction is active`, and the citizen was told
服务暂时无法连接.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.adapters import CentralPort
from kiosk.outbox import Outbox, OutboxError, OutboxFull, State
from kiosk.outbox.guard import IntakeGuard
from kiosk.session.engine import SessionEngine
from kiosk.session.errors import IntakeRefused
from kiosk.session.ports import Connectivity
from kiosk.session.states import State as S
from kiosk.ui.i18n import t
from tests.kiosk.session.fixtures import ZHANG, FakeClock, FakePrinter, catalogue

TID = "DEMO-0001"


class SmallDisk:
    """A 1 MiB file system (tmpfs) or, failing that, a queue limited by max_page_count."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.mounted = (
            subprocess.run(
                ["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(root)],
                capture_output=True,
            ).returncode
            == 0
        )
        self.how = "tmpfs 1 MiB" if self.mounted else "SQLite max_page_count"
        print(f"full disk produced with: {self.how}", file=sys.stderr)

    def limit(self, box: Outbox) -> None:
        if not self.mounted:
            pages = box._conn.execute("PRAGMA page_count").fetchone()[0]  # noqa: SLF001
            box._conn.execute(f"PRAGMA max_page_count={pages + 40}")  # noqa: SLF001

    def fill(self) -> Path:
        """Take most of the remaining space with a filler file (tmpfs); returns it."""
        filler = self.root / "filler"
        if self.mounted:
            free = os.statvfs(self.root).f_bavail * os.statvfs(self.root).f_frsize
            filler.write_bytes(b"\0" * max(0, free - 160 * 1024))
        return filler

    def free_again(self, box: Outbox) -> None:
        (self.root / "filler").unlink(missing_ok=True)
        if not self.mounted:
            box._conn.execute("PRAGMA max_page_count=1073741823")  # noqa: SLF001

    def close(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.root)], check=False)


@pytest.fixture
def disk() -> Iterator[SmallDisk]:
    root = Path(tempfile.mkdtemp(prefix="kiosk-fulldisk-"))
    d = SmallDisk(root)
    yield d
    d.close()
    subprocess.run(["rm", "-rf", str(root)], check=False)


def big(i: int) -> dict:
    return {"item_code": "A-0001", "seq": i, "blob": os.urandom(6000).hex()}


def fill_queue(box: Outbox) -> tuple[list[str], OutboxError]:
    numbers = []
    for i in range(2000):
        try:
            numbers.append(box.enqueue("submission", big(i)).provisional_no or "")
        except OutboxError as exc:
            return numbers, exc
    raise AssertionError("the disk never filled")


def test_disk_full_is_outbox_full_with_the_cause_and_loses_nothing(disk: SmallDisk) -> None:
    box = Outbox(
        disk.root / "q" / "outbox.sqlite3", disk.root / "q" / "outbox.key", terminal_id=TID
    )
    disk.limit(box)
    disk.fill()
    numbers, exc = fill_queue(box)
    assert isinstance(exc, OutboxFull), repr(exc)
    assert "disk full" in str(exc) and "cannot rollback" not in str(exc)
    assert box.full.startswith("disk full")
    for _ in range(3):  # again and again: still a clean OutboxFull, never a raw sqlite3 error
        with pytest.raises(OutboxFull):
            box.enqueue("rating", {"case_no": numbers[0]})
    rows = box.rows(State.PENDING)
    assert [r.provisional_no for r in rows] == numbers  # every accepted row is still there
    assert all(box.payload(r)["item_code"] == "A-0001" for r in rows)
    disk.free_again(box)
    after = box.enqueue("submission", big(-1)).provisional_no
    assert after not in numbers and after > numbers[-1]
    box.close()
    with Outbox(
        disk.root / "q" / "outbox.sqlite3", disk.root / "q" / "outbox.key", terminal_id=TID
    ) as again:
        assert again.depth() == len(numbers) + 1


def test_citizen_is_told_the_terminal_cannot_accept_not_the_network(disk: SmallDisk) -> None:
    box = Outbox(
        disk.root / "q" / "outbox.sqlite3", disk.root / "q" / "outbox.key", terminal_id=TID
    )
    disk.limit(box)
    disk.fill()
    fill_queue(box)
    port = CentralPort(client=None, outbox=box, region_code="610900", wait_delivery_s=0.0)
    clock = FakeClock()
    eng = SessionEngine(
        catalogue(), central=port, printer=FakePrinter(), clock=clock, terminal_id=TID
    )
    eng.handle(Connectivity(False))  # offline too: the apply item works offline, through the outbox
    eng.select("A-0001")
    eng.proceed()
    from kiosk.session.ports import CardRead

    eng.handle(CardRead(ZHANG))
    eng.set_value("phone", "13800138000")
    assert eng.submit_form()
    eng.confirm()
    assert eng.state == S.RESULT and eng.session.outcome.error == "intake"
    assert t("result.error_" + eng.session.outcome.error, "zh_CN").startswith(
        "本机暂时无法受理，请到服务窗口或稍后再试"
    )
    with pytest.raises(IntakeRefused):
        port.submit("A-0001", {"x": 1})
    # The guard closes intake: the apply item is greyed, the rating step is skipped.
    ticks = [0.0]
    guard = IntakeGuard(box, reserve_bytes=0, clock=lambda: ticks[0])
    eng.intake_problem = guard.problem
    assert guard.problem() == "disk_full"
    assert guard.heartbeat_entry() == {"outbox": {"status": "fault", "detail": "disk_full"}}
    eng.finish()
    assert eng.state == S.DONE  # no rating asked: it could not be kept
    eng.end("done")
    assert eng.unavailable_reason(eng.catalogue.item("A-0001")) == "intake"
    disk.free_again(box)
    ticks[0] += 10  # the next look at the disk (every 5 s)
    if disk.mounted:
        assert guard.problem() == ""  # space is back: intake reopens by itself
        assert eng.unavailable_reason(eng.catalogue.item("A-0001")) == ""
    box.close()


def test_reserve_refuses_new_work_before_the_disk_is_really_full(tmp_path: Path) -> None:
    free = os.statvfs(tmp_path).f_bavail * os.statvfs(tmp_path).f_frsize
    box = Outbox(
        tmp_path / "outbox.sqlite3",
        tmp_path / "outbox.key",
        terminal_id=TID,
        reserve_bytes=free + 1024**3,
    )
    with pytest.raises(OutboxFull, match="below the reserve"):
        box.enqueue("submission", {"a": 1})
    assert box.depth() == 0
    guard = IntakeGuard(box, reserve_bytes=free + 1024**3)
    assert guard.problem() == "disk_full"
    box.reserve_bytes = 0
    assert box.enqueue("submission", {"a": 1}).provisional_no
    box.close()

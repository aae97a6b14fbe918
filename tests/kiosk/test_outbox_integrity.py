"""Issue 17 part 1: a vanished, emptied, replaced, older or corrupt queue is detected, named by
doctor with its fix, reported by the CLI without a traceback, repaired without losing readable
rows, and provisional case numbers are never handed out twice.

Each test reproduces a defect of the fault campaign; on the code before the fix the emptied
queue reopened silently (doctor `OK outbox 0 pending`, numbers from 0001 again) and a corrupt
page went unnoticed or ended the CLI in a traceback.
"""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
from pathlib import Path

import pytest

from kiosk.doctor import Level, run_checks
from kiosk.outbox import Outbox, OutboxDamaged, State, open_existing
from tests.kiosk.test_outbox import cli, write_config

TID = "DEMO-0001"


def payload(i: int, size: int = 40) -> dict:
    return {"item_code": "610900-SB-001", "seq": i, "fields": {"note": "备注" * size}}


def fill(data: Path, n: int) -> list[str]:
    with Outbox(data / "outbox.sqlite3", data / "outbox.key", terminal_id=TID) as box:
        return [box.enqueue("submission", payload(i)).provisional_no or "" for i in range(n)]


def doctor_outbox(cfg: Path):
    return next(r for r in run_checks(str(cfg)) if r.name == "outbox")


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path]:
    cfg = write_config(tmp_path)
    return cfg, tmp_path / "data"


def _repaired_numbers_continue(cfg: Path, data: Path, issued: list[str], capsys) -> None:
    assert cli("outbox", "repair", "--config", str(cfg)) == 0
    out = capsys.readouterr().out
    assert "saved in" in out and "never reissued" in out
    assert "LOST" in out and all(n in out for n in issued)  # the receipts to take up
    with open_existing_cfg(cfg) as box:
        new = box.enqueue("submission", payload(99)).provisional_no
    assert new not in issued
    assert int(new.rsplit("-", 1)[1]) > max(int(n.rsplit("-", 1)[1]) for n in issued)
    assert doctor_outbox(cfg).level is Level.OK


def open_existing_cfg(cfg: Path) -> Outbox:
    from kiosk import config

    box = open_existing(config.load(cfg))
    assert box is not None
    return box


def test_emptied_queue_is_refused_and_numbers_never_reissued(setup, capsys) -> None:
    cfg, data = setup
    issued = fill(data, 3)
    (data / "outbox.sqlite3").write_bytes(b"")  # truncated to 0 bytes
    with pytest.raises(OutboxDamaged) as ei:
        Outbox(data / "outbox.sqlite3", data / "outbox.key", terminal_id=TID)
    assert ei.value.kind == "emptied" and "3 row(s)" in str(ei.value)
    assert (data / "outbox.sqlite3").stat().st_size == 0  # nothing rebuilt behind our back
    row = doctor_outbox(cfg)
    assert row.level is Level.FAIL and "emptied" in row.detail and "kiosk outbox repair" in row.fix
    assert cli("outbox", "status", "--config", str(cfg)) == 3
    err = capsys.readouterr().err
    assert "emptied" in err and "fix: kiosk outbox repair" in err and "Traceback" not in err
    _repaired_numbers_continue(cfg, data, issued, capsys)


def test_vanished_queue_is_refused(setup, capsys) -> None:
    cfg, data = setup
    issued = fill(data, 2)
    (data / "outbox.sqlite3").unlink()
    row = doctor_outbox(cfg)
    assert row.level is Level.FAIL and "vanished" in row.detail
    assert cli("outbox", "flush", "--config", str(cfg)) == 3
    assert "Traceback" not in capsys.readouterr().err
    assert not (data / "outbox.sqlite3").exists()  # status/flush never create a new queue
    _repaired_numbers_continue(cfg, data, issued, capsys)


def test_older_copy_and_foreign_queue_are_refused(setup, tmp_path: Path) -> None:
    cfg, data = setup
    fill(data, 2)
    shutil.copy(data / "outbox.sqlite3", tmp_path / "old.sqlite3")
    fill(data, 2)
    shutil.copy(tmp_path / "old.sqlite3", data / "outbox.sqlite3")
    row = doctor_outbox(cfg)
    assert row.level is Level.FAIL and "older" in row.detail
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(data / "outbox.key", other / "outbox.key")
    fill(other, 5)
    shutil.copy(other / "outbox.sqlite3", data / "outbox.sqlite3")
    row = doctor_outbox(cfg)
    assert row.level is Level.FAIL and "replaced" in row.detail


def _corrupt_a_leaf_page(db: Path) -> int:
    """Random bytes over one 4 KiB table page in the middle of the file; returns its number."""
    conn = sqlite3.connect(db)
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    pages = [
        p
        for (p,) in conn.execute(
            "SELECT pageno FROM dbstat WHERE name='outbox' AND pagetype='leaf' ORDER BY pageno"
        )
    ]
    conn.close()
    victim = pages[len(pages) // 2]
    rnd = random.Random(17)
    with open(db, "r+b") as f:
        f.seek((victim - 1) * page)
        f.write(bytes(rnd.randrange(256) for _ in range(page)))
    return victim


def test_corrupt_page_fails_doctor_cli_has_no_traceback_and_readable_rows_are_kept(
    setup, capsys
) -> None:
    cfg, data = setup
    issued = fill(data, 30)
    _corrupt_a_leaf_page(data / "outbox.sqlite3")
    row = doctor_outbox(cfg)
    assert row.level is Level.FAIL and "corrupt" in row.detail, row
    for cmd in ("status", "flush", "retry-dead"):
        extra = ("--all",) if cmd == "retry-dead" else ()
        assert cli("outbox", cmd, *extra, "--config", str(cfg)) == 3
        err = capsys.readouterr().err
        assert "corrupt" in err and "Traceback" not in err
    assert cli("outbox", "repair", "--config", str(cfg)) == 0
    capsys.readouterr()
    qdir = next((data / "outbox-quarantine").iterdir())
    saved = [json.loads(line) for line in (qdir / "rows.jsonl").read_text().splitlines()]
    assert 0 < len(saved) < 30  # the rows on the other pages survived, the page's rows did not
    assert (qdir / "outbox.sqlite3").exists()  # the damaged file is kept, not deleted
    assert oct((qdir / "rows.jsonl").stat().st_mode & 0o777) == "0o600"
    assert "备注" not in (qdir / "rows.jsonl").read_text()  # payloads stay sealed
    with open_existing_cfg(cfg) as box:
        back = box.rows(State.PENDING)
        assert sorted(r.provisional_no for r in back) == sorted(r["provisional_no"] for r in saved)
        assert box.payload(back[0])["item_code"] == "610900-SB-001"  # still decrypts
        new = box.enqueue("submission", payload(100)).provisional_no
    assert new not in issued


def test_hourly_check_notices_a_queue_emptied_or_deleted_while_open(setup) -> None:
    _, data = setup
    box = Outbox(data / "outbox.sqlite3", data / "outbox.key", terminal_id=TID)
    box.enqueue("submission", payload(1))
    assert box.check() is None
    (data / "outbox.sqlite3").unlink()
    damage = box.check()
    assert damage is not None and damage.kind == "vanished"
    with pytest.raises(OutboxDamaged):
        box.enqueue("rating", {"case_no": "X"})
    box.close()


def test_files_are_0600_including_wal_and_shm(setup) -> None:
    import os

    _, data = setup
    old = os.umask(0o022)  # the loosest usual umask: the queue must not depend on it
    try:
        with Outbox(data / "outbox.sqlite3", data / "outbox.key", terminal_id=TID) as box:
            box.enqueue("submission", payload(1))
            names = [
                "outbox.sqlite3",
                "outbox.sqlite3-wal",
                "outbox.sqlite3-shm",
                "outbox.sqlite3.highwater",
                "outbox.key",
            ]
            modes = {n: oct((data / n).stat().st_mode & 0o777) for n in names}
    finally:
        os.umask(old)
    assert modes == {n: "0o600" for n in names}


def test_hourly_housekeeping_pass_runs_the_check_and_closes_intake(setup) -> None:
    import time

    from kiosk.housekeeping import Housekeeper
    from kiosk.outbox.guard import IntakeGuard

    _, data = setup
    box = Outbox(data / "outbox.sqlite3", data / "outbox.key", terminal_id=TID)
    box.enqueue("submission", payload(1))
    guard = IntakeGuard(box, reserve_bytes=0)
    assert guard.problem() == ""
    (data / "outbox.sqlite3").write_bytes(b"")  # emptied behind the running kiosk's back
    hk = Housekeeper(lambda: None, interval_s=0.05, outbox=box).start()
    deadline = time.monotonic() + 5
    while hk.outbox_damage is None and time.monotonic() < deadline:
        time.sleep(0.02)
    hk.stop()
    assert hk.outbox_damage is not None and hk.outbox_damage.kind == "emptied"
    assert guard.problem() == "outbox_damaged"
    assert guard.heartbeat_entry()["outbox"] == {
        "status": "fault",
        "detail": "outbox_damaged:emptied",
    }
    box.close()


def test_heartbeat_reports_a_damaged_queue(setup) -> None:
    """The kiosk starts on a damaged queue: heartbeats go on and tell central why."""
    from kiosk.outbox.guard import DamagedOutbox, IntakeGuard
    from kiosk.sync import SyncWorker

    _, data = setup
    fill(data, 1)
    (data / "outbox.sqlite3").write_bytes(b"")
    with pytest.raises(OutboxDamaged) as ei:
        Outbox(data / "outbox.sqlite3", data / "outbox.key", terminal_id=TID)
    stand_in = DamagedOutbox(ei.value)
    guard = IntakeGuard(stand_in, reserve_bytes=0)
    worker = SyncWorker(stand_in, client=None, device_states=guard.heartbeat_entry)  # type: ignore[arg-type]
    beat = worker.heartbeat_body()
    assert beat is not None and beat.outbox_depth == 0
    assert beat.devices["outbox"].status.value == "fault"
    assert beat.devices["outbox"].detail == "outbox_damaged:emptied"


def test_missing_high_water_file_is_damage_not_a_fresh_start(setup, capsys) -> None:
    cfg, data = setup
    issued = fill(data, 2)
    (data / "outbox.sqlite3.highwater").unlink()
    with pytest.raises(OutboxDamaged) as ei:
        Outbox(data / "outbox.sqlite3", data / "outbox.key", terminal_id=TID)
    assert ei.value.kind == "marker"
    assert cli("outbox", "repair", "--config", str(cfg)) == 0
    capsys.readouterr()
    with open_existing_cfg(cfg) as box:
        assert box.depth() == 2  # both rows recovered from the intact file
        assert box.enqueue("submission", payload(3)).provisional_no not in issued


def test_random_bytes_on_any_page_never_end_in_a_traceback(setup, capsys) -> None:
    """Every 4 KiB page of a 30-row queue in turn: status is a report or a clean damage message,
    and doctor's outbox row is never OK on a file quick_check calls malformed."""
    cfg, data = setup
    fill(data, 30)
    db = data / "outbox.sqlite3"
    pristine = db.read_bytes()
    pages = len(pristine) // 4096
    assert pages >= 8
    rnd = random.Random(4096)
    for page in range(1, pages):  # page 0 is the header: covered by the corrupt test above
        damaged = bytearray(pristine)
        damaged[page * 4096 : (page + 1) * 4096] = bytes(rnd.randrange(256) for _ in range(4096))
        db.write_bytes(bytes(damaged))
        code = cli("outbox", "status", "--config", str(cfg))
        err = capsys.readouterr().err
        assert code in (0, 3) and "Traceback" not in err, (page, err)
        conn = sqlite3.connect(db)
        try:
            ok = conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        except sqlite3.DatabaseError:
            ok = False
        conn.close()
        row = doctor_outbox(cfg)
        assert ok or row.level is Level.FAIL, (page, row)

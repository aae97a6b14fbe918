"""Outbox: durable SQLite queue, sealed payloads, states, provisional case numbers, purge."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.crypto import KeyFileError, Sealer, SealError, load_or_create_key
from kiosk.outbox import (
    DeliveryLock,
    Kind,
    Outbox,
    OutboxClosed,
    OutboxError,
    OutboxKeyError,
    State,
    provisional_case_number,
)

ID_NUMBER = "11010519491231002X"
T0 = time.mktime((2026, 11, 25, 9, 30, 0, 0, 0, -1))  # local time, like the numbers


class Clock:
    def __init__(self, t: float = T0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def box(tmp_path: Path, clock: Clock) -> Outbox:
    o = Outbox(
        tmp_path / "data" / "outbox.sqlite3",
        tmp_path / "data" / "outbox.key",
        terminal_id="DEMO-0001",
        retention_days=7,
        clock=clock,
    )
    yield o
    o.close()


def citizen(i: int = 0) -> dict:
    return {
        "item_code": "610900-SB-001",
        "id_number": ID_NUMBER,
        "name": "张三丰",
        "address": "浙江省杭州市西湖区文三路1号",
        "seq": i,
    }


# -- key file -----------------------------------------------------------------------------------


def test_key_file_created_0600_in_0700_dir_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "secret" / "outbox.key"
    key = load_or_create_key(path)
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert path.read_text().strip() == key.hex()
    assert load_or_create_key(path) == key
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no temp left


def test_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "k"
    load_or_create_key(path)
    os.chmod(path, 0o644)
    with pytest.raises(KeyFileError, match="chmod 600"):
        load_or_create_key(path)


@pytest.mark.parametrize("content", ["not hex\n", "abcd\n", ""])
def test_malformed_key_file(tmp_path: Path, content: str) -> None:
    path = tmp_path / "k"
    path.write_text(content)
    os.chmod(path, 0o600)
    with pytest.raises(KeyFileError):
        load_or_create_key(path)


def test_sealer_binds_aad_and_detects_tampering() -> None:
    s = Sealer(bytes(range(32)))
    blob = s.seal(b"hello", b"a")
    assert s.open(blob, b"a") == b"hello"
    assert b"hello" not in blob
    with pytest.raises(SealError):
        s.open(blob, b"b")
    bad = bytearray(blob)
    bad[-1] ^= 1
    with pytest.raises(SealError):
        s.open(bytes(bad), b"a")
    with pytest.raises(SealError):
        s.open(blob[:10], b"a")
    with pytest.raises(SealError):
        Sealer(bytes(32)).open(blob, b"a")


def test_wrong_key_for_existing_queue_is_refused(tmp_path: Path) -> None:
    Outbox(tmp_path / "q", tmp_path / "k1", terminal_id="T-1").close()
    with pytest.raises(OutboxKeyError, match="restore the original key"):
        Outbox(tmp_path / "q", tmp_path / "k2", terminal_id="T-1")


# -- durability and pragmas -----------------------------------------------------------------------


def test_pragmas_wal_full_and_row_visible_to_another_connection(box: Outbox) -> None:
    assert box._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert box._conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    e = box.enqueue(Kind.SUBMISSION, citizen())
    other = sqlite3.connect(box.path)
    try:
        assert other.execute("SELECT id, kind, idem_key, state FROM outbox").fetchall() == [
            (e.id, "submission", e.idempotency_key, "pending")
        ]
    finally:
        other.close()
    assert stat.S_IMODE(box.path.stat().st_mode) == 0o600
    box.mark_delivered(e.id, {"case_no": "C"})  # the one non-fsynced write…
    assert box._conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # …leaves FULL behind


def test_reopen_keeps_rows_and_decrypts(tmp_path: Path, clock: Clock) -> None:
    args = (tmp_path / "q", tmp_path / "k")
    with Outbox(*args, terminal_id="T-1", clock=clock) as o:
        e = o.enqueue("rating", {"level": "满意", "case_no": "C1"})
    with Outbox(*args, terminal_id="T-1", clock=clock) as o:
        row = o.head(Kind.RATING)
        assert row.idempotency_key == e.idempotency_key
        assert o.payload(row) == {"level": "满意", "case_no": "C1"}


def test_idempotency_keys_are_uuid4_and_unique(box: Outbox) -> None:
    import uuid

    keys = {box.enqueue("rating", {"n": i}).idempotency_key for i in range(20)}
    assert len(keys) == 20
    assert all(uuid.UUID(k).version == 4 for k in keys)


def test_payload_swapped_between_rows_does_not_open(box: Outbox) -> None:
    a = box.enqueue("submission", {"a": 1})
    b = box.enqueue("submission", {"b": 2})
    ra = box.get(a.id)
    box._conn.execute("UPDATE outbox SET payload=? WHERE id=?", (ra.sealed, b.id))
    with pytest.raises(SealError):
        box.payload(box.get(b.id))


def test_bad_payloads_refused(box: Outbox) -> None:
    with pytest.raises(OutboxError):
        box.enqueue("submission", {"x": object()})
    with pytest.raises(OutboxError):
        box.enqueue("submission", {"x": float("nan")})
    with pytest.raises(OutboxError):
        box.enqueue("submission", ["not", "a", "dict"])  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        box.enqueue("heartbeat", {})
    assert box.depth() == 0


def test_closed_outbox_raises(box: Outbox) -> None:
    box.close()
    with pytest.raises(OutboxClosed):
        box.enqueue("rating", {})
    with pytest.raises(OutboxClosed):
        box.stats()


def test_no_personal_data_in_file_bytes(box: Outbox) -> None:
    for i in range(50):
        box.enqueue("submission", citizen(i))
    box._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(box.path) + suffix)
        if p.exists():
            data = p.read_bytes()
            for secret in (ID_NUMBER, "张三丰", "文三路"):
                assert secret.encode("utf-8") not in data, (suffix, secret)
                assert secret.encode("utf-16-le") not in data, (suffix, secret)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    payload=st.dictionaries(
        st.text(max_size=10),
        st.recursive(
            st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20),
            lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
            max_leaves=8,
        ),
        max_size=5,
    )
)
def test_payload_roundtrip(box: Outbox, payload: dict) -> None:
    e = box.enqueue("rating", payload, provisional=False)
    assert box.payload(box.get(e.id)) == payload


# -- states ---------------------------------------------------------------------------------------


def test_head_is_oldest_pending_per_kind_and_dead_does_not_block(box: Outbox) -> None:
    s1 = box.enqueue("submission", {"n": 1})
    r1 = box.enqueue("rating", {"n": 1})
    s2 = box.enqueue("submission", {"n": 2})
    assert box.head("submission").id == s1.id
    assert box.head("rating").id == r1.id
    assert box.mark_dead(s1.id, "HTTP 422 validation: bad field")
    assert box.head("submission").id == s2.id
    assert box.mark_delivered(s2.id, {"case_no": "C-9"})
    assert box.head("submission") is None
    assert not box.mark_delivered(s2.id, {"case_no": "C-10"})  # not pending any more
    assert not box.mark_retry(s1.id, "x", 0)  # dead rows are left alone
    assert box.get(s2.id).case_no == "C-9"
    assert box.get(s2.id).attempts == 1


def test_mark_retry_counts_attempts_and_scrubs_error(box: Outbox, clock: Clock) -> None:
    e = box.enqueue("submission", citizen())
    assert box.mark_retry(e.id, f"HTTP 500: echo {ID_NUMBER}", clock.t + 30)
    row = box.get(e.id)
    assert row.attempts == 1 and row.next_attempt_at == clock.t + 30
    assert ID_NUMBER not in row.last_error and "1101**********002X" in row.last_error
    assert box.next_due_at() == clock.t + 30
    assert box.defer(e.id, "waiting", clock.t + 5)
    assert box.get(e.id).attempts == 1


def test_retry_dead_one_and_all(box: Outbox, clock: Clock) -> None:
    ids = [box.enqueue("rating", {"n": i}).id for i in range(3)]
    for i in ids:
        box.mark_dead(i, "HTTP 422 x")
    clock.t += 100
    assert box.retry_dead(ids[1]) == 1
    row = box.get(ids[1])
    assert row.state is State.PENDING and row.attempts == 0 and row.next_attempt_at == clock.t
    assert box.retry_dead(ids[1]) == 0
    assert box.retry_dead(999) == 0
    assert box.retry_dead() == 2
    assert box.stats().count(State.DEAD) == 0


def test_wake_all_makes_pending_rows_due(box: Outbox, clock: Clock) -> None:
    e = box.enqueue("rating", {})
    box.mark_retry(e.id, "down", clock.t + 300)
    assert box.wake_all() == 1
    assert box.get(e.id).next_attempt_at == clock.t


def test_purge_after_retention_only_delivered(box: Outbox, clock: Clock) -> None:
    old = box.enqueue("submission", citizen(1))
    dead = box.enqueue("submission", citizen(2))
    pending = box.enqueue("submission", citizen(3))
    box.mark_delivered(old.id, {"case_no": "C-OLD"})
    box.mark_dead(dead.id, "HTTP 400")
    clock.t += 7 * 86400 - 1
    recent = box.enqueue("rating", {})
    box.mark_delivered(recent.id, {})
    assert box.purge() == 0
    clock.t += 2
    assert box.purge() == 1
    assert box.get(old.id) is None and box.lookup_case("C-OLD") is None
    assert {r.id for r in box.rows()} == {dead.id, pending.id, recent.id}


def test_stats(box: Outbox, clock: Clock) -> None:
    a = box.enqueue("submission", {})
    clock.t += 10
    b = box.enqueue("rating", {})
    box.enqueue("rating", {})
    box.mark_delivered(b.id, {})
    clock.t += 5
    box.mark_retry(a.id, "connection refused", clock.t + 1)
    s = box.stats()
    assert s.count(State.PENDING, Kind.SUBMISSION) == 1
    assert s.count(State.PENDING, Kind.RATING) == 1
    assert s.count(State.DELIVERED) == 1
    assert s.count() == 3
    assert s.oldest_pending_age_s == 15
    assert s.last_error == "connection refused" and s.last_error_at == clock.t
    assert box.depth() == 2


def test_listener_called_after_commit(box: Outbox) -> None:
    seen: list[int] = []
    box.add_listener(lambda: seen.append(box.depth()))
    box.add_listener(lambda: 1 / 0)  # a broken listener must not break enqueue
    box.enqueue("rating", {})
    assert seen == [1]


# -- provisional case numbers ---------------------------------------------------------------------


def test_provisional_numbers_sequence_per_day_and_lookup(box: Outbox, clock: Clock) -> None:
    a = box.enqueue("submission", citizen())
    b = box.enqueue("submission", citizen())
    r = box.enqueue("rating", {})
    assert a.provisional_no == "DEMO-0001-20261125-0001"
    assert b.provisional_no == "DEMO-0001-20261125-0002"
    assert r.provisional_no is None
    clock.t += 86400
    assert box.enqueue("submission", {}).provisional_no == "DEMO-0001-20261126-0001"
    ref = box.lookup_case("DEMO-0001-20261125-0002")
    assert ref.state is State.PENDING and ref.number == "DEMO-0001-20261125-0002"
    box.mark_delivered(b.id, {"case_no": "610900-2026-000123"})
    for n in ("DEMO-0001-20261125-0002", "610900-2026-000123"):
        ref = box.lookup_case(n)
        assert (ref.provisional_no, ref.case_no, ref.state) == (
            "DEMO-0001-20261125-0002",
            "610900-2026-000123",
            State.DELIVERED,
        )
        assert ref.number == "610900-2026-000123"
    assert box.lookup_case("nope") is None


def test_provisional_numbers_survive_reopen(tmp_path: Path, clock: Clock) -> None:
    args = (tmp_path / "q", tmp_path / "k")
    with Outbox(*args, terminal_id="T-1", clock=clock) as o:
        o.enqueue("submission", {})
    with Outbox(*args, terminal_id="T-1", clock=clock) as o:
        assert o.enqueue("submission", {}).provisional_no.endswith("-0002")


def test_provisional_number_format() -> None:
    assert provisional_case_number("DEMO-0001", "20261125", 7) == "DEMO-0001-20261125-0007"
    assert provisional_case_number("T1X", "20261125", 12345) == "T1X-20261125-12345"


def test_concurrent_enqueues_are_distinct(box: Outbox) -> None:
    out: list = []

    def worker() -> None:
        for _ in range(25):
            out.append(box.enqueue("submission", {}))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({e.id for e in out}) == 100
    assert len({e.provisional_no for e in out}) == 100
    assert box.depth() == 100


def test_delivery_lock_is_exclusive_across_processes(tmp_path: Path) -> None:
    import subprocess
    import sys

    a = DeliveryLock(tmp_path / "q")
    assert a.acquire()
    code = (
        "import sys; from kiosk.outbox import DeliveryLock; "
        f"sys.exit(0 if DeliveryLock({str(tmp_path / 'q')!r}).acquire() else 3)"
    )
    root = Path(__file__).resolve().parents[2]
    assert subprocess.run([sys.executable, "-c", code], cwd=root).returncode == 3
    a.release()
    assert subprocess.run([sys.executable, "-c", code], cwd=root).returncode == 0


# -- CLI ------------------------------------------------------------------------------------------


def write_config(folder: Path, central_url: str = "http://127.0.0.1:9") -> Path:
    """A terminal.toml in `folder` whose data_dir is folder/data."""
    from tests.kiosk._central import SECRET

    (folder / "terminal.secret").write_text(SECRET.hex() + "\n")
    cfg = folder / "terminal.toml"
    cfg.write_text(
        f"""
terminal_id = "DEMO-0001"
hall_name = "测试大厅"
region_code = "610900"
data_dir = "data"
[central]
url = "{central_url}"
secret_file = "terminal.secret"
[idcard]
url = "sim://idcard"
[printer]
url = "sim://printer"
[scanner]
url = "sim://scanner"
[outbox]
retention_days = 7
""",
        encoding="utf-8",
    )
    return cfg


def cli(*argv: str) -> int:
    from kiosk.cli import main

    return main(list(argv))


def test_cli_status_without_queue_creates_nothing(tmp_path: Path, capsys) -> None:
    cfg = write_config(tmp_path)
    assert cli("outbox", "status", "--config", str(cfg)) == 0
    assert "no queue yet" in capsys.readouterr().out
    assert not (tmp_path / "data").exists()


def test_cli_status_retry_dead(tmp_path: Path, capsys) -> None:
    cfg = write_config(tmp_path)
    data = tmp_path / "data"
    with Outbox(data / "outbox.sqlite3", data / "outbox.key", terminal_id="DEMO-0001") as o:
        a = o.enqueue("submission", citizen(1))
        b = o.enqueue("rating", {"case_no": a.provisional_no})
        c = o.enqueue("submission", citizen(2))
        o.mark_retry(
            a.id, f"POST /v1/submissions: ConnectionError for {ID_NUMBER}", time.time() + 60
        )
        o.mark_dead(c.id, "HTTP 422 validation_failed: applicant.id_number")
        o.mark_delivered(b.id, {})
    assert cli("outbox", "status", "--config", str(cfg)) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[1].split() == ["state", "submission", "rating", "total"]
    assert lines[2].split() == ["pending", "1", "0", "1"]
    assert lines[3].split() == ["delivered", "0", "1", "1"]
    assert lines[4].split() == ["dead", "1", "0", "1"]
    assert "oldest pending: " in out and "last error: HTTP 422 validation_failed" in out
    assert f"#{c.id} submission DEMO-0001-" in out
    assert ID_NUMBER not in out
    assert cli("outbox", "retry-dead", "999", "--config", str(cfg)) == 1
    assert "no dead row with id 999" in capsys.readouterr().err
    assert cli("outbox", "retry-dead", str(c.id), "--config", str(cfg)) == 0
    assert "1 dead row(s) are pending again" in capsys.readouterr().out
    assert cli("outbox", "retry-dead", "--all", "--config", str(cfg)) == 1
    with pytest.raises(SystemExit) as ei:
        cli("outbox", "retry-dead", "--config", str(cfg))
    assert ei.value.code == 2


def test_cli_missing_key_is_a_clear_error(tmp_path: Path, capsys) -> None:
    cfg = write_config(tmp_path)
    data = tmp_path / "data"
    Outbox(data / "outbox.sqlite3", data / "outbox.key", terminal_id="DEMO-0001").close()
    (data / "outbox.key").unlink()
    assert cli("outbox", "status", "--config", str(cfg)) == 2
    err = capsys.readouterr().err
    assert "key file is missing" in err and "Traceback" not in err
    assert not (data / "outbox.key").exists()  # status never creates a key

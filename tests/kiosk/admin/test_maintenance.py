"""Maintenance mode: PIN entry, lockout, 2-minute idle exit, every action audited."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.admin.audit import AuditLog
from kiosk.admin.maintenance import Entry, MaintenanceMode, NotInMaintenance, log_tail
from kiosk.admin.pin import PinGuard, hash_pin

HASH = hash_pin("97531")


class Clock:
    def __init__(self) -> None:
        self.t = 5_000_000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def mode(tmp_path: Path) -> tuple[MaintenanceMode, Clock, AuditLog]:
    clock = Clock()
    audit = AuditLog(tmp_path / "audit.log", clock)
    return MaintenanceMode(PinGuard(HASH, tmp_path / "pin.json", clock), audit, clock), clock, audit


def test_enter_idle_exit_and_audit(mode) -> None:  # type: ignore[no-untyped-def]
    m, clock, audit = mode
    assert m.enter("97531").outcome is Entry.OPENED and m.active
    clock.t += 119
    assert m.tick()
    assert m.action("print_test", lambda: "printed") == "printed"  # resets the idle timer
    clock.t += 119
    assert m.tick()
    clock.t += 2
    assert not m.tick()
    actions = [(e["action"], e.get("outcome"), e.get("reason")) for e in audit.tail()]
    assert actions == [("enter", None, None), ("print_test", "ok", None), ("exit", None, "idle")]


def test_wrong_pins_count_down_then_lock(mode) -> None:  # type: ignore[no-untyped-def]
    m, clock, audit = mode
    left = [m.enter("86420").attempts_left for _ in range(4)]
    assert left == [4, 3, 2, 1]
    fifth = m.enter("86420")
    assert fifth.outcome is Entry.LOCKED and fifth.locked_for_s == 15
    assert m.enter("97531").outcome is Entry.LOCKED and not m.active
    clock.t += 15
    assert m.enter("97531").outcome is Entry.OPENED
    text = (audit.path).read_text(encoding="utf-8")
    assert "97531" not in text and "86420" not in text
    assert [e["action"] for e in audit.tail()].count("pin_wrong") == 5


def test_actions_need_maintenance_mode_and_failures_are_audited(mode) -> None:  # type: ignore[no-untyped-def]
    m, _clock, audit = mode
    with pytest.raises(NotInMaintenance):
        m.action("out_of_service", lambda: True)
    m.enter("97531")

    def broken() -> None:
        raise OSError("printer gone")

    with pytest.raises(OSError):
        m.action("print_test", broken)
    last = audit.tail()[-1]
    assert (
        last["action"] == "print_test"
        and last["outcome"] == "failed"
        and "printer gone" in last["error"]
    )


def test_log_tail(tmp_path: Path) -> None:
    f = tmp_path / "kiosk.log"
    f.write_text("".join(f"line {i}\n" for i in range(500)), encoding="utf-8")
    tail = log_tail(f)
    assert len(tail) == 200 and tail[0] == "line 300" and tail[-1] == "line 499"
    assert log_tail(tmp_path / "none.log") == []


def test_no_pin_configured_never_opens_and_counts_nothing(tmp_path: Path) -> None:
    clock = Clock()
    audit = AuditLog(tmp_path / "audit.log", clock)
    m = MaintenanceMode(PinGuard(None, tmp_path / "pin.json", clock), audit, clock)
    for pin in ("0000", "97531", ""):
        assert m.enter(pin).outcome is Entry.NOT_SET
    assert not m.active and m.guard.failures == 0
    assert [e["action"] for e in audit.tail()] == ["pin_not_set"] * 3


def test_damaged_pin_hash_is_not_set_not_a_crash(tmp_path: Path) -> None:
    clock = Clock()
    m = MaintenanceMode(
        PinGuard("md5$abc", tmp_path / "pin.json", clock),
        AuditLog(tmp_path / "audit.log", clock),
        clock,
    )
    assert m.enter("97531").outcome is Entry.NOT_SET and not m.active


def test_from_config_keeps_state_and_audit_under_data_dir(tmp_path: Path) -> None:
    from kiosk import config as config_mod

    root = Path(__file__).resolve().parents[3]
    cfg = config_mod.load(root / "config" / "terminal.toml").model_copy(
        update={"data_dir": str(tmp_path), "admin_pin_hash": HASH}
    )
    m = MaintenanceMode.from_config(cfg, Clock())
    assert m.enter("11111").outcome is Entry.WRONG
    assert (tmp_path / "admin" / "pin_state.json").exists()
    assert (tmp_path / "admin" / "audit.jsonl").stat().st_mode & 0o777 == 0o600


def test_paused_flag_survives_a_restart(tmp_path: Path) -> None:
    from kiosk.admin.paused import PausedFlag

    clock = Clock()
    flag = PausedFlag(tmp_path / "admin" / "paused.json", clock)
    assert not flag.is_set() and flag.since() is None
    flag.set(True)
    again = PausedFlag(tmp_path / "admin" / "paused.json", clock)
    assert again.is_set() and again.since() == clock.t
    again.set(False)
    assert not flag.is_set()
    flag.path.parent.mkdir(exist_ok=True)
    flag.path.write_text("{garbage", encoding="utf-8")
    assert flag.is_set()  # damaged: stays out of service rather than silently reopening


def test_unwritable_audit_and_lockout_state_never_lock_the_technician_out(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    (tmp_path / "audit.log").mkdir()  # a directory where the file should be: every write fails
    # procfs: reading says "no such file" (a fresh start), creating the directory is refused
    unwritable = Path("/proc/self/kiosk-admin/pin_state.json")
    m = MaintenanceMode(
        PinGuard(HASH, unwritable, clock), AuditLog(tmp_path / "audit.log", clock), clock
    )
    assert m.enter("00000").outcome is Entry.WRONG and m.guard.failures == 1  # still counted
    assert m.enter("97531").outcome is Entry.OPENED
    assert m.action("print_test", lambda: "ok") == "ok"
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert any("not writable" in e and '"action": "enter"' in e for e in errors)
    assert any("lockout state" in e and "not saved" in e for e in errors)

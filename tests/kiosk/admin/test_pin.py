"""Maintenance PIN: scrypt hash, 5 free attempts, then a doubling lockout that survives restarts."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk import config
from kiosk.admin.errors import BadPinHash, LockedOut
from kiosk.admin.pin import PinGuard, hash_pin, lockout_seconds, verify_pin
from kiosk.cli import main

ROOT = Path(__file__).resolve().parents[3]
HASH_1234 = hash_pin("1234")


class FakeClock:
    def __init__(self) -> None:
        self.t = 1_000_000.0

    def __call__(self) -> float:
        return self.t


def test_hash_roundtrip_and_salted() -> None:
    assert verify_pin("1234", HASH_1234)
    assert not verify_pin("1235", HASH_1234)
    assert hash_pin("1234") != HASH_1234  # salted
    assert HASH_1234.startswith("scrypt$16384$8$1$")


@pytest.mark.parametrize("pin", ["123", "12a4", "1234567890123", "", "１２３４"])
def test_bad_pins_are_refused(pin: str) -> None:
    with pytest.raises(ValueError):
        hash_pin(pin)


def test_garbage_hash_is_a_clear_error() -> None:
    with pytest.raises(BadPinHash):
        verify_pin("1234", "plain:1234")


def test_lockout_schedule() -> None:
    assert [lockout_seconds(n) for n in range(1, 10)] == [0, 0, 0, 0, 15, 30, 60, 120, 240]
    assert lockout_seconds(100) == 24 * 3600


@given(st.integers(min_value=0, max_value=200))
def test_lockout_never_shrinks(n: int) -> None:
    assert lockout_seconds(n + 1) >= lockout_seconds(n)


def test_guard_locks_doubles_and_persists(tmp_path: Path) -> None:
    clock = FakeClock()
    state = tmp_path / "pin-state.json"
    guard = PinGuard(HASH_1234, state, clock)
    for _ in range(4):
        assert guard.check("0000") is False
    assert guard.remaining_lockout() == 0
    assert guard.check("0000") is False  # 5th wrong: locked 15 s
    assert guard.remaining_lockout() == 15
    with pytest.raises(LockedOut):
        guard.check("1234")  # even the right PIN is not tried while locked
    # a restart keeps the lockout
    guard = PinGuard(HASH_1234, state, clock)
    assert guard.remaining_lockout() == 15
    clock.t += 15
    assert guard.check("9999") is False  # 6th wrong: 30 s
    assert guard.remaining_lockout() == 30
    clock.t += 30
    assert guard.check("1234") is True
    assert guard.failures == 0 and PinGuard(HASH_1234, state, clock).failures == 0


def test_damaged_state_file_locks_rather_than_opens(tmp_path: Path) -> None:
    state = tmp_path / "pin-state.json"
    state.write_text("{not json", encoding="utf-8")
    guard = PinGuard(HASH_1234, state, FakeClock())
    assert guard.remaining_lockout() == 15


def test_no_hash_configured_never_opens(tmp_path: Path) -> None:
    assert PinGuard(None, tmp_path / "s.json", FakeClock()).check("1234") is False


def test_set_pin_writes_hash_and_keeps_comments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg_file = tmp_path / "terminal.toml"
    shutil.copy(ROOT / "config" / "terminal.example.toml", cfg_file)
    (tmp_path / "x").mkdir()
    monkeypatch.setattr("sys.stdin", io.StringIO("24680\n"))
    assert main(["config", "set-pin", str(cfg_file), "--pin-stdin"]) == 0
    text = cfg_file.read_text(encoding="utf-8")
    assert "# Production example" in text and "24680" not in text
    cfg = config.load(cfg_file)
    assert cfg.admin_pin_hash and verify_pin("24680", cfg.admin_pin_hash)
    monkeypatch.setattr("sys.stdin", io.StringIO("13579\n"))
    assert main(["config", "set-pin", str(cfg_file), "--pin-stdin"]) == 0
    cfg = config.load(cfg_file)
    assert (
        verify_pin("13579", cfg.admin_pin_hash)
        and sum(line.startswith("admin_pin_hash =") for line in cfg_file.read_text().splitlines())
        == 1
    )


def test_set_pin_refuses_short_pin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg_file = tmp_path / "terminal.toml"
    shutil.copy(ROOT / "config" / "terminal.example.toml", cfg_file)
    before = cfg_file.read_bytes()
    monkeypatch.setattr("sys.stdin", io.StringIO("12\n"))
    assert main(["config", "set-pin", str(cfg_file), "--pin-stdin"]) == 1
    assert cfg_file.read_bytes() == before

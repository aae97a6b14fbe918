"""Issue 14 part 6 "one clock": screen, receipts, logs, case numbers and opening hours all use
terminal.timezone, whatever the system zone is; doctor warns when the two differ.

The reproduction of the field report: a box left on UTC showed 19:34 on screen while receipts
said 03:35. These tests run with the system zone set to UTC and the terminal on Asia/Shanghai.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk import clock
from kiosk import config as config_mod
from kiosk.errors import ConfigError

# 2026-11-25 19:34:00 UTC == 2026-11-26 03:34:00 in Shanghai: a different day, too.
EPOCH = dt.datetime(2026, 11, 25, 19, 34, tzinfo=dt.UTC).timestamp()
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def system_utc() -> Iterator[None]:
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    clock.set_zone("Asia/Shanghai")
    yield
    os.environ["TZ"] = old or ""
    time.tzset()
    clock.set_zone("Asia/Shanghai")


def test_receipt_and_case_number_agree_with_the_screen_clock(system_utc, tmp_path: Path) -> None:
    from kiosk.catalogue.schema import build_catalogue
    from kiosk.outbox import Outbox
    from kiosk.session.engine import SessionEngine
    from kiosk.session.ports import CardRead
    from kiosk.ui.viewmodels.home import format_clock
    from tests.kiosk.session.fixtures import (
        ZHANG,
        FakeCentral,
        FakeClock,
        FakePrinter,
        catalogue_dict,
    )

    data = catalogue_dict()
    apply = next(i for i in data["items"] if i["code"] == "A-0001")
    apply["receipt"]["lines"].append(
        {"label_zh": "时间", "label_en": "Time", "ref": "session.time"}
    )

    assert time.strftime("%H:%M", time.localtime(EPOCH)) == "19:34"  # the system's own idea
    screen, _ = format_clock(clock.struct(EPOCH))
    assert screen == "03:34"
    eng = SessionEngine(
        build_catalogue(data),
        central=FakeCentral(),
        printer=FakePrinter(),
        clock=FakeClock(),
        wall_clock=lambda: EPOCH,
        terminal_id="DEMO-0001",
    )
    eng.select("A-0001")
    eng.proceed()
    eng.handle(CardRead(ZHANG))
    eng.set_value("phone", "13800138000")
    assert eng.submit_form()
    eng.confirm()
    assert ("时间", "2026-11-26 03:34") in eng.receipt().lines
    with Outbox(
        tmp_path / "o.sqlite3", tmp_path / "o.key", terminal_id="DEMO-0001", clock=lambda: EPOCH
    ) as box:
        assert box.enqueue("submission", {"a": 1}).provisional_no == "DEMO-0001-20261126-0001"


def test_log_timestamps_are_terminal_time_with_offset(system_utc) -> None:
    from kiosk.logs import _formatter

    record = logging.LogRecord("kiosk", logging.INFO, __file__, 1, "hello", None, None)
    record.created = EPOCH
    record.msecs = 0
    assert _formatter().format(record).startswith("2026-11-26 03:34:00.000+0800 INFO")


def test_opening_hours_use_the_terminal_zone(system_utc) -> None:
    from kiosk.session import hours

    assert not hours.is_open(["08:00-20:00"], EPOCH)  # 03:34 in the hall (19:34 UTC is "open")
    clock.set_zone("UTC")
    assert hours.is_open(["08:00-20:00"], EPOCH)


def test_config_timezone_is_validated_and_applied(tmp_path: Path) -> None:
    text = (ROOT / "config" / "terminal.toml").read_text(encoding="utf-8")
    cfg_file = tmp_path / "terminal.toml"
    cfg_file.write_text(text + '\n[terminal]\ntimezone = "Mars/Olympus"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as ei:
        config_mod.load(cfg_file)
    assert any("terminal.timezone" in p and "unknown time zone" in p for p in ei.value.problems)
    cfg_file.write_text(text + '\n[terminal]\ntimezone = "Asia/Urumqi"\n', encoding="utf-8")
    try:
        assert config_mod.load(cfg_file).terminal.timezone == "Asia/Urumqi"
        assert clock.zone().key == "Asia/Urumqi"
    finally:
        clock.set_zone("Asia/Shanghai")
    assert config_mod.load(ROOT / "config" / "terminal.toml").terminal.timezone == "Asia/Shanghai"


def test_doctor_warns_when_the_system_zone_differs(system_utc, tmp_path: Path) -> None:
    import shutil

    from kiosk.doctor import Level, check_timezone

    shutil.copytree(ROOT / "config", tmp_path / "config")
    cfg = config_mod.load(tmp_path / "config" / "terminal.toml")
    (row,) = check_timezone(cfg)
    assert row.level is Level.WARN and "system zone is UTC" in row.detail
    assert row.fix == "timedatectl set-timezone Asia/Shanghai"
    os.environ["TZ"] = "Asia/Shanghai"
    (row,) = check_timezone(cfg)
    assert row.level is Level.OK


@given(st.text(max_size=40))
def test_zone_names_are_validated(name: str) -> None:
    try:
        zone = clock.zone_from_name(name)
    except ValueError as exc:
        assert "time zone" in str(exc)
    else:
        assert zone.key == name

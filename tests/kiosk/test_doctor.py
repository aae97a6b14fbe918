"""kiosk doctor: a table of checks; exit 0 only when nothing failed; each failure names its fix."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.doctor import Level, Result, clock_reading, format_table, run_checks

ROOT = Path(__file__).resolve().parents[2]


def demo_copy(tmp_path: Path) -> Path:
    cfg_dir = tmp_path / "config"
    shutil.copytree(ROOT / "config", cfg_dir)
    return cfg_dir / "terminal.toml"


def by_name(results: list[Result]) -> dict[str, Result]:
    return {r.name: r for r in results}


def test_demo_setup_is_healthy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "--config", str(demo_copy(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert "OK    config" in out and "CJK font" in out and "FAIL" not in out


def test_missing_secret_fails_with_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = demo_copy(tmp_path)
    (cfg.parent / "demo" / "terminal.secret").unlink()
    assert main(["doctor", "--config", str(cfg)]) == 1
    out = capsys.readouterr().out
    assert "FAIL  terminal secret" in out and "→ put the secret" in out


def test_non_hex_secret_fails(tmp_path: Path) -> None:
    cfg = demo_copy(tmp_path)
    (cfg.parent / "demo" / "terminal.secret").write_text("not hex\n")
    assert by_name(run_checks(str(cfg)))["terminal secret"].level is Level.FAIL


def test_no_font_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    assert by_name(run_checks(str(demo_copy(tmp_path))))["CJK font"].level is Level.FAIL


def test_invalid_config_is_one_fail_row(tmp_path: Path) -> None:
    bad = tmp_path / "t.toml"
    bad.write_text("terminal_id = 1\n")
    results = run_checks(str(bad))
    assert [r.level for r in results] == [Level.FAIL] and "kiosk config check" in results[0].fix


def test_a_crashing_check_is_a_fail_row_not_a_traceback(tmp_path: Path) -> None:
    def boom(_cfg):  # type: ignore[no-untyped-def]
        raise RuntimeError("kaput")
        yield  # pragma: no cover

    results = run_checks(str(demo_copy(tmp_path)), [boom])
    assert results[-1].level is Level.FAIL and "kaput" in results[-1].detail


def test_table_aligns_chinese() -> None:
    table = format_table(
        [Result("打印机", Level.OK, "x"), Result("idcard", Level.WARN, "y", "fix it")]
    )
    lines = table.splitlines()
    from kiosk.doctor import _width

    assert _width(lines[0][: lines[0].index("x")]) == _width(lines[1][: lines[1].index("y")])
    assert lines[2].strip() == "→ fix it"


def with_devices(tmp_path: Path, **urls: str) -> Path:
    cfg = demo_copy(tmp_path)
    text = cfg.read_text(encoding="utf-8")
    for section, url in urls.items():
        text = text.replace(f'[{section}]\nurl = "sim://{section}"', f'[{section}]\nurl = "{url}"')
    cfg.write_text(text, encoding="utf-8")
    return cfg


def test_simulated_devices_are_ok(tmp_path: Path) -> None:
    rows = by_name(run_checks(str(demo_copy(tmp_path))))
    assert rows["ID card reader"].level is Level.OK and "SAM ok" in rows["ID card reader"].detail
    assert rows["printer"].level is Level.OK and rows["scanner"].level is Level.OK


@pytest.mark.parametrize(
    "url, level, words",
    [
        ("sim://printer?paper=out", Level.FAIL, "load a new paper roll"),
        ("sim://printer?paper=near_end", Level.WARN, "replace the roll soon"),
        ("sim://printer?cover=open", Level.FAIL, "close the printer cover"),
        ("sim://printer?silent=1", Level.FAIL, "no status reply"),
    ],
)
def test_printer_states_each_name_their_fix(
    tmp_path: Path, url: str, level: Level, words: str
) -> None:
    row = by_name(run_checks(str(with_devices(tmp_path, printer=url))))["printer"]
    assert row.level is level and words in row.fix


def test_sam_fault_and_missing_ports_fail(tmp_path: Path) -> None:
    rows = by_name(
        run_checks(
            str(
                with_devices(
                    tmp_path, idcard="sim://idcard?sam_fault=60", scanner="/dev/ttyNOSUCH9"
                )
            )
        )
    )
    assert rows["ID card reader"].level is Level.FAIL and "0x60" in rows["ID card reader"].detail
    assert rows["scanner"].level is Level.FAIL and "kiosk scanner read" in rows["scanner"].fix


def test_catalogue_default_bundle_is_checked(tmp_path: Path) -> None:
    row = by_name(run_checks(str(demo_copy(tmp_path))))["catalogue"]
    assert row.level is Level.OK and "v1, 26 items" in row.detail


def test_tampered_default_bundle_fails(tmp_path: Path) -> None:
    cfg = demo_copy(tmp_path)
    bundle = cfg.parent / "catalogue" / "bundle.json"
    bundle.write_text(
        bundle.read_text(encoding="utf-8").replace("社保", "社會", 1), encoding="utf-8"
    )
    row = by_name(run_checks(str(cfg)))["catalogue"]
    assert row.level is Level.FAIL and "kiosk catalogue verify" in row.fix


def test_production_config_refusing_demo_key_fails(tmp_path: Path) -> None:
    cfg = demo_copy(tmp_path)
    cfg.write_text(
        cfg.read_text(encoding="utf-8").replace(
            "allow_demo_keys = true", "allow_demo_keys = false"
        ),
        encoding="utf-8",
    )
    row = by_name(run_checks(str(cfg)))["catalogue"]
    assert row.level is Level.FAIL and row.detail == "no trusted catalogue key"


def with_central(tmp_path: Path, url: str) -> Path:
    cfg = demo_copy(tmp_path)
    cfg.write_text(
        cfg.read_text(encoding="utf-8")
        .replace('url = "embedded"', f'url = "{url}"')
        .replace('data_dir = "../var"', f'data_dir = "{tmp_path / "var"}"'),
        encoding="utf-8",
    )
    return cfg


def test_embedded_central_heartbeat_and_skew(tmp_path: Path) -> None:
    rows = by_name(run_checks(str(demo_copy(tmp_path))))
    assert (
        rows["central"].level is Level.OK
        and "heartbeat signed and accepted" in rows["central"].detail
    )
    assert rows["clock skew"].level is Level.OK


def test_unreachable_central_fails(tmp_path: Path) -> None:
    rows = by_name(run_checks(str(with_central(tmp_path, "http://127.0.0.1:1"))))
    assert rows["central"].level is Level.FAIL and rows["central"].detail.startswith("unreachable")
    assert "clock skew" not in rows


def test_unregistered_terminal_is_refused(tmp_path: Path) -> None:
    from central.server import run_in_thread

    handle = run_in_thread(tmp_path / "central.sqlite3")  # knows no terminal at all
    try:
        rows = by_name(run_checks(str(with_central(tmp_path, handle.url))))
    finally:
        handle.stop()
    assert rows["central"].level is Level.FAIL and "refused our signature" in rows["central"].detail


def test_dead_outbox_rows_warn(tmp_path: Path) -> None:
    from kiosk import config
    from kiosk.outbox import Outbox

    cfg_path = with_central(tmp_path, "http://127.0.0.1:1")
    box = Outbox.from_config(config.load(cfg_path))
    row = box.enqueue("submission", {"item_code": "x"})
    box.mark_dead(row.id, "422 invalid field")
    box.close()
    out = by_name(run_checks(str(cfg_path)))["outbox"]
    assert out.level is Level.WARN and "1 dead" in out.detail and "retry-dead" in out.fix


@pytest.mark.parametrize(
    ("skew", "level"),
    [
        (0.0, Level.OK),
        (29.9, Level.OK),
        (-30.0, Level.WARN),
        (239.0, Level.WARN),
        (240.0, Level.FAIL),
        (-500.0, Level.FAIL),
    ],
)
def test_clock_reading_levels(skew: float, level: Level) -> None:
    sent = 1_800_000_000.0
    server = datetime.fromtimestamp(sent + 0.25 + skew, UTC)  # answered 0.5 s later
    reading = clock_reading(sent, sent + 0.5, server)
    assert reading.rtt_ms == 500.0 and abs(reading.skew_s - skew) < 1e-6 and reading.level is level


def test_maintenance_pin_rows(tmp_path: Path) -> None:
    import json
    import time

    from kiosk.admin.pin import hash_pin

    cfg = demo_copy(tmp_path)
    text = cfg.read_text(encoding="utf-8")
    assert (
        by_name(run_checks(str(cfg)))["maintenance PIN"].level is Level.OK
    )  # demo PIN, demo config
    cfg.write_text(text.replace("demo = true", "demo = false"), encoding="utf-8")
    row = by_name(run_checks(str(cfg)))["maintenance PIN"]
    assert (
        row.level is Level.FAIL and "demo PIN" in row.detail and row.fix == "kiosk config set-pin"
    )
    start = text.index("admin_pin_hash")
    line = text[start : text.index("\n", start)]
    cfg.write_text(text.replace(line, ""), encoding="utf-8")
    row = by_name(run_checks(str(cfg)))["maintenance PIN"]
    assert row.level is Level.WARN and "cannot be opened" in row.detail
    cfg.write_text(text.replace(line, 'admin_pin_hash = "md5$x"'), encoding="utf-8")
    assert by_name(run_checks(str(cfg)))["maintenance PIN"].level is Level.FAIL
    cfg.write_text(text.replace(line, f'admin_pin_hash = "{hash_pin("864209")}"'), encoding="utf-8")
    state = tmp_path / "var" / "admin" / "pin_state.json"
    state.parent.mkdir(parents=True)
    state.write_text(
        json.dumps({"failures": 6, "locked_until": time.time() + 600}), encoding="utf-8"
    )
    row = by_name(run_checks(str(cfg)))["maintenance PIN"]
    assert row.level is Level.WARN and row.detail.startswith("locked for ")

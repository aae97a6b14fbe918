"""kiosk doctor: a table of checks; exit 0 only when nothing failed; each failure names its fix."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.doctor import Level, Result, format_table, run_checks

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
    table = format_table([Result("打印机", Level.OK, "x"), Result("idcard", Level.WARN, "y", "fix it")])
    lines = table.splitlines()
    from kiosk.doctor import _width

    assert _width(lines[0][:lines[0].index("x")]) == _width(lines[1][:lines[1].index("y")])
    assert lines[2].strip() == "→ fix it"

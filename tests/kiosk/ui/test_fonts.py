"""CJK font lookup: configured file, fontconfig, or a clear log error (never a crash)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from kiosk.ui import fonts


def test_fontconfig_finds_a_chinese_font() -> None:
    found = fonts.find_cjk_font()
    assert found is not None and found.is_file()


def test_configured_font_wins(tmp_path: Path) -> None:
    f = tmp_path / "my.ttf"
    f.write_bytes(b"\0")
    assert fonts.find_cjk_font(f) == f


def test_missing_configured_font_falls_back_with_an_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        found = fonts.find_cjk_font(tmp_path / "gone.ttf")
    assert found is not None and "gone.ttf does not exist" in caplog.text


def test_no_fontconfig_is_a_logged_error(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with caplog.at_level(logging.ERROR):
        assert fonts.find_cjk_font() is None
    assert "no CJK font found" in caplog.text

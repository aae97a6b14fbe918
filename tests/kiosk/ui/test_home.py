"""CJK glyphs really drawn; `python main.py` starts and stops cleanly on the demo config."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from kivy.tests.common import GraphicUnitTest

from kiosk.ui.fonts import find_cjk_font

ROOT = Path(__file__).resolve().parents[3]


class CjkFontTest(GraphicUnitTest):
    """The registered default font draws Chinese."""

    def setUp(self) -> None:
        super().setUp()
        from kivy.core.text import DEFAULT_FONT, LabelBase

        font = find_cjk_font()
        assert font is not None, "no CJK font: make test installs fonts-wqy-microhei"
        LabelBase.register(DEFAULT_FONT, str(font))

    def test_cjk_glyphs_are_distinct_not_boxes(self) -> None:
        from kivy.core.text import Label as CoreLabel

        def pixels(ch: str) -> bytes:
            lbl = CoreLabel(text=ch, font_size=48)
            lbl.refresh()
            return bytes(lbl.texture.pixels)

        zheng, wu = pixels("政"), pixels("务")
        assert any(zheng) and any(wu)
        # A font without Chinese draws every ideograph as the same box.
        assert zheng != wu


def test_make_run_entry_starts_and_logs(tmp_path: Path) -> None:
    """`python main.py` starts the window on the demo config (offscreen here) and exits cleanly."""
    out = subprocess.run(
        [sys.executable, "main.py", "--size", "800x600", "--exit-after", "0.5"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "kiosk started: terminal DEMO-0001" in out.stderr
    assert "Traceback" not in out.stderr


def test_run_with_invalid_config_exits_2_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "t.toml"
    bad.write_text('terminal_id = "x"\n', encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "main.py", "--config", str(bad)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2
    assert "central: required" in out.stderr and "Traceback" not in out.stderr

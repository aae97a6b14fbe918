"""Issue 17 part 5: doctor applies central's rule to the terminal secret (hex, ≥ 16 bytes).

Before the fix doctor said `OK terminal secret 5 bytes` while every signed request would be
refused by the client and central alike.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kiosk.doctor import Level, run_checks

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "secret, level",
    [
        ("00" * 5, Level.FAIL),
        ("ab" * 15, Level.FAIL),
        ("ab" * 16, Level.OK),
        ("zz" * 16, Level.FAIL),
    ],
)
def test_secret_length_like_central(tmp_path: Path, secret: str, level: Level) -> None:
    shutil.copytree(ROOT / "config", tmp_path / "config")
    (tmp_path / "config" / "demo" / "terminal.secret").write_text(secret + "\n")
    row = next(
        r
        for r in run_checks(str(tmp_path / "config" / "terminal.toml"))
        if r.name == "terminal secret"
    )
    assert row.level is level, row
    if level is Level.FAIL and secret.startswith(("00", "ab")):
        assert "at least 16 bytes" in row.detail and "kiosk central terminal add" in row.fix

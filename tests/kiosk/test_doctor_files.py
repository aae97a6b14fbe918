"""Issue 21: missing key/secret files are FAIL lines in doctor and problems in `kiosk config check`.

Before: doctor's catalogue and central checks crashed (KeyFileError, CentralError) and logged
tracebacks; `kiosk config check` said ok while the files it names did not exist.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import resources
from kiosk.doctor import Level, run_checks


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """The demo config in a temp dir, with its catalogue key and terminal secret removed."""
    shutil.copytree(
        resources.DEFAULTS, tmp_path / "config", ignore=shutil.ignore_patterns("__pycache__")
    )
    (tmp_path / "config" / "demo" / "catalogue-demo.pub").unlink()
    (tmp_path / "config" / "demo" / "terminal.secret").unlink()
    return tmp_path / "config" / "terminal.toml"


def test_doctor_fails_in_one_line_without_traceback(
    broken: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    rows = {r.name: r for r in run_checks(str(broken))}
    assert rows["catalogue"].level is Level.FAIL
    assert "catalogue-demo.pub" in rows["catalogue"].detail
    assert "crashed" not in rows["catalogue"].detail
    assert rows["central"].level is Level.FAIL
    assert "terminal.secret" in rows["central"].detail and "crashed" not in rows["central"].detail
    assert not [r for r in caplog.records if r.exc_info], "a check logged a traceback"


def test_config_check_lists_missing_files(broken: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "kiosk", "config", "check", str(broken)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2, out
    assert "central.secret_file:" in out.stderr and "terminal.secret: file not found" in out.stderr
    assert "catalogue.trusted_keys[0].public_key_file:" in out.stderr
    assert "Traceback" not in out.stderr


def test_config_check_ok_on_the_demo() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "kiosk", "config", "check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ok: ")

"""`kiosk maintenance` from a shell: the out-of-service switch, PIN lockout state, audit log."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from kiosk.cli import main

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "config", tmp_path / "config")
    return tmp_path / "config" / "terminal.toml"


def test_pause_status_resume_and_audit(cfg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    flag = cfg.parent.parent / "var" / "admin" / "paused.json"
    assert main(["maintenance", "status", "--config", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert "DEMO-0001: in service" in out and "maintenance PIN: set, 0 wrong" in out
    assert main(["maintenance", "pause", "--config", str(cfg)]) == 0
    assert flag.exists() and "out of service" in capsys.readouterr().out
    assert main(["maintenance", "pause", "--config", str(cfg)]) == 0
    assert "already out of service" in capsys.readouterr().out
    assert main(["maintenance", "status", "--config", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert "OUT OF SERVICE since " in out and "out_of_service  outcome=ok by=cli:" in out
    assert main(["maintenance", "resume", "--config", str(cfg)]) == 0
    assert not flag.exists()
    capsys.readouterr()
    assert main(["maintenance", "audit", "--config", str(cfg), "--tail", "5"]) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [e["action"] for e in events] == ["out_of_service", "in_service"]


def test_status_shows_a_lockout(cfg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from kiosk import config
    from kiosk.admin.maintenance import MaintenanceMode

    mode = MaintenanceMode.from_config(config.load(cfg))
    for _ in range(5):
        mode.enter("0000")
    assert main(["maintenance", "status", "--config", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert (
        re.search(r"maintenance PIN: locked for 1[45] s after 5 wrong PINs", out)
        and "pin_wrong" in out
    )
    assert "0000" not in out

"""The `kiosk` command line: groups listed, usage errors exit 2, console script installed."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kiosk.cli import GROUPS, main


def test_help_lists_every_group(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for group in (
        "run",
        "config",
        "doctor",
        "card",
        "printer",
        "scanner",
        "catalogue",
        "outbox",
        "central",
    ):
        assert group in GROUPS and f"    {group}" in out


@pytest.mark.parametrize("argv", [["bogus"], [], ["config", "check", "a", "b"], ["run", "--nope"]])
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "usage: kiosk" in capsys.readouterr().err


def test_group_without_action_prints_its_help_and_exits_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["config"]) == 2
    assert "check" in capsys.readouterr().err


def test_python_m_kiosk_and_main_py_share_the_parser() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "kiosk", "config", "check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0 and out.stdout.startswith("ok: ")

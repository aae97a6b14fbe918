"""`kiosk card read|sam` exit codes and output; `kiosk sim idcard` stand-alone over pty and TCP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.sim.idcard import demo_card
from kiosk.cli import main

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("kind", ["mainland", "hk_mo_tw", "foreign_2017", "foreign_2023"])
def test_read_json_masked(kind: str, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["card", "read", "--device", f"sim://idcard?card={kind}", "--timeout", "2", "--json"])
    out, err = capsys.readouterr()
    assert rc == 0 and err == ""
    data = json.loads(out)
    card = demo_card(kind)
    assert data["card_type"] == kind and data["photo_bytes"] == 1024
    assert data["id_number"] != card.id_number and data["id_number"][-4:] == card.id_number[-4:]
    assert card.id_number not in out and card.display_name not in out


def test_read_unmasked(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["card", "read", "--device", "sim://idcard?card=mainland", "--json", "--unmasked"])
    data = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert data == {
        "card_type": "mainland",
        "name": "王小明",
        "sex": "男",
        "nation": "汉",
        "birth_date": "1991-01-01",
        "address": "陕西省安康市汉滨区兴安中路100号",
        "id_number": "610902199101010010",
        "authority": "安康市公安局汉滨分局",
        "valid_from": "2015-03-01",
        "valid_to": "2035-03-01",
        "photo_bytes": 1024,
        "check_digit_ok": True,
    }


def test_read_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["card", "read", "--device", "sim://idcard?card=mainland"]) == 0
    out = capsys.readouterr().out
    assert "姓名 name: 王**" in out and "号码 number: 6109**********0010" in out


def test_no_card_exit_3(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["card", "read", "--device", "sim://idcard", "--timeout", "0.3"]) == 3
    assert capsys.readouterr().err == "kiosk card read: no card presented within 0.3 s\n"


@pytest.mark.parametrize(
    ("url", "cause"),
    [
        ("sim://idcard?sam_fault=60&card=mainland", "SAM fault 0x60 (SAM self-test failed)"),
        ("sim://idcard?silence&card=mainland", "no reply to SAM_STATUS"),
        ("sim://idcard?noise=0.7&seed=2&card=mainland", "no "),
        ("sim://idcard?bogus=1", "unknown option(s) bogus"),
        ("/dev/ttyIDCARD-does-not-exist", "No such file or directory"),
    ],
)
def test_device_fault_exit_4_one_line(
    url: str, cause: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["card", "read", "--device", url, "--timeout", "0.5"]) == 4
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("kiosk card read: device fault: ")
    assert cause in captured.err and captured.err.count("\n") == 1
    assert "Traceback" not in captured.err


def test_read_fault_mid_read_exit_4(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "card",
                "read",
                "--device",
                "sim://idcard?card=mainland&drop_after=200",
                "--timeout",
                "1",
            ]
        )
        == 4
    )
    assert "no reply to READ_TEXT_PHOTO" in capsys.readouterr().err


def test_sam(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["card", "sam", "--device", "sim://idcard"]) == 0
    assert capsys.readouterr().out == (
        "SAM status: 0x90 success\nSAM id: 05.01-20190101-0012345678-1234567890\n"
    )
    assert main(["card", "sam", "--device", "sim://idcard?sam_fault=66"]) == 4
    assert "SAM fault 0x66 (SAM not authorised)" in capsys.readouterr().err


def test_usage_errors_exit_2() -> None:
    with pytest.raises(SystemExit) as info:
        main(["card", "read"])
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        main(["card", "read", "--device", "sim://idcard", "--baudrate", "1234"])
    assert info.value.code == 2


@pytest.fixture
def standalone() -> Iterator:
    procs: list[subprocess.Popen[str]] = []

    def start(*extra: str) -> tuple[subprocess.Popen[str], str]:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "sim", "idcard", *extra],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        procs.append(proc)
        url = proc.stdout.readline().strip()  # type: ignore[union-attr]
        return proc, url

    yield start
    for proc in procs:
        proc.kill()
        proc.communicate(timeout=5)


def _command(proc: subprocess.Popen[str], line: str) -> None:
    proc.stdin.write(line + "\n")  # type: ignore[union-attr]
    proc.stdin.flush()  # type: ignore[union-attr]
    assert proc.stderr.readline().startswith("ok ")  # type: ignore[union-attr]


def test_standalone_pty(standalone, capsys: pytest.CaptureFixture[str]) -> None:
    proc, url = standalone("--card", "hk_mo_tw")
    assert url.startswith("/dev/")
    proc.stderr.readline()  # banner
    assert main(["card", "read", "--device", url, "--json", "--timeout", "2"]) == 0
    assert json.loads(capsys.readouterr().out)["card_type"] == "hk_mo_tw"
    _command(proc, "remove")
    assert main(["card", "read", "--device", url, "--timeout", "0.3"]) == 3
    _command(proc, "insert foreign_2017")
    _command(proc, "sam_fault 60")
    assert main(["card", "read", "--device", url, "--timeout", "0.3"]) == 4
    _command(proc, "sam_fault none")
    assert main(["card", "read", "--device", url, "--json", "--timeout", "2"]) == 0
    assert json.loads(capsys.readouterr().out)["card_type"] == "foreign_2017"


def test_standalone_tcp(standalone, capsys: pytest.CaptureFixture[str]) -> None:
    proc, url = standalone("--tcp", "0", "--option", "pace_baud=115200")
    assert url.startswith("socket://127.0.0.1:")
    assert main(["card", "sam", "--device", url]) == 0
    assert "SAM id: 05.01-" in capsys.readouterr().out


def test_standalone_bad_option(standalone) -> None:
    proc, url = standalone("--option", "noise=lots")
    assert url == ""
    assert proc.wait(timeout=10) == 2
    assert "noise" in proc.stderr.read()  # type: ignore[union-attr]

"""`kiosk sscard read|status` and the doctor's sscard row (technicians), on the simulator."""

from __future__ import annotations

import json

import pytest

from kiosk import config as config_mod
from kiosk.cli import main
from kiosk.doctor import Level, check_sscard
from tests.kiosk.ui.harness import ROOT


def test_read_masks_unless_full(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sscard", "read", "--device", "sim://sscard", "--timeout", "1"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["id_number"] == "6109**********0010" and out["name"] == "王**"
    assert (out["region_code"], out["generation"], out["valid_until"]) == (
        "610900",
        "第三代",
        "2031-06-01",
    )
    assert main(["sscard", "read", "--device", "sim://sscard", "--full"]) == 0
    assert json.loads(capsys.readouterr().out)["id_number"] == "610902199101010010"


@pytest.mark.parametrize(
    "url, rc, text",
    [
        ("sim://sscard?card=out", 3, "no card"),
        ("sim://sscard?pin=1", 4, "PinRequiredError"),
        ("sim://sscard?app=missing", 4, "UnknownCardError"),
        ("sim://sscard?reader=out", 4, "NoReaderError"),
    ],
)
def test_read_failures_say_why(
    url: str, rc: int, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sscard", "read", "--device", url, "--timeout", "0.5"]) == rc
    assert text in capsys.readouterr().err


def test_status_and_doctor(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sscard", "status", "--device", "sim://sscard"]) == 0
    st = json.loads(capsys.readouterr().out)
    assert st["ok"] and st["card"] is True
    assert main(["sscard", "status", "--device", "sim://sscard?reader=out"]) == 4
    cfg = config_mod.load(ROOT / "config" / "terminal.toml")
    rows = list(check_sscard(cfg))
    assert rows[0].level is Level.OK and "no card" in rows[0].detail
    missing = cfg.model_copy(
        update={"sscard": cfg.sscard.model_copy(update={"url": "sim://sscard?reader=out"})}
    )
    row = list(check_sscard(missing))[0]
    assert (
        row.level is Level.FAIL
        and "NoReaderError" in row.detail
        and "kiosk sscard status" in row.fix
    )
    off = cfg.model_copy(update={"sscard": cfg.sscard.model_copy(update={"enabled": False})})
    assert list(check_sscard(off))[0].level is Level.WARN

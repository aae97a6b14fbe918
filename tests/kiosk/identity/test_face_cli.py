"""Technicians' commands and the doctor's camera row, on the simulated camera and real photos."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.config import load
from kiosk.doctor import Level, check_camera

ROOT = Path(__file__).resolve().parents[3]


def test_face_check_prints_one_verdict_per_image(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], astronaut_frame: object
) -> None:
    from PIL import Image

    from drivers.sim import faces

    good = tmp_path / "good.png"
    Image.fromarray(astronaut_frame).save(good)  # type: ignore[arg-type]
    cup = tmp_path / "cup.jpg"
    Image.fromarray(faces.load("coffee")).save(cup)
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"not an image")
    assert main(["face", "check", str(good), str(cup)]) == 1
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [(x["image"], x["ok"], x["problem"]) for x in lines] == [
        (str(good), True, None),
        (str(cup), False, "no_face"),
    ]
    assert main(["face", "check", str(good), str(junk)]) == 2
    out = capsys.readouterr().out.splitlines()
    assert json.loads(out[1])["error"].startswith("not a readable image")


def test_camera_status_and_snapshot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["camera", "status", "--device", "sim://camera?source=grace_hopper"]) == 0
    st = json.loads(capsys.readouterr().out)
    assert st["backend"] == "sim" and (st["width"], st["height"]) == (640, 480)
    assert st["verdict"]["ok"] and st["verdict"]["faces"] == 1
    out = tmp_path / "me.png"
    assert main(["camera", "snapshot", "--preview", str(out), "--device", "sim://camera"]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and out.read_bytes()[:4] == b"\x89PNG"
    assert main(["camera", "status", "--device", "sim://camera?missing=1"]) == 4
    assert "not plugged in" in capsys.readouterr().err


def test_snapshot_help_says_it_is_for_the_technicians_own_face(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["camera", "--help"])
    assert "TECHNICIAN'S OWN FACE" in capsys.readouterr().out.replace("\n", " ").replace("  ", " ")


def _cfg(tmp_path: Path, url: str) -> Path:
    cfg_dir = tmp_path / "config"
    shutil.copytree(ROOT / "config", cfg_dir)
    p = cfg_dir / "terminal.toml"
    p.write_text(
        p.read_text(encoding="utf-8").replace(
            'url = "sim://camera?source=astronaut"', f'url = "{url}"'
        ),
        encoding="utf-8",
    )
    return p


@pytest.mark.parametrize(
    ("url", "level", "words"),
    [
        ("sim://camera?source=astronaut", Level.OK, "640×480"),
        ("sim://camera?source=astronaut&light=0.1", Level.WARN, "very dark"),
        ("sim://camera?busy=1", Level.WARN, "face step"),
        ("/dev/videoNOSUCH", Level.FAIL, "USB cable"),
    ],
)
def test_doctor_camera_row(tmp_path: Path, url: str, level: Level, words: str) -> None:
    (row,) = list(check_camera(load(_cfg(tmp_path, url))))
    assert row.level is level
    assert words in row.detail + row.fix

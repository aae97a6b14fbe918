"""Issue 21: the wheel is self-contained and works installed into an empty venv outside the tree.

Before: the wheel held only .py files; installed, `kiosk doctor` could not read its config and
`kiosk run` died with FileNotFoundError: …/site-packages/assets/i18n/zh_CN.json.
"""

from __future__ import annotations

import ast
import email
import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from tests.appliance.conftest import ROOT, clean_env, make_venv, run

PACKAGES = ("kiosk", "drivers", "central")


@pytest.mark.timeout(900)  # builds (or installs) the artifacts it checks
def test_the_wheel_holds_the_package_data_and_metadata(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        (meta_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        meta = email.message_from_bytes(zf.read(meta_name))
        bundle = json.loads(zf.read("kiosk/defaults/catalogue/bundle.json"))
    for kv in (ROOT / "assets" / "kv").glob("*.kv"):
        assert f"kiosk/assets/kv/{kv.name}" in names
    for need in (
        "kiosk/assets/i18n/zh_CN.json",
        "kiosk/assets/i18n/en.json",
        "kiosk/defaults/terminal.toml",
        "kiosk/defaults/terminal.example.toml",
        "kiosk/defaults/demo/catalogue-demo.pub",
        "kiosk/defaults/demo/terminal.secret",
        "kiosk/resources.py",
        "central/app.py",
        "drivers/printer/__init__.py",
    ):
        assert need in names, need
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert not [n for n in names if n.startswith(("tests/", "bench/", "assets/", "config/"))]
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert bundle["signatures"] or bundle  # the signed default catalogue, as shipped
    assert meta["License-Expression"] == "Apache-2.0"
    assert meta["Requires-Python"] == ">=3.11"
    requires = meta.get_all("Requires-Dist")
    extra = {}
    for req in requires:
        name = (
            req.split(";")[0]
            .split(">")[0]
            .split("<")[0]
            .split("=")[0]
            .split("[")[0]
            .strip()
            .lower()
        )
        extra.setdefault(
            req.split("extra == ")[-1].strip('"') if "extra ==" in req else "", set()
        ).add(name)
    assert {"kivy", "fastapi", "uvicorn"}.isdisjoint(extra[""])
    assert {"urllib3", "requests", "pydantic", "cryptography"} <= extra[""]
    assert {"kivy", "qrcode", "pyserial", "python-escpos"} <= extra["terminal"]
    assert {"fastapi", "uvicorn"}.isdisjoint(extra["terminal"])
    assert {"fastapi", "uvicorn"} <= extra["central"] and "kivy" not in extra["central"]
    assert {"pytest", "ruff", "mypy"} <= extra["dev"]


def test_no_code_computes_paths_from_its_own_location() -> None:
    offenders = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Name) and node.id == "__file__":
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == [], "use kiosk.resources (importlib.resources) instead"


@pytest.mark.timeout(900)  # builds (or installs) the artifacts it checks
def test_doctor_all_ok_on_the_packaged_demo(installed: Path, home: Path) -> None:
    where = run(
        [
            str(installed / "bin" / "python"),
            "-c",
            "import kiosk, kiosk.resources as r; "
            "print(kiosk.__file__); print(r.DEFAULT_CONFIG); print(r.source_tree())",
        ],
        cwd=home,
        env=clean_env(home),
    ).stdout.split()
    assert where[0].startswith(str(installed)) and where[1].startswith(str(installed))
    assert where[2] == "None"
    out = subprocess.run(
        [str(installed / "bin" / "kiosk"), "doctor"],
        cwd=home,
        env=clean_env(home),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert out.returncode == 0, out.stdout + out.stderr[-3000:]
    rows = [line for line in out.stdout.splitlines() if line[:4] in ("OK  ", "WARN", "FAIL")]
    # A CI machine has no sound card: the voice rows say so (WARN, a real state, not a fault of
    # the install); everything else is OK.
    audio = ("sound card", "headphones")
    assert len(rows) >= 15, out.stdout
    assert all(
        r.startswith("OK ") or (r.startswith("WARN") and any(a in r for a in audio)) for r in rows
    ), out.stdout
    assert "Traceback" not in out.stderr
    assert f"{installed}/lib/" in out.stdout  # config and catalogue read from the installed copy


def test_kiosk_runs_offscreen_from_the_installed_copy(installed: Path, home: Path) -> None:
    out = subprocess.run(
        [str(installed / "bin" / "kiosk"), "run", "--exit-after", "3"],
        cwd=home,
        env=clean_env(home),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert "Traceback" not in out.stderr
    data = home / ".local" / "state" / "selfservice-kiosk"
    with Image.open(data / "screen.png") as img:  # the home screen rendered from packaged kv/i18n
        assert (
            img.size == (1080, 1920)
            and len(img.convert("L").getcolors(maxcolors=1 << 16) or ()) > 10
        )
    assert data.stat().st_mode & 0o777 == 0o700
    assert not list(installed.rglob("outbox.sqlite3")), "state written into site-packages"


@pytest.mark.timeout(900)  # builds (or installs) the artifacts it checks
def test_central_installs_without_kivy(wheel: Path, tmp_path: Path) -> None:
    venv = make_venv(tmp_path / "central", wheel, "central")
    py = str(venv / "bin" / "python")
    out = run(
        [
            py,
            "-c",
            "import importlib.util as u, central.app; "
            "print(u.find_spec('kivy') is None, u.find_spec('fastapi') is not None)",
        ],
        cwd=tmp_path,
    )
    assert out.stdout.split() == ["True", "True"]
    db = tmp_path / "central.sqlite3"
    out = run(
        [
            str(venv / "bin" / "kiosk"),
            "central",
            "terminal",
            "add",
            "--db",
            str(db),
            "--id",
            "T-0001",
        ],
        cwd=tmp_path,
        env=clean_env(tmp_path),
    )
    assert len(out.stdout.strip().split()[-1]) >= 32  # the new terminal's hex secret
    card = subprocess.run(
        [str(venv / "bin" / "kiosk"), "card", "status"],
        cwd=tmp_path,
        env=clean_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert card.returncode == 2 and "not installed here (serial is missing)" in card.stderr
    assert "Traceback" not in card.stderr

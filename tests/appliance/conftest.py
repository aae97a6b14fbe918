"""Artifacts of issue 21, built once per test session: the wheel, the wheelhouse, a fresh venv.

`make wheel wheelhouse` reuses dist/wheelhouse while pyproject.toml is unchanged (the first build
fills it from pip's cache in ~20 s); the fresh venv lives in a temp dir outside the checkout and
installs from those wheels only (--no-index), with Debian's /usr/bin/python3 as a terminal would.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from kiosk import resources

ROOT = resources.source_tree()
assert ROOT is not None, "the artifact tests build from a checkout"
DIST = ROOT / "dist"
SYSTEM_PYTHON = "/usr/bin/python3"


def run(cmd: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    """Run a command; on failure the assertion shows its output."""
    out = subprocess.run(cmd, capture_output=True, text=True, **kw)  # type: ignore[call-overload]
    assert out.returncode == 0, (
        f"{cmd} → {out.returncode}\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
    )
    return out


@pytest.fixture(scope="session")
def wheel() -> Path:
    """dist/selfservice_kiosk-VERSION-py3-none-any.whl, freshly built, plus dist/wheelhouse."""
    run(["make", "-s", "wheel", "wheelhouse"], cwd=ROOT, timeout=900)
    (found,) = DIST.glob("selfservice_kiosk-*.whl")
    return found


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a fresh login elsewhere: no venv, no display, no PYTHONPATH."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "VIRTUAL_ENV",
            "PYTHONPATH",
            "DISPLAY",
            "WAYLAND_DISPLAY",
            "SDL_VIDEODRIVER",
            "KIVY_HOME",
            "XDG_STATE_HOME",
            "KIOSK_DATA_DIR",
            "PYTHONHOME",
        )
    }
    env.update(
        HOME=str(home),
        TZ="Asia/Shanghai",
        KIVY_NO_ARGS="1",
        KIVY_NO_CONSOLELOG="1",
        PATH="/usr/local/bin:/usr/bin:/bin",
        **extra,
    )
    return env


def make_venv(where: Path, wheel: Path, extras: str) -> Path:
    """A new venv at `where` with the wheel and `extras` installed from dist only (no index)."""
    run([SYSTEM_PYTHON, "-m", "venv", str(where)], timeout=120)
    run(
        [
            str(where / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            "--no-index",
            "--find-links",
            str(DIST),
            "--find-links",
            str(DIST / "wheelhouse"),
            f"{wheel}[{extras}]",
        ],
        timeout=600,
        cwd=where,
    )
    return where


@pytest.fixture(scope="session")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv outside the checkout with selfservice-kiosk[terminal,central,face] from the wheel."""
    where = tmp_path_factory.mktemp("fresh") / "venv"
    assert not str(where).startswith(str(ROOT))
    return make_venv(where, wheel, "terminal,central,face")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An empty home directory for one run (the packaged demo keeps its data in ~/.local/state)."""
    (tmp_path / "home").mkdir()
    return tmp_path / "home"

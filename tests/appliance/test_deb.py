"""Issue 21: `make deb` packages, their contents, the hardened units, and a real apt install.

The install test uses this machine's apt and dpkg for real (CI runs as root on a throw-away
machine): a signed file:// repository made by deploy/debian/build-repo.sh with a GPG key made for
the test, `apt-get install`, an upgrade that must keep the outbox (and back it up), a rollback to
the older version and a purge that keeps /var/lib/kiosk. apt runs with its own source list, lists
and cache directories, so the machine's own apt state is not touched.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.appliance.conftest import DIST, ROOT, run

UNITS = ("kiosk.service", "kiosk-cage.service", "kiosk-central.service")
#: systemd-analyze security ceilings: central as the issue asks, the kiosk as far as a display
#: client with serial/USB/V4L2/DRM/sound devices allows (measured 1.5 / 1.7 / 1.1).
EXPOSURE = {"kiosk.service": 2.0, "kiosk-cage.service": 2.0, "kiosk-central.service": 4.5}


def build_debs(out: Path, revision: int) -> dict[str, Path]:
    """Both .debs of this checkout with Debian revision `revision`, in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, DEB_REVISION=str(revision))
    lines = run(
        [str(ROOT / "deploy" / "debian" / "build-deb.sh"), str(DIST), str(out)],
        cwd=ROOT,
        env=env,
        timeout=600,
    ).stdout.split()
    return {Path(p).name.split("_")[0]: Path(p) for p in lines}


@pytest.fixture(scope="module")
def debs(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build_debs(tmp_path_factory.mktemp("debs"), 1)


def deb_field(deb: Path, field: str) -> str:
    return run(["dpkg-deb", "-f", str(deb), field]).stdout.strip()


def deb_files(deb: Path) -> dict[str, str]:
    """path → 'mode owner/group' of every entry of the package's data."""
    rows = run(["dpkg-deb", "-c", str(deb)]).stdout.splitlines()
    return {r.split()[5].removeprefix("."): f"{r.split()[0]} {r.split()[1]}" for r in rows}


@pytest.mark.timeout(900)  # the first test builds the wheelhouse and the .debs
def test_terminal_package_contents(debs: dict[str, Path]) -> None:
    deb = debs["selfservice-kiosk"]
    files = deb_files(deb)
    assert files["/etc/kiosk/terminal.toml"] == "-rw-r----- root/root"
    assert (
        "/lib/systemd/system/kiosk.service" in files
        and "/lib/systemd/system/kiosk-cage.service" in files
    )
    assert files["/opt/selfservice-kiosk/bin/kiosk-x-session"].startswith("-rwxr-xr-x")
    wheels = [
        p for p in files if p.startswith("/opt/selfservice-kiosk/wheels/") and p.endswith(".whl")
    ]
    names = {Path(w).name.split("-")[0].lower() for w in wheels}
    assert {"selfservice_kiosk", "kivy", "pyserial", "python_escpos", "qrcode", "pycups"} <= names
    assert not {"fastapi", "uvicorn", "starlette"} & names, "a terminal needs no central service"
    assert not [p for p in files if "/venv" in p], "the venv is built on the box, not shipped"
    depends = deb_field(deb, "Depends")
    for need in (
        "python3 (>= 3.11)",
        "python3-venv",
        "fonts-wqy-microhei",
        "libgl1-mesa-dri",
        "libegl1",
        "libcups2",
        "libusb-1.0-0",
    ):
        assert need in depends
    info = run(["dpkg-deb", "-I", str(deb)]).stdout
    assert re.search(r"\bconffiles\b", info) and all(
        s in info for s in ("postinst", "prerm", "postrm")
    )
    conffiles = subprocess.run(
        ["dpkg-deb", "--info", str(deb), "conffiles"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert conffiles == ["/etc/kiosk/terminal.toml"]


def test_central_package_contents(debs: dict[str, Path]) -> None:
    deb = debs["selfservice-kiosk-central"]
    files = deb_files(deb)
    assert "/lib/systemd/system/kiosk-central.service" in files
    assert "/etc/default/kiosk-central" in files
    names = {Path(p).name.split("-")[0].lower() for p in files if p.endswith(".whl")}
    assert {"selfservice_kiosk", "fastapi", "uvicorn"} <= names
    assert not {"kivy", "pyserial", "python_escpos", "pycups"} & names, "central needs no Kivy"


@pytest.mark.parametrize("unit", UNITS)
def test_unit_exposure(unit: str) -> None:
    out = run(["systemd-analyze", "security", "--offline=yes", str(ROOT / "deploy" / unit)])
    score = float(re.search(r"Overall exposure level for \S+: ([0-9.]+)", out.stdout)[1])  # type: ignore[index]
    assert score <= EXPOSURE[unit], out.stdout[-2500:]
    text = (ROOT / "deploy" / unit).read_text(encoding="utf-8")
    for need in (
        "StateDirectory=",
        "ConfigurationDirectory=",
        "LogsDirectory=",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "NoNewPrivileges=yes",
        "PrivateTmp=yes",
    ):
        assert need in text, (unit, need)
    if unit != "kiosk-central.service":
        assert "WatchdogSec=30" in text and "DevicePolicy=closed" in text
        assert re.search(r"SupplementaryGroups=.*\bdialout\b.*\blp\b.*\bvideo\b.*\baudio\b", text)


# --- the real install from a signed apt repository ------------------------------------------


@pytest.fixture
def machine_lock() -> Iterator[None]:
    """One package install test at a time on this machine (several checkouts may run tests)."""
    with open("/run/lock/selfservice-kiosk-deb-test.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield


class Apt:
    """apt-get/apt-cache with a private source list, lists and cache (the machine's untouched)."""

    def __init__(self, tmp: Path, repo: Path, keyring: Path) -> None:
        for d in ("lists/partial", "cache/archives/partial", "parts", "prefs"):
            (tmp / d).mkdir(parents=True, exist_ok=True)
        (tmp / "sources.list").write_text(
            f"deb [signed-by={keyring}] file://{repo} stable main\n", encoding="ascii"
        )
        self.opts = [
            "-o",
            f"Dir::Etc::SourceList={tmp / 'sources.list'}",
            "-o",
            f"Dir::Etc::SourceParts={tmp / 'parts'}",
            "-o",
            f"Dir::Etc::PreferencesParts={tmp / 'prefs'}",
            "-o",
            f"Dir::State::Lists={tmp / 'lists'}",
            "-o",
            f"Dir::Cache={tmp / 'cache'}",
            "-o",
            "APT::Sandbox::User=root",
            "-o",
            "DPkg::Lock::Timeout=600",
            "-q",
        ]
        self.env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")

    def __call__(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        out = subprocess.run(
            ["apt-get", *self.opts, *args],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=900,
        )
        if check:
            assert out.returncode == 0, (
                f"apt-get {args}: {out.stdout[-3000:]}\n{out.stderr[-3000:]}"
            )
        return out


def make_repo(debs: dict[str, Path], gnupg: Path) -> Path:
    """deploy/debian/build-repo.sh over the .debs' folder; returns the repository folder."""
    where = next(iter(debs.values())).parent
    env = dict(os.environ, REPO_GNUPGHOME=str(gnupg))
    run(
        [str(ROOT / "deploy" / "debian" / "build-repo.sh"), str(where)],
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    return where / "apt"


def installed_version(pkg: str) -> str:
    out = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status} ${Version}", pkg], capture_output=True, text=True
    )
    return out.stdout.split()[-1] if out.stdout.startswith("install ok installed") else ""


def as_kiosk(*cmd: str) -> subprocess.CompletedProcess[str]:
    return run(["runuser", "-u", "kiosk", "--", *cmd], cwd="/", timeout=120)


ENQUEUE = (
    "from kiosk.config import load; from kiosk.outbox.queue import Outbox; "
    "box = Outbox.from_config(load('/etc/kiosk/terminal.toml')); "
    "box.enqueue('rating', {'case_no': 'UPGRADE-TEST', 'score': 5}); print(box.depth())"
)


def pending(status: str) -> int:
    return int(re.search(r"pending\s+\d+\s+\d+\s+(\d+)", status)[1])  # type: ignore[index]


@pytest.mark.timeout(1200)
def test_install_upgrade_rollback_from_a_signed_repo(
    debs: dict[str, Path], tmp_path: Path, machine_lock: None
) -> None:
    assert os.geteuid() == 0, "the package test installs for real: CI runs as root"
    assert installed_version("selfservice-kiosk") == "", "selfservice-kiosk already installed here"
    shutil.rmtree("/var/lib/kiosk", ignore_errors=True)
    gnupg = tmp_path / "gnupg"
    repo = make_repo(debs, gnupg)
    apt = Apt(tmp_path / "apt", repo, repo / "selfservice-kiosk.gpg")
    try:
        # A repository signed by another key is refused.
        other = Apt(tmp_path / "apt-other", repo, tmp_path / "other.gpg")
        (tmp_path / "gnupg-other").mkdir(mode=0o700)
        run(
            [
                "gpg",
                "--batch",
                "--quiet",
                "--passphrase",
                "",
                "--quick-gen-key",
                "other <x@example.org>",
                "ed25519",
                "sign",
                "1d",
            ],
            env=dict(os.environ, GNUPGHOME=str(tmp_path / "gnupg-other")),
        )
        run(
            [
                "bash",
                "-c",
                f"GNUPGHOME={tmp_path / 'gnupg-other'} gpg --export > {tmp_path / 'other.gpg'}",
            ]
        )
        refused = other("update", check=False)
        assert "NO_PUBKEY" in refused.stdout + refused.stderr or "not signed" in refused.stderr
        assert (
            other(
                "install", "-y", "--no-install-recommends", "selfservice-kiosk", check=False
            ).returncode
            != 0
        )

        apt("update")
        apt("install", "-y", "--no-install-recommends", "selfservice-kiosk")
        assert installed_version("selfservice-kiosk") == "0.1.0-1"
        venv = Path("/opt/selfservice-kiosk/venv")
        assert os.readlink(venv) == "venv-0.1.0-1"
        assert "home = /usr/bin" in (venv / "pyvenv.cfg").read_text()
        assert not list(venv.glob("lib/python3*/site-packages/__editable__*")), (
            "must not be editable"
        )
        groups = run(["id", "-nG", "kiosk"]).stdout.split()
        assert {"kiosk", "dialout", "lp", "video", "audio"} <= set(groups)
        st = os.stat("/var/lib/kiosk")
        assert st.st_mode & 0o777 == 0o700 and st.st_uid == int(run(["id", "-u", "kiosk"]).stdout)
        # The conffile is the documented example; config check names what the technician must add.
        assert (
            Path("/etc/kiosk/terminal.toml").read_text()
            == (ROOT / "config" / "terminal.example.toml").read_text()
        )
        check = subprocess.run(
            ["/usr/bin/kiosk", "config", "check", "/etc/kiosk/terminal.toml"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert (
            check.returncode == 2 and "/etc/kiosk/terminal.secret: file not found" in check.stderr
        )
        for unit in ("kiosk.service", "kiosk-cage.service"):
            out = subprocess.run(
                ["systemd-analyze", "verify", f"/lib/systemd/system/{unit}"],
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert out.returncode == 0 and unit not in out.stderr, out.stderr

        # Work in flight: a pending row in the outbox and a technician's edit of the conffile.
        assert as_kiosk(str(venv / "bin" / "python"), "-c", ENQUEUE).stdout.strip() == "1"
        conf = Path("/etc/kiosk/terminal.toml")
        conf.write_text(
            conf.read_text().replace(
                'terminal_id = "HZ-SMZX-24H-03"', 'terminal_id = "HZ-EDITED-01"'
            )
        )

        # Upgrade to revision 2 through the repository.
        build_debs(next(iter(debs.values())).parent, 2)
        make_repo(debs, gnupg)
        apt("update")
        apt("install", "-y", "--no-install-recommends", "selfservice-kiosk")
        assert installed_version("selfservice-kiosk") == "0.1.0-2"
        assert (
            os.readlink(venv) == "venv-0.1.0-2"
            and not Path("/opt/selfservice-kiosk/venv-0.1.0-1").exists()
        )
        assert 'terminal_id = "HZ-EDITED-01"' in conf.read_text(), "the conffile edit survives"
        status = as_kiosk("/usr/bin/kiosk", "outbox", "status", "--config", str(conf)).stdout
        assert pending(status) == 1, status
        (backup,) = Path("/var/lib/kiosk/backup").glob("outbox-0.1.0-1-*.sqlite3")
        assert backup.stat().st_mode & 0o777 == 0o600
        with sqlite3.connect(backup) as db:
            assert db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 1

        # Roll back to the version before, from the same repository (the pool keeps it).
        apt(
            "install",
            "-y",
            "--no-install-recommends",
            "--allow-downgrades",
            "selfservice-kiosk=0.1.0-1",
        )
        assert installed_version("selfservice-kiosk") == "0.1.0-1"
        status = as_kiosk("/usr/bin/kiosk", "outbox", "status", "--config", str(conf)).stdout
        assert pending(status) == 1, status

        # Purge: the program goes, the state (outbox) stays for the technician to deal with.
        apt("purge", "-y", "selfservice-kiosk")
        assert installed_version("selfservice-kiosk") == ""
        assert not Path("/opt/selfservice-kiosk/venv").exists() and not conf.exists()
        assert Path("/var/lib/kiosk/outbox.sqlite3").exists()
    finally:
        # Whatever state a failure left (even half-configured): purged, so dpkg stays usable.
        if (
            subprocess.run(
                ["dpkg-query", "-W", "selfservice-kiosk"], capture_output=True
            ).returncode
            == 0
        ):
            subprocess.run(
                ["dpkg", "--purge", "--force-all", "selfservice-kiosk"],
                capture_output=True,
                timeout=300,
            )
        shutil.rmtree("/var/lib/kiosk", ignore_errors=True)
        shutil.rmtree("/opt/selfservice-kiosk", ignore_errors=True)
        for home in (gnupg, tmp_path / "gnupg-other"):
            subprocess.run(
                ["gpgconf", "--kill", "gpg-agent"],
                env=dict(os.environ, GNUPGHOME=str(home)),
                capture_output=True,
            )

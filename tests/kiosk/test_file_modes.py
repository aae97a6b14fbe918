"""Issue 17 part 3: the data directory is 0700 and every file in it 0600 (outbox and its
WAL/SHM, logs, catalogue), whatever umask the service starts with; `kiosk config set-pin`
keeps the config file's mode and owner; doctor lists anything looser.

Before the fix a fresh `kiosk run` left the data dir 0755 with kiosk.log and active.json 0644,
and set-pin turned a 0640 config into 0644.
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.admin.filemodes import loose_paths, secure_data_dir
from kiosk.cli import main
from kiosk.doctor import Level, run_checks

ROOT = Path(__file__).resolve().parents[2]


def demo_copy(tmp_path: Path) -> Path:
    cfg_dir = tmp_path / "config"
    shutil.copytree(ROOT / "config", cfg_dir)
    return cfg_dir / "terminal.toml"


def modes(root: Path) -> dict[str, str]:
    out = {".": oct(root.stat().st_mode & 0o777)}
    for p in root.rglob("*"):
        if not p.is_symlink():
            out[str(p.relative_to(root))] = oct(p.stat().st_mode & 0o777)
    return out


def test_fresh_kiosk_run_under_umask_022_leaves_only_private_files(tmp_path: Path) -> None:
    cfg = demo_copy(tmp_path)
    data = tmp_path / "var"
    assert not data.exists()
    out = subprocess.run(
        [
            sys.executable,
            "main.py",
            "--config",
            str(cfg),
            "--size",
            "800x600",
            "--exit-after",
            "1.5",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: os.umask(0o022),
    )
    assert out.returncode == 0, out.stderr[-2000:]
    found = modes(data)
    assert (data / "log" / "kiosk.log").exists() and (data / "catalogue" / "active.json").exists()
    wrong = {p: m for p, m in found.items() if m != ("0o700" if (data / p).is_dir() else "0o600")}
    assert wrong == {}


def test_start_tightens_what_an_older_version_left(tmp_path: Path) -> None:
    data = tmp_path / "var"
    (data / "log").mkdir(parents=True)
    (data / "log" / "kiosk.log").write_text("x")
    os.chmod(data, 0o755)
    os.chmod(data / "log", 0o755)
    os.chmod(data / "log" / "kiosk.log", 0o644)
    os.symlink("/etc/hostname", data / "link")  # symlinks are not followed or changed
    assert {p for p, _ in loose_paths(data)} == {data, data / "log", data / "log" / "kiosk.log"}
    assert secure_data_dir(data) == 3
    assert loose_paths(data) == []
    assert oct(os.stat("/etc/hostname").st_mode & 0o777) != "0o600"


def test_doctor_lists_loose_files(tmp_path: Path) -> None:
    cfg = demo_copy(tmp_path)
    data = tmp_path / "var"
    secure_data_dir(data)
    row = next(r for r in run_checks(str(cfg)) if r.name == "file modes")
    assert row.level is Level.OK
    (data / "outbox.sqlite3-wal").write_bytes(b"")
    os.chmod(data / "outbox.sqlite3-wal", 0o644)
    row = next(r for r in run_checks(str(cfg)) if r.name == "file modes")
    assert row.level is Level.WARN  # the demo config; FAIL in production
    assert "outbox.sqlite3-wal 0644" in row.detail and "chmod -R go-rwx" in row.fix


def test_set_pin_keeps_mode_owner_and_comments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = demo_copy(tmp_path)
    os.chmod(cfg, 0o640)
    os.chown(cfg, 1234, 1234)  # the suite runs as root (like CI): a kiosk user's file
    old = os.umask(0o022)
    try:
        monkeypatch.setattr("sys.stdin", io.StringIO("24680\n"))
        assert main(["config", "set-pin", str(cfg), "--pin-stdin"]) == 0
    finally:
        os.umask(old)
    st = cfg.stat()
    assert stat.S_IMODE(st.st_mode) == 0o640 and (st.st_uid, st.st_gid) == (1234, 1234)
    text = cfg.read_text(encoding="utf-8")
    assert "admin_pin_hash" in text and text.count("admin_pin_hash =") == 1
    assert not list(cfg.parent.glob(".terminal.toml.*"))  # no temp file left behind


def test_set_pin_works_on_any_valid_toml_layout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The old line-based edit broke on a dotted key or a key after an inline comment."""
    import tomllib

    from kiosk.commands.config import write_pin_hash

    text = (
        'admin_pin_hash = "old"  # set by the installer\n'
        'central.url = "https://x"\n[printer]\nurl = "sim://printer"\n'
    )
    out = write_pin_hash(text, "scrypt$new")
    data = tomllib.loads(out)
    assert data["admin_pin_hash"] == "scrypt$new" and data["central"]["url"] == "https://x"
    assert "# set by the installer" in out

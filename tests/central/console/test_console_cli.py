"""`kiosk central staff add|list|disable`: password from stdin, stored only as an argon2id hash."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path


def _kiosk(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "central", "staff", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_add_list_disable(tmp_path: Path) -> None:
    db = tmp_path / "central.sqlite3"
    r = _kiosk("add", "li.ming", "--role", "rating", "--db", str(db), stdin="a long password 1\n")
    assert r.returncode == 0, r.stderr
    assert "li.ming: rating (好差评专员)" in r.stdout
    (hash_,) = sqlite3.connect(db).execute("SELECT password_hash FROM console_staff").fetchone()
    assert hash_.startswith("$argon2id$")
    assert b"a long password 1" not in db.read_bytes()
    r = _kiosk("add", "li.ming", "--role", "viewer", "--db", str(db), stdin="another password\n")
    assert r.returncode == 1 and "account exists" in r.stderr
    r = _kiosk("add", "zhao", "--role", "viewer", "--db", str(db), stdin="short\n")
    assert r.returncode == 1 and "at least 10" in r.stderr
    assert _kiosk("list", "--db", str(db)).stdout.splitlines() == [
        "li.ming\trating\tenabled\tfailed=0"
    ]
    r = _kiosk("disable", "li.ming", "--db", str(db))
    assert r.returncode == 0 and "disabled" in r.stdout
    assert "li.ming\trating\tdisabled" in _kiosk("list", "--db", str(db)).stdout

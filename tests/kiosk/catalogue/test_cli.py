"""`kiosk catalogue …` end to end: real files, exit codes, reasons, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kiosk.cli import main

from .conftest import BUNDLE, DEMO_PUB, ROOT, SOURCE


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["catalogue", *map(str, argv)])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


@pytest.fixture
def keys(tmp_path: Path, capsys) -> tuple[Path, Path]:
    code, out, _ = run(capsys, "keygen", "--out", tmp_path / "staff")
    assert code == 0 and "0600" in out
    return tmp_path / "staff.key", tmp_path / "staff.pub"


def sign(capsys, tmp_path: Path, keys, version: int, *extra: str, source: Path = SOURCE) -> Path:
    out = tmp_path / f"v{version}.json"
    code, stdout, err = run(
        capsys,
        "sign",
        source,
        "--key",
        keys[0],
        "--key-id",
        "city-2026a",
        "--version",
        version,
        "--out",
        out,
        *extra,
    )
    assert code == 0, err
    assert f"version {version}, 26 items" in stdout
    return out


def test_keygen_refuses_to_overwrite(tmp_path, keys, capsys) -> None:
    code, _, err = run(capsys, "keygen", "--out", tmp_path / "staff")
    assert code == 1 and "already exists" in err


def test_sign_verify_install_show(tmp_path, keys, capsys) -> None:
    v1 = sign(capsys, tmp_path, keys, 1)
    code, out, _ = run(capsys, "verify", v1, "--trust", keys[1])
    assert code == 0 and out.startswith(f"ok: {v1}: version 1, 26 items, signed by city-2026a")
    store = tmp_path / "store"
    code, out, _ = run(capsys, "install", v1, "--store", store, "--trust", keys[1])
    assert code == 0 and "installed version 1" in out
    code, _, err = run(capsys, "install", v1, "--store", store, "--trust", keys[1])
    assert code == 1 and err.startswith(
        "error: not newer: version 1 is not newer than the active version 1"
    )
    v2 = sign(capsys, tmp_path, keys, 2)
    code, out, _ = run(capsys, "install", v2, "--store", store, "--trust", f"city-2026a={keys[1]}")
    assert code == 0 and "previous version 1 kept as last good" in out
    code, out, _ = run(capsys, "show", "--store", store)
    assert code == 0 and "version 2" in out
    for code_ in ("RS-0101", "SC-0501", "RX-1101"):
        assert code_ in out
    assert "营业执照自助打印" in out and "差评 reason tags: 操作不便" in out


def test_verify_reasons(tmp_path, keys, capsys) -> None:
    v1 = sign(capsys, tmp_path, keys, 1)
    code, _, err = run(capsys, "verify", v1, "--trust", DEMO_PUB)
    assert code == 1 and err.startswith("error: bad signature:")
    code, _, err = run(capsys, "verify", v1, "--trust", f"demo-2026={DEMO_PUB}")
    assert code == 1 and err.startswith("error: unknown key: signed by 'city-2026a'")
    torn = tmp_path / "torn.json"
    torn.write_bytes(v1.read_bytes()[:5000])
    code, _, err = run(capsys, "verify", torn, "--trust", keys[1])
    assert code == 1 and err.startswith("error: truncated:")
    tampered = tmp_path / "tampered.json"
    tampered.write_text(
        v1.read_text(encoding="utf-8").replace("市医疗保障局", "市医疗保障厅"), encoding="utf-8"
    )
    code, _, err = run(capsys, "verify", tampered, "--trust", keys[1])
    assert code == 1 and "bad signature" in err
    code, _, err = run(capsys, "verify", tmp_path / "missing.json", "--trust", keys[1])
    assert code == 1 and "cannot read" in err
    code, _, err = run(capsys, "verify", v1)
    assert code == 1 and "--trust" in err


def test_verify_expired(tmp_path, keys, capsys) -> None:
    old = sign(
        capsys,
        tmp_path,
        keys,
        3,
        "--issued-at",
        "2020-01-01T00:00:00+08:00",
        "--expires",
        "2021-01-01",
    )
    code, _, err = run(capsys, "verify", old, "--trust", keys[1])
    assert code == 1 and err.startswith(
        "error: expired: catalogue version 3 expired at 2021-01-01T00:00:00+08:00"
    )


def test_sign_refuses_an_invalid_source(tmp_path, keys, capsys) -> None:
    data = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    data["items"][3]["fields"][1]["type"] = "phon"
    data["items"][5]["order"] = 10
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code, _, err = run(
        capsys,
        "sign",
        bad,
        "--key",
        keys[0],
        "--key-id",
        "k",
        "--version",
        1,
        "--out",
        tmp_path / "x.json",
    )
    assert code == 1
    assert err.splitlines() == [
        "error: invalid catalogue:",
        "  items[3].fields[1].type: unknown type 'phon' (one of text, number, phone, date, choice, "
        "id_number, uscc, case_no)",
        "  items[5].order: duplicate order 10 (also items[0])",
    ]
    assert not (tmp_path / "x.json").exists()


def test_sign_refuses_a_layout_line_central_never_fills(tmp_path, keys, capsys) -> None:
    """Staff learn at sign time, not from a citizen's receipt with the line missing."""
    data = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    data["items"][0]["receipt"]["lines"].insert(
        5, {"label_zh": "验证码", "label_en": "Check code", "ref": "result.verify_code"}
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code, _, err = run(
        capsys,
        "sign",
        bad,
        "--key",
        keys[0],
        "--key-id",
        "k",
        "--version",
        2,
        "--out",
        tmp_path / "x.json",
    )
    assert (code, err.splitlines()) == (
        1,
        [
            "error: invalid catalogue:",
            "  items[0].receipt.lines[5].ref: item RS-0101, line 6 '验证码': result.verify_code is not a "
            "value central sends for items of kind print, so it would never print (allowed: "
            "result.period, result.status)",
        ],
    )
    assert not (tmp_path / "x.json").exists()


def test_sign_json_source_with_two_keys(tmp_path, keys, capsys) -> None:
    run(capsys, "keygen", "--out", tmp_path / "next")
    src = tmp_path / "cat.json"
    src.write_text(
        json.dumps(yaml.safe_load(SOURCE.read_text(encoding="utf-8")), ensure_ascii=False)
    )
    out = tmp_path / "both.json"
    code, _, err = run(
        capsys,
        "sign",
        src,
        "--key",
        keys[0],
        "--key-id",
        "city-2026a",
        "--key",
        tmp_path / "next.key",
        "--key-id",
        "city-2027a",
        "--version",
        4,
        "--expires",
        "2030-01-01T00:00:00+08:00",
        "--out",
        out,
    )
    assert code == 0, err
    assert [s["key_id"] for s in json.loads(out.read_text())["signatures"]] == [
        "city-2026a",
        "city-2027a",
    ]
    code, out_, _ = run(capsys, "verify", out, "--trust", tmp_path / "next.pub")
    assert code == 0 and "signed by city-2027a" in out_
    code, _, err = run(
        capsys,
        "sign",
        src,
        "--key",
        keys[0],
        "--key-id",
        "a",
        "--key-id",
        "b",
        "--version",
        1,
        "--out",
        out,
    )
    assert code == 1 and "one --key-id for each --key" in err


def test_show_bundle_without_and_with_trust(capsys) -> None:
    code, out, _ = run(capsys, "show", "--bundle", BUNDLE)
    assert code == 0 and "signature NOT checked" in out and len(out.splitlines()) == 26 + 3
    code, out, _ = run(capsys, "show", "--bundle", BUNDLE, "--trust", DEMO_PUB)
    assert code == 0 and "signature ok: demo-2026" in out


def test_show_empty_store(tmp_path, capsys) -> None:
    code, out, _ = run(capsys, "show", "--store", tmp_path / "empty")
    assert code == 1 and "empty" in out


def test_real_entry_point_verifies_shipped_bundle_with_demo_config() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk",
            "catalogue",
            "verify",
            str(BUNDLE),
            "--config",
            str(ROOT / "config" / "terminal.toml"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    assert proc.returncode == 0, proc.stderr
    assert "version 1, 26 items, signed by demo-2026" in proc.stdout


def _terminal_toml(tmp_path: Path, allow_demo: bool) -> Path:
    (tmp_path / "keys").mkdir(exist_ok=True)
    (tmp_path / "keys" / "demo.pub").write_bytes(DEMO_PUB.read_bytes())
    cfg = tmp_path / f"terminal-{allow_demo}.toml"
    cfg.write_text(
        f"""
terminal_id = "T-0001"
hall_name = "测试大厅"
region_code = "610900"
data_dir = "data"
[central]
url = "https://central.example"
secret_file = "secret"
[idcard]
url = "loop://"
[printer]
url = "loop://"
[scanner]
url = "loop://"
[catalogue]
allow_demo_keys = {str(allow_demo).lower()}
trusted_keys = [ {{ key_id = "demo-2026", public_key_file = "keys/demo.pub", demo = true }} ]
""",
        encoding="utf-8",
    )
    return cfg


def test_install_and_show_with_a_terminal_config(tmp_path, capsys) -> None:
    cfg = _terminal_toml(tmp_path, allow_demo=True)
    code, out, err = run(capsys, "install", BUNDLE, "--config", cfg)
    assert code == 0, err
    assert "first catalogue in this store" in out
    assert (tmp_path / "data" / "catalogue" / "active.json").read_bytes() == BUNDLE.read_bytes()
    code, out, _ = run(capsys, "show", "--config", cfg)
    assert code == 0 and "version 1" in out and "RX-1101" in out


def test_production_config_refuses_the_demo_key(tmp_path, capsys) -> None:
    cfg = _terminal_toml(tmp_path, allow_demo=False)
    code, _, err = run(capsys, "verify", BUNDLE, "--config", cfg)
    assert code == 1 and err.startswith(
        "error: unknown key: signed by 'demo-2026', none of which is trusted here (trusted: none)"
    )
    code, _, err = run(capsys, "install", BUNDLE, "--config", cfg)
    assert code == 1 and "unknown key" in err
    assert not (tmp_path / "data" / "catalogue" / "active.json").exists()

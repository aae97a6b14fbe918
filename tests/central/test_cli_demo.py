"""`kiosk central` CLI (terminal/token/trust/publish) and the embedded demo sandbox."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from central.demo import start_embedded
from central.server import run_in_thread
from central.storage import Storage, hash_token
from kiosk import central_api as api
from kiosk import config
from kiosk.cli import main
from tests.central.conftest import bundle_bytes


def _pem(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def test_terminal_add_prints_secret_and_it_signs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "c.sqlite3"
    assert main(["central", "terminal", "add", "--db", str(db), "--id", "HALL-07"]) == 0
    secret = bytes.fromhex(capsys.readouterr().out.strip())
    assert len(secret) == 32 and Storage(db).terminal_secret("HALL-07") == secret
    fixed = "ab" * 16
    assert (
        main(["central", "terminal", "add", "--db", str(db), "--id", "HALL-08", "--secret", fixed])
        == 0
    )
    assert capsys.readouterr().out.strip() == fixed
    assert (
        main(["central", "terminal", "add", "--db", str(db), "--id", "x", "--secret", fixed]) == 1
    )
    assert "--id" in capsys.readouterr().err
    assert (
        main(["central", "terminal", "add", "--db", str(db), "--id", "HALL-09", "--secret", "zz"])
        == 1
    )
    assert "hexadecimal" in capsys.readouterr().err


def test_token_add_stores_only_a_hash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "c.sqlite3"
    assert main(["central", "token", "add", "--db", str(db), "--name", "王工"]) == 0
    token = capsys.readouterr().out.strip()
    assert len(token) >= 40
    store = Storage(db)
    assert store.token_name(token) == "王工" and store.token_name(token + "x") is None
    store.close()
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("c.sqlite3*"))
    assert token.encode() not in stored
    assert hash_token(token).encode() in stored


def test_trust_add_and_publish_end_to_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "c.sqlite3"
    key = Ed25519PrivateKey.generate()
    (tmp_path / "k.pub").write_bytes(_pem(key))
    assert (
        main(
            [
                "central",
                "trust",
                "add",
                "--db",
                str(db),
                "--key-id",
                "test-2026",
                "--public-key",
                str(tmp_path / "k.pub"),
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "central",
                "trust",
                "add",
                "--db",
                str(db),
                "--key-id",
                "x",
                "--public-key",
                str(tmp_path / "missing.pub"),
            ]
        )
        == 1
    )
    assert main(["central", "token", "add", "--db", str(db), "--name", "staff"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    (tmp_path / "b3.json").write_bytes(bundle_bytes(key, 3))
    with run_in_thread(db) as handle:
        argv = ["central", "publish", str(tmp_path / "b3.json"), "--url", handle.url]
        assert main([*argv, "--token", token]) == 0
        assert "published catalogue version 3 (3 items" in capsys.readouterr().out
        assert main([*argv, "--token", token]) == 1
        err = capsys.readouterr().err
        assert "version_not_newer" in err and "raise the catalogue version" in err
        assert main([*argv, "--token", "nope"]) == 1
        assert "refused the staff token (401" in capsys.readouterr().err
        (tmp_path / "rogue.json").write_bytes(bundle_bytes(Ed25519PrivateKey.generate(), 9))
        assert (
            main(
                [
                    "central",
                    "publish",
                    str(tmp_path / "rogue.json"),
                    "--url",
                    handle.url,
                    "--token",
                    token,
                ]
            )
            == 1
        )
        assert "bundle rejected" in capsys.readouterr().err


def test_publish_network_failure_is_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as s:  # a port with nobody listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    (tmp_path / "b.json").write_text("{}")
    assert (
        main(
            [
                "central",
                "publish",
                str(tmp_path / "b.json"),
                "--url",
                f"http://127.0.0.1:{port}",
                "--token",
                "t",
            ]
        )
        == 1
    )
    err = capsys.readouterr().err
    assert "cannot reach the central service" in err and "Traceback" not in err
    assert (
        main(
            ["central", "publish", str(tmp_path / "none.json"), "--url", "http://x", "--token", "t"]
        )
        == 1
    )
    assert "cannot read the bundle" in capsys.readouterr().err


def test_embedded_demo_sandbox(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "demo.pub").write_bytes(_pem(key))
    (tmp_path / "demo" / "terminal.secret").write_text("cd" * 32 + "\n")
    (tmp_path / "catalogue").mkdir()
    (tmp_path / "catalogue" / "bundle.json").write_bytes(bundle_bytes(key, 7, key_id="demo-2026"))
    cfg = config.parse(
        {
            "terminal_id": "DEMO-0001",
            "hall_name": "示范",
            "region_code": "610900",
            "demo": True,
            "central": {"url": "embedded", "secret_file": "demo/terminal.secret"},
            "idcard": {"url": "sim://idcard"},
            "printer": {"url": "sim://printer"},
            "scanner": {"url": "sim://scanner"},
            "catalogue": {
                "default_bundle": "catalogue/bundle.json",
                "allow_demo_keys": True,
                "trusted_keys": [
                    {"key_id": "demo-2026", "public_key_file": "demo/demo.pub", "demo": True}
                ],
            },
        },
        tmp_path / "terminal.toml",
    )
    handle = start_embedded(cfg)
    db_dir = Path(handle.app.state.service.store.path).parent
    try:
        assert handle.url.startswith("http://127.0.0.1:")
        body = json.dumps(
            {
                "devices": {},
                "catalogue_version": 0,
                "outbox_depth": 0,
                "app_version": "demo",
                "uptime_s": 1,
            }
        ).encode()
        hdrs = api.signed_headers(
            "DEMO-0001", bytes.fromhex("cd" * 32), "POST", "/v1/heartbeat", body
        )
        r = requests.post(
            handle.url + "/v1/heartbeat",
            data=body,
            headers={**hdrs, "Content-Type": "application/json"},
            timeout=10,
        )
        assert r.json()["commands"] == ["refresh_catalogue"]
        hdrs = api.signed_headers(
            "DEMO-0001", bytes.fromhex("cd" * 32), "GET", "/v1/catalogue", b"", now=time.time()
        )
        got = requests.get(handle.url + "/v1/catalogue", headers=hdrs, timeout=10)
        assert got.status_code == 200 and got.headers["X-Catalogue-Version"] == "7"
    finally:
        handle.stop()
    assert not db_dir.exists()


def test_embedded_sandbox_with_the_real_demo_config() -> None:
    cfg = config.load()  # config/terminal.toml: DEMO-0001, demo key, config/catalogue/bundle.json
    secret = api.parse_secret(cfg.resolve(cfg.central.secret_file).read_text("ascii"))
    handle = start_embedded(cfg)
    try:

        def call(method: str, path: str, obj: object = None) -> requests.Response:
            body = b"" if obj is None else json.dumps(obj, ensure_ascii=False).encode()
            hdrs = {
                **api.signed_headers(cfg.terminal_id, secret, method, path, body),
                "Content-Type": "application/json",
            }
            return requests.request(method, handle.url + path, data=body, headers=hdrs, timeout=10)

        hb = {
            "devices": {},
            "catalogue_version": 0,
            "outbox_depth": 0,
            "app_version": "demo",
            "uptime_s": 1,
        }
        assert call("POST", "/v1/heartbeat", hb).json()["commands"] == ["refresh_catalogue"]
        ident = {"id_number": "11010519491231002X", "name": "张三"}
        # the params a kiosk sends for each form (central checks them against the catalogue)
        params: dict[str, dict[str, object]] = {
            "RS-0102": {"year": 2025},
            "BDC-0402": {"case_no": "610900-20261125-000123"},
        }
        for code in ("RS-0101", "RS-0102", "GJJ-0301", "SW-0601", "JJ-0901", "BDC-0402"):
            r = call(
                "POST",
                f"/v1/queries/{code}",
                {"region_code": cfg.region_code, "identity": ident, "params": params.get(code, {})},
            )
            assert r.status_code == 200, (code, r.text)
        r = call("POST", "/v1/queries/RS-0102", {"region_code": "610900", "identity": ident})
        assert (r.status_code, r.json()["error"]) == (422, "invalid_fields")  # year is required
        rows = call(
            "POST",
            "/v1/queries/RS-0102",
            {"region_code": "610900", "identity": ident, "params": {"year": 2025}},
        ).json()["rows"]
        assert len(rows) == 12
    finally:
        handle.stop()

"""Trusted keys from the terminal configuration; the demo key only with allow_demo_keys."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from kiosk import config
from kiosk.catalogue.errors import KeyFileError
from kiosk.catalogue.signing import generate_keypair, verify_bundle
from kiosk.catalogue.trust import is_demo_key, trusted_keys_from_config

from .conftest import BUNDLE, DEMO_PUB


def make_cfg(tmp_path: Path, catalogue: dict) -> config.TerminalConfig:
    """A minimal terminal config whose relative paths resolve in tmp_path."""
    data = {
        "terminal_id": "T-0001",
        "hall_name": "测试大厅",
        "region_code": "610900",
        "central": {"url": "https://central.example", "secret_file": "secret"},
        "idcard": {"url": "loop://"},
        "printer": {"url": "loop://"},
        "scanner": {"url": "loop://"},
        "catalogue": catalogue,
    }
    return config.parse(data, tmp_path / "terminal.toml")


def test_demo_terminal_config_trusts_the_demo_key_and_verifies_the_shipped_bundle() -> None:
    cfg = config.load()
    keys = trusted_keys_from_config(cfg)
    assert list(keys) == ["demo-2026"]
    assert verify_bundle(BUNDLE.read_bytes(), keys).version >= 1


def test_demo_key_refused_without_allow_demo_keys(tmp_path: Path, caplog) -> None:
    shutil.copy(DEMO_PUB, tmp_path / "demo.pub")
    caplog.set_level(logging.WARNING)
    cfg = make_cfg(
        tmp_path,
        {"trusted_keys": [{"key_id": "demo-2026", "public_key_file": "demo.pub", "demo": True}]},
    )
    assert trusted_keys_from_config(cfg) == {}
    assert "demo" in caplog.text and "allow_demo_keys" in caplog.text


def test_demo_key_under_another_name_is_still_refused(tmp_path: Path) -> None:
    shutil.copy(DEMO_PUB, tmp_path / "city.pub")
    _, pub = generate_keypair(tmp_path / "real")
    cfg = make_cfg(
        tmp_path,
        {
            "trusted_keys": [
                {"key_id": "city-2026a", "public_key_file": "city.pub"},
                {"key_id": "real", "public_key_file": "real.pub"},
            ]
        },
    )
    assert list(trusted_keys_from_config(cfg)) == ["real"]
    assert is_demo_key(
        trusted_keys_from_config(
            make_cfg(
                tmp_path,
                {
                    "allow_demo_keys": True,
                    "trusted_keys": [{"key_id": "x", "public_key_file": "city.pub"}],
                },
            )
        )["x"]
    )


def test_rotation_two_keys(tmp_path: Path) -> None:
    generate_keypair(tmp_path / "a")
    generate_keypair(tmp_path / "b")
    cfg = make_cfg(
        tmp_path,
        {
            "trusted_keys": [
                {"key_id": "city-2026a", "public_key_file": "a.pub"},
                {"key_id": "city-2027a", "public_key_file": "b.pub"},
            ]
        },
    )
    keys = trusted_keys_from_config(cfg)
    assert list(keys) == ["city-2026a", "city-2027a"] and not any(map(is_demo_key, keys.values()))


def test_missing_key_file_names_the_config_entry(tmp_path: Path) -> None:
    cfg = make_cfg(tmp_path, {"trusted_keys": [{"key_id": "k", "public_key_file": "gone.pub"}]})
    with pytest.raises(KeyFileError, match=r"catalogue.trusted_keys\[0\] \(k\): .*cannot read"):
        trusted_keys_from_config(cfg)


def test_duplicate_key_id(tmp_path: Path) -> None:
    generate_keypair(tmp_path / "a")
    cfg = make_cfg(
        tmp_path,
        {
            "trusted_keys": [
                {"key_id": "k", "public_key_file": "a.pub"},
                {"key_id": "k", "public_key_file": "a.pub"},
            ]
        },
    )
    with pytest.raises(KeyFileError, match="listed twice"):
        trusted_keys_from_config(cfg)

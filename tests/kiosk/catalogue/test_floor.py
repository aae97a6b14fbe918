"""Issue 17 part 4: the anti-rollback floor lives outside active.json / last-good.json.

Reproductions from the fault campaign, through the demo terminal's own services and doctor:
before the fix a torn active.json with no last-good copy fell back to the shipped v1 (doctor
OK), torn with a last-good copy v12 quietly became v5, and with both damaged or the store
emptied an older signed v3 installed after v12.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk import config as config_mod
from kiosk import services
from kiosk.catalogue.errors import NotNewer, StoreError
from kiosk.catalogue.signing import load_private_key, sign_catalogue
from kiosk.catalogue.store import ACTIVE, LAST_GOOD
from kiosk.catalogue.trust import trusted_keys_from_config
from kiosk.doctor import Level, run_checks
from kiosk.guide.schema import strip_guidance
from kiosk.outbox import Outbox

from .conftest import source_dict

ROOT = Path(__file__).resolve().parents[3]
INSTALLED: dict[int, bytes] = {}


def bundle(version: int) -> bytes:
    """A bundle signed with the demo key, valid around the real now (doctor reads the real clock)."""
    data = source_dict(version)
    now = datetime.now(UTC)
    data["issued_at"] = (now - timedelta(days=1)).isoformat()
    data["expires_at"] = (now + timedelta(days=365)).isoformat()
    key = load_private_key(ROOT / "config" / "demo" / "catalogue-demo.key")
    return json.dumps(sign_catalogue(data, key, "demo-2026"), ensure_ascii=False).encode()


@pytest.fixture
def terminal(tmp_path: Path):
    """A copy of the demo config whose store has had v1 (shipped), v5 and v12 installed."""
    cfg_dir = tmp_path / "config"
    shutil.copytree(ROOT / "config", cfg_dir, ignore=shutil.ignore_patterns("*.sqlite3*"))
    (tmp_path / "var").mkdir()
    path = cfg_dir / "terminal.toml"
    cfg = config_mod.load(path)
    data = cfg.data_path
    Outbox(data / "outbox.sqlite3", data / "outbox.key", terminal_id=cfg.terminal_id).close()
    trusted = trusted_keys_from_config(cfg)
    assert services.load_catalogue(cfg).version == 1  # the shipped default
    store = services.catalogue_store(cfg, trusted)
    for v in (5, 12):
        INSTALLED[v] = bundle(v)
        store.install(INSTALLED[v], trusted)
    return path, cfg, store, trusted


def catalogue_row(path: Path):
    return next(r for r in run_checks(str(path)) if r.name == "catalogue")


def test_torn_active_without_last_good_does_not_fall_back_to_the_shipped_v1(terminal) -> None:
    path, cfg, store, _ = terminal
    (store.directory / LAST_GOOD).unlink()
    data = (store.directory / ACTIVE).read_bytes()
    (store.directory / ACTIVE).write_bytes(data[: len(data) // 2])
    with pytest.raises(StoreError, match="not installed over it"):
        services.load_catalogue(cfg)  # the kiosk logs it and serves nothing below v12
    row = catalogue_row(path)
    assert row.level is Level.FAIL and "damaged" in row.detail and "v12" in row.fix


def test_torn_active_with_an_older_last_good_is_not_served(terminal) -> None:
    path, cfg, store, trusted = terminal
    data = (store.directory / ACTIVE).read_bytes()
    (store.directory / ACTIVE).write_bytes(data[:100])
    assert store.active() is None and "last-good v5 is below" in store.problem
    assert catalogue_row(path).level is Level.FAIL
    store.install(INSTALLED[12], trusted)  # the fix doctor names: the current bundle again
    assert store.active().version == 12 and catalogue_row(path).level is Level.OK


@pytest.mark.parametrize("damage", ["both_torn", "emptied", "removed"])
def test_older_signed_bundle_never_installs_after_damage(terminal, damage: str) -> None:
    path, cfg, store, trusted = terminal
    if damage == "both_torn":
        for name in (ACTIVE, LAST_GOOD):
            (store.directory / name).write_bytes(b"{")
    elif damage == "emptied":
        for p in store.directory.iterdir():
            p.unlink()
    else:
        shutil.rmtree(store.directory)
    fresh = services.catalogue_store(cfg, trusted)
    with pytest.raises(NotNewer):
        fresh.install(bundle(3), trusted)
    with pytest.raises(StoreError):
        services.load_catalogue(cfg)  # the shipped v1 is refused as well
    assert catalogue_row(path).level is Level.FAIL


def test_floor_survives_the_loss_of_either_copy_and_the_higher_wins(terminal) -> None:
    _, cfg, store, trusted = terminal
    floor_file = store.floor.file
    assert json.loads(floor_file.read_text())["version"] == 12
    assert oct(floor_file.stat().st_mode & 0o777) == "0o600"
    floor_file.unlink()  # the outbox database still knows
    assert store.floor.get().version == 12
    with pytest.raises(NotNewer):
        store.install(bundle(11), trusted)
    (cfg.data_path / "outbox.sqlite3").unlink()  # now only the two store files know (v12, v5)
    for suffix in ("-wal", "-shm", ".highwater"):
        Path(f"{cfg.data_path / 'outbox.sqlite3'}{suffix}").unlink(missing_ok=True)
    with pytest.raises(NotNewer):
        store.install(INSTALLED[12], trusted)  # active v12 is intact: a replay, not a repair


def test_same_version_with_other_content_is_not_a_repair(terminal) -> None:
    _, cfg, store, trusted = terminal
    (store.directory / ACTIVE).write_bytes(b"")
    data = strip_guidance(source_dict(12))  # (issue 23: no tree or guide left pointing at it)
    data["items"] = data["items"][:-1]
    now = datetime.now(UTC)
    data["issued_at"] = (now - timedelta(days=1)).isoformat()
    data["expires_at"] = (now + timedelta(days=30)).isoformat()
    key = load_private_key(ROOT / "config" / "demo" / "catalogue-demo.key")
    other = json.dumps(sign_catalogue(data, key, "demo-2026"), ensure_ascii=False).encode()
    with pytest.raises(NotNewer):
        store.install(other, trusted)

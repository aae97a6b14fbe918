"""CatalogueStore: first install, last good, default bundle, leftovers, errors, concurrency."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from kiosk.catalogue.errors import NotNewer, StoreError, Truncated
from kiosk.catalogue.store import ACTIVE, LAST_GOOD, CatalogueStore

from .conftest import NOW


def test_empty_store(tmp_path: Path) -> None:
    store = CatalogueStore(tmp_path / "nothing")
    assert store.active() is None and store.last_good() is None and store.version == 0


def test_install_keeps_exact_bytes_and_previous_as_last_good(
    tmp_path, make_bundle, trusted
) -> None:
    store = CatalogueStore(tmp_path / "s")
    v1, v2, v3 = make_bundle(1), make_bundle(2), make_bundle(5)
    assert store.install(v1, trusted, now=NOW).version == 1
    assert not (store.directory / LAST_GOOD).exists()
    store.install(v2, trusted, now=NOW)
    assert (store.directory / ACTIVE).read_bytes() == v2
    assert (store.directory / LAST_GOOD).read_bytes() == v1
    store.install(v3, trusted, now=NOW)
    assert store.version == 5 and store.last_good().version == 2
    assert sorted(p.name for p in store.directory.iterdir()) == [".lock", ACTIVE, LAST_GOOD]


def test_active_is_cached_until_the_file_changes(tmp_path, make_bundle, trusted) -> None:
    store = CatalogueStore(tmp_path / "s")
    store.install(make_bundle(1), trusted, now=NOW)
    a, b = store.active(), store.active()
    assert a is b
    CatalogueStore(store.directory).install(make_bundle(2), trusted, now=NOW)  # another process
    assert store.active().version == 2


def test_install_default_only_when_empty(tmp_path, make_bundle, trusted) -> None:
    bundle = tmp_path / "bundle.json"
    bundle.write_bytes(make_bundle(1))
    store = CatalogueStore(tmp_path / "s")
    assert store.install_default(bundle, trusted, now=NOW).version == 1
    store.install(make_bundle(2), trusted, now=NOW)
    assert store.install_default(bundle, trusted, now=NOW).version == 2  # untouched
    with pytest.raises(StoreError, match="cannot read default bundle"):
        CatalogueStore(tmp_path / "t").install_default(tmp_path / "missing.json", trusted, now=NOW)
    with pytest.raises(StoreError, match="needs trusted keys"):
        CatalogueStore(tmp_path / "u").install_default(bundle, now=NOW)
    # Keys given to the store are used (and re-checked when loading).
    own = CatalogueStore(tmp_path / "v", trusted=trusted)
    assert own.install_default(bundle, now=NOW).key_id == "test"
    assert own.active().key_id == "test"


def test_leftover_temp_files_are_removed(tmp_path, make_bundle, trusted) -> None:
    store = CatalogueStore(tmp_path / "s")
    store.install(make_bundle(1), trusted, now=NOW)
    junk = store.directory / ".active.json.4242.tmp"
    junk.write_bytes(b'{"catalogue": {"vers')
    assert store.active().version == 1
    store.install(make_bundle(2), trusted, now=NOW)
    assert not junk.exists()


def test_store_directory_that_is_a_file(tmp_path, make_bundle, trusted) -> None:
    (tmp_path / "s").write_text("not a directory")
    with pytest.raises(StoreError, match="cannot use store directory"):
        CatalogueStore(tmp_path / "s").install(make_bundle(1), trusted, now=NOW)


def test_damaged_active_without_last_good_is_none(tmp_path, make_bundle, trusted) -> None:
    store = CatalogueStore(tmp_path / "s")
    store.install(make_bundle(1), trusted, now=NOW)
    (store.directory / ACTIVE).write_bytes(b"")
    assert store.active() is None
    assert store.install(make_bundle(1), trusted, now=NOW).version == 1  # repair


def test_install_refuses_truncated_before_touching_the_store(
    tmp_path, make_bundle, trusted
) -> None:
    store = CatalogueStore(tmp_path / "s")
    with pytest.raises(Truncated):
        store.install(make_bundle(1)[:100], trusted, now=NOW)
    assert not store.directory.exists() or not (store.directory / ACTIVE).exists()


def test_concurrent_installs_are_serialised(tmp_path, make_bundle, trusted) -> None:
    store_dir = tmp_path / "s"
    CatalogueStore(store_dir).install(make_bundle(1), trusted, now=NOW)
    bundles = {v: make_bundle(v) for v in range(2, 8)}
    results: dict[int, str] = {}

    def worker(v: int) -> None:
        try:
            CatalogueStore(store_dir).install(bundles[v], trusted, now=NOW)
            results[v] = "ok"
        except NotNewer:
            results[v] = "not newer"

    threads = [threading.Thread(target=worker, args=(v,)) for v in bundles]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    final = CatalogueStore(store_dir).active()
    assert final.version == 7 and results[7] == "ok"
    assert (store_dir / ACTIVE).read_bytes() == bundles[7]

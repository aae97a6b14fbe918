"""Attack suite: none of these bundles is accepted, and the last good catalogue stays active."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kiosk.catalogue.errors import (
    BadSignature,
    CatalogueError,
    Expired,
    Invalid,
    Malformed,
    NotNewer,
    Truncated,
    UnknownKey,
)
from kiosk.catalogue.signing import canonical_json, sign_catalogue
from kiosk.catalogue.store import ACTIVE, CatalogueStore

from .conftest import NOW, ROOT, source_dict

HERE = Path(__file__).resolve().parent


@pytest.fixture
def store(tmp_path: Path, make_bundle, trusted) -> CatalogueStore:
    """A store with version 1 installed and active."""
    s = CatalogueStore(tmp_path / "store")
    s.install(make_bundle(1), trusted, now=NOW)
    return s


def snapshot(store: CatalogueStore) -> dict[str, bytes]:
    """Every file in the store directory and its bytes."""
    return {p.name: p.read_bytes() for p in sorted(store.directory.iterdir()) if p.name != ".lock"}


def refused(
    store: CatalogueStore, bundle: bytes, trusted: dict, exc: type[CatalogueError], **kw
) -> CatalogueError:
    """Install must raise `exc`, leave every file untouched and version 1 active."""
    before = snapshot(store)
    active = store.active()
    with pytest.raises(exc) as ei:
        store.install(bundle, trusted, now=kw.get("now", NOW))
    assert snapshot(store) == before
    assert store.active() == active and store.version == active.version
    return ei.value


def test_tampered_catalogue_byte(store, make_bundle, trusted) -> None:
    good = make_bundle(2)
    i = good.index("社保参保缴费证明打印".encode())
    bad = (
        good[:i]
        + "社保参保缴费证明打卬".encode()
        + good[i + len("社保参保缴费证明打印".encode()) :]
    )
    refused(store, bad, trusted, BadSignature)
    flipped = good.replace(b'"version": 2', b'"version": 9')
    assert flipped != good
    refused(store, flipped, trusted, BadSignature)


@pytest.fixture(scope="module")
def canonical_v2(key) -> bytes:
    """Version 2 as canonical bytes (no insignificant whitespace: any change alters content)."""
    return canonical_json(sign_catalogue(source_dict(2), key, "test"))


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_single_byte_change_is_refused(store, canonical_v2, trusted, data) -> None:
    pos = data.draw(st.integers(0, len(canonical_v2) - 1), label="pos")
    new = data.draw(st.integers(0, 255).filter(lambda b: b != canonical_v2[pos]), label="byte")
    bad = canonical_v2[:pos] + bytes([new]) + canonical_v2[pos + 1 :]
    try:  # a change that leaves the parsed JSON identical is not a tampering of the content
        assume(json.loads(bad) != json.loads(canonical_v2))
    except (ValueError, RecursionError):
        pass
    refused(store, bad, trusted, CatalogueError)


def test_every_byte_of_the_signature_area_is_covered(store, canonical_v2, trusted) -> None:
    start = canonical_v2.index(b'"signatures"')
    for pos in range(start, len(canonical_v2)):
        bad = bytearray(canonical_v2)
        bad[pos] ^= 0x01
        with pytest.raises(CatalogueError):
            store.install(bytes(bad), trusted, now=NOW)
    assert store.version == 1


def test_wrong_key(store, make_bundle, other_key, trusted) -> None:
    refused(store, make_bundle(2, signer=other_key), trusted, BadSignature)
    refused(store, make_bundle(2, signer=other_key, key_id="evil"), trusted, UnknownKey)


def test_older_version(store, make_bundle, trusted) -> None:
    store.install(make_bundle(3), trusted, now=NOW)
    e = refused(store, make_bundle(2), trusted, NotNewer)
    assert (e.version, e.active_version) == (2, 3)
    refused(store, make_bundle(1), trusted, NotNewer)


def test_same_version_other_content_and_replay(store, make_bundle, trusted) -> None:
    def rename(d: dict) -> None:
        d["items"][0]["name_zh"] = "社保证明（新版）"

    refused(store, make_bundle(1, rename), trusted, NotNewer)
    refused(store, make_bundle(1), trusted, NotNewer)  # the very same bundle again


def test_expired(store, make_bundle, trusted) -> None:
    def expire(d: dict) -> None:
        d["issued_at"] = (NOW - timedelta(days=60)).isoformat()
        d["expires_at"] = (NOW - timedelta(seconds=1)).isoformat()

    refused(store, make_bundle(2, expire), trusted, Expired)


def test_validly_signed_but_invalid(store, make_bundle, trusted) -> None:
    def typo(d: dict) -> None:
        d["items"][3]["fields"][1]["type"] = "phon"

    e = refused(store, make_bundle(2, typo), trusted, Invalid)
    assert e.problems == [
        "items[3].fields[1].type: unknown type 'phon' (one of text, number, phone, "
        "date, choice, id_number, uscc, case_no)"
    ]


def test_truncated_file_at_every_tenth_length(store, make_bundle, trusted) -> None:
    good = make_bundle(2)
    for n in list(range(0, len(good) - 1, max(1, len(good) // 200))) + [len(good) - 1]:
        with pytest.raises((Truncated, Malformed)):
            store.install(good[:n], trusted, now=NOW)
    assert store.version == 1
    with pytest.raises(Truncated):
        store.install(good[: len(good) // 2], trusted, now=NOW)


def test_untrusted_store_file_tampering_is_caught_with_trust(store, make_bundle, trusted) -> None:
    """Someone edits active.json on disk: a store opened with trusted keys refuses it, and does
    not fall back to the older last good either (issue 17: that was a rollback through damage)."""
    store.install(make_bundle(2), trusted, now=NOW)
    path = store.directory / ACTIVE
    path.write_bytes(
        path.read_bytes().replace("社保参保缴费证明打印".encode(), "社保参保缴费证明打卬".encode())
    )
    checked = CatalogueStore(store.directory, trusted=trusted)
    assert checked.active() is None and "below" in checked.problem
    assert (
        CatalogueStore(store.directory).active().item("RS-0101").name_zh == "社保参保缴费证明打卬"
    )


def test_torn_active_file_does_not_roll_back_to_an_older_last_good(
    store, make_bundle, trusted
) -> None:
    """A torn active.json (e.g. a disk that lost the tail): last good v1 is below the floor v2
    kept outside the two files, so nothing is served until v2 (the same bundle) goes in again."""
    v2 = make_bundle(2)
    store.install(v2, trusted, now=NOW)
    path = store.directory / ACTIVE
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    fresh = CatalogueStore(store.directory)
    assert fresh.active() is None and "damaged" in fresh.problem
    with pytest.raises(NotNewer):
        fresh.install(make_bundle(1), trusted, now=NOW)
    assert fresh.install(v2, trusted, now=NOW).version == 2
    assert fresh.active().version == 2 and fresh.problem == ""


STEPS = [
    "last_good_tmp_half",
    "last_good_tmp_written",
    "last_good_tmp_synced",
    "last_good_renamed",
    "last_good_saved",
    "tmp_half",
    "tmp_written",
    "tmp_synced",
    "renamed",
    "done",
]


@pytest.mark.parametrize("mode", ["sigkill", "exit"])
@pytest.mark.parametrize("step", STEPS)
def test_crash_during_install(
    tmp_path: Path, make_bundle, trusted, key, step: str, mode: str
) -> None:
    """Kill a real installer process at each step: the store holds v1 or v2, whole, never neither."""
    from cryptography.hazmat.primitives import serialization

    directory = tmp_path / "store"
    CatalogueStore(directory).install(make_bundle(1), trusted, now=NOW)
    before = snapshot(CatalogueStore(directory))
    bundle = tmp_path / "v2.json"
    bundle.write_bytes(make_bundle(2))
    pub = tmp_path / "test.pub"
    pub.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [
            sys.executable,
            str(HERE / "crash_install.py"),
            str(directory),
            str(bundle),
            str(pub),
            step,
            mode,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert proc.stdout.startswith("dying"), proc.stderr
    assert proc.returncode == (-9 if mode == "sigkill" else 3)
    store = CatalogueStore(directory)
    active = store.active()
    expected = 2 if step in ("renamed", "done") else 1
    assert active is not None and active.version == expected
    if expected == 1:
        assert (directory / ACTIVE).read_bytes() == before[ACTIVE]
    # The next install cleans up the leftovers and works normally.
    if expected == 1:
        assert store.install(make_bundle(2), trusted, now=NOW).version == 2
    else:
        with pytest.raises(NotNewer):
            store.install(make_bundle(2), trusted, now=NOW)
        assert store.install(make_bundle(3), trusted, now=NOW).version == 3
    assert not [p.name for p in directory.iterdir() if p.name.endswith(".tmp")]
    assert store.last_good() is not None

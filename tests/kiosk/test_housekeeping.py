"""Housekeeping: delivered rows past retention are purged, pending ones never; expiry warnings."""
from __future__ import annotations

import logging
import time
from datetime import timedelta
from pathlib import Path

import pytest

from kiosk.catalogue.signing import verify_bundle
from kiosk.catalogue.trust import trusted_keys_from_config
from kiosk.config import load
from kiosk.housekeeping import Housekeeper, run_once
from kiosk.outbox import Outbox, State

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def catalogue():  # type: ignore[no-untyped-def]
    cfg = load()
    return verify_bundle((ROOT / "config" / "catalogue" / "bundle.json").read_bytes(),
                         trusted_keys_from_config(cfg))


def test_purges_only_delivered_rows_past_retention(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite3", tmp_path / "key", terminal_id="T-1", retention_days=7)
    old = box.enqueue("submission", {"n": 1})
    fresh = box.enqueue("submission", {"n": 2})
    pending = box.enqueue("submission", {"n": 3})
    now = time.time()
    box.mark_delivered(old.id, {"case_no": "330100-20261101-000001"})
    box.mark_delivered(fresh.id, {"case_no": "330100-20261125-000002"})
    report = run_once(box, None, now=now + 3 * 86400)
    assert report.purged_rows == 0
    with box._tx() as conn:  # age the first delivered row by hand
        conn.execute("UPDATE outbox SET delivered_at = ? WHERE id = ?", (now - 8 * 86400, old.id))
    report = run_once(box, None, now=now)
    assert report.purged_rows == 1
    assert box.get(old.id) is None and box.get(fresh.id).state is State.DELIVERED
    assert box.get(pending.id).state is State.PENDING
    box.close()


def test_catalogue_expiry_warning(catalogue, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    far = (catalogue.expires_at - timedelta(days=100)).timestamp()
    assert run_once(None, catalogue, now=far).catalogue_warning is False
    with caplog.at_level(logging.WARNING):
        soon = run_once(None, catalogue, now=(catalogue.expires_at - timedelta(days=10)).timestamp())
    assert soon.catalogue_warning and round(soon.catalogue_days_left) == 10
    assert "expires in 10 days" in caplog.text
    with caplog.at_level(logging.ERROR):
        gone = run_once(None, catalogue, now=(catalogue.expires_at + timedelta(days=1)).timestamp())
    assert gone.catalogue_warning and "expired" in caplog.text


def test_housekeeper_thread_runs_and_stops_fast(catalogue) -> None:  # type: ignore[no-untyped-def]
    keeper = Housekeeper(None, lambda: catalogue, interval_s=3600).start()
    deadline = time.monotonic() + 5
    while keeper.last is None and time.monotonic() < deadline:
        time.sleep(0.01)
    t0 = time.monotonic()
    keeper.stop()
    assert keeper.last is not None and time.monotonic() - t0 < 1.0

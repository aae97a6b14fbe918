"""Housekeeping: catalogue expiry warnings on a schedule; the thread stops fast."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from pathlib import Path

import pytest

from kiosk.catalogue.signing import verify_bundle
from kiosk.catalogue.trust import trusted_keys_from_config
from kiosk.config import load
from kiosk.housekeeping import Housekeeper, catalogue_days_left

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def catalogue():  # type: ignore[no-untyped-def]
    cfg = load()
    return verify_bundle(
        (ROOT / "config" / "catalogue" / "bundle.json").read_bytes(), trusted_keys_from_config(cfg)
    )


def test_catalogue_expiry_warning(catalogue, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    with caplog.at_level(logging.WARNING):
        far = catalogue_days_left(
            catalogue, (catalogue.expires_at - timedelta(days=100)).timestamp()
        )
    assert round(far) == 100 and caplog.text == ""
    with caplog.at_level(logging.WARNING):
        soon = catalogue_days_left(
            catalogue, (catalogue.expires_at - timedelta(days=10)).timestamp()
        )
    assert round(soon) == 10 and "expires in 10 days" in caplog.text
    with caplog.at_level(logging.ERROR):
        gone = catalogue_days_left(
            catalogue, (catalogue.expires_at + timedelta(days=1)).timestamp()
        )
    assert gone < 0 and "expired" in caplog.text
    assert catalogue_days_left(None) is None


def test_housekeeper_thread_runs_and_stops_fast(catalogue) -> None:  # type: ignore[no-untyped-def]
    keeper = Housekeeper(lambda: catalogue, interval_s=3600).start()
    deadline = time.monotonic() + 5
    while keeper.passes == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    t0 = time.monotonic()
    keeper.stop()
    assert keeper.passes == 1 and keeper.days_left is not None and time.monotonic() - t0 < 1.0


def test_a_failing_pass_is_logged_and_the_thread_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    def broken():  # type: ignore[no-untyped-def]
        raise RuntimeError("store unreadable")

    with caplog.at_level(logging.ERROR):
        keeper = Housekeeper(broken, interval_s=0.01).start()
        deadline = time.monotonic() + 5
        while keeper.passes < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        keeper.stop()
    assert keeper.passes >= 3 and "housekeeping pass failed" in caplog.text

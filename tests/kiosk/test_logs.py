"""Logging: personal data never reaches the files; the wire logger is off unless enabled."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.logs import WIRE_LOGGER, scrubber, setup_logging

ID = "11010519491231002X"
PHONE = "13812345678"


@pytest.fixture
def log_dir(tmp_path: Path) -> Iterator[Path]:
    setup_logging(tmp_path, "DEBUG", console=False)
    yield tmp_path
    scrubber.clear_names()
    for h in list(logging.getLogger().handlers):
        if getattr(h, "_kiosk", False):
            logging.getLogger().removeHandler(h)
            h.close()


def flush() -> None:
    for h in logging.getLogger().handlers:
        h.flush()


def test_id_number_phone_and_name_are_masked_in_the_file(log_dir: Path) -> None:
    scrubber.add_name("王小明")
    log = logging.getLogger("kiosk.session")
    log.info("card read: %s 王小明 phone %s", ID, PHONE)
    log.warning("lower-case x too: 11010519491231002x")
    flush()
    text = (log_dir / "kiosk.log").read_text(encoding="utf-8")
    assert ID not in text and ID.lower() not in text and PHONE not in text and "王小明" not in text
    assert "1101**********002X" in text and "138****5678" in text and "王**" in text


def test_exception_text_is_scrubbed(log_dir: Path) -> None:
    try:
        raise ValueError(f"bad id {ID}")
    except ValueError:
        logging.getLogger("kiosk.x").exception("submit failed")
    flush()
    text = (log_dir / "kiosk.log").read_text(encoding="utf-8")
    assert "ValueError" in text and ID not in text


def test_other_numbers_survive(log_dir: Path) -> None:
    logging.getLogger("kiosk.x").info("case 610900-20261125-000123 outbox depth 12345")
    flush()
    assert "610900-20261125-000123" in (log_dir / "kiosk.log").read_text(encoding="utf-8")


def test_wire_logger_is_silent_by_default(log_dir: Path) -> None:
    logging.getLogger(WIRE_LOGGER).debug("tx aa aa aa 96 69")
    flush()
    assert not (log_dir / "wire.log").exists()
    assert "aa aa aa" not in (log_dir / "kiosk.log").read_text(encoding="utf-8")


def test_wire_logger_writes_its_own_file_when_enabled(tmp_path: Path) -> None:
    setup_logging(tmp_path, "INFO", wire=True, console=False)
    try:
        logging.getLogger(WIRE_LOGGER).debug("rx id %s", ID)
        for h in logging.getLogger(WIRE_LOGGER).handlers:
            h.flush()
        text = (tmp_path / "wire.log").read_text(encoding="utf-8")
        assert "rx id" in text and ID not in text
    finally:
        setup_logging(None, console=False)

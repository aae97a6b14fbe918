"""A private cupsd for the A4 printer tests (one per module: it takes ~1 s to start)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.cupsd import PrivateCupsd


@pytest.fixture(scope="module")
def cupsd() -> Iterator[PrivateCupsd]:
    """cupsd on a temp ServerRoot, 127.0.0.1:PORT and a unix socket."""
    server = PrivateCupsd().start()
    try:
        yield server
    finally:
        server.stop()

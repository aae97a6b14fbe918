"""Test set-up: Kivy headless (SDL offscreen), its home in a temp dir, no Kivy console/file logs."""

from __future__ import annotations

import os
import tempfile
import time

# Must happen before anything imports kivy.
os.environ["KIVY_NO_ARGS"] = "1"
os.environ["KIVY_HOME"] = tempfile.mkdtemp(prefix="kivy-home-")
os.environ["KIVY_NO_CONSOLELOG"] = "1"
os.environ["KIVY_NO_FILELOG"] = "1"
os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
# The suite's system zone is the terminal's default zone (kiosk.clock, terminal.timezone), so
# tests that build moments with time.mktime mean the wall-clock time the terminal shows. Tests of
# a system zone that differs from the terminal's set both explicitly (tests/kiosk/test_clock.py).
os.environ["TZ"] = "Asia/Shanghai"
time.tzset()
if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
# No sound card on CI: SDL's audio goes to its `dummy` driver (mixed, timed, then dropped), so
# Kivy's audio provider loads and plays for real. Tests that listen to what was played run a
# child process on SDL's `disk` driver instead (tests/kiosk/voice/test_playback.py).
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def project_root() -> Path:
    """The repository root."""
    return ROOT


# The session's throw-away PostgreSQL cluster (started on first use, stopped at the end).
from tests._postgres import postgres  # noqa: E402,F401

# One private pcscd per test session (tests/pcscd.py): libpcsclite remembers the first socket
# path it was given, so every 社保卡 test in the process must share the same daemon.
from tests.pcscd import pcscd  # noqa: E402,F401 - the fixture

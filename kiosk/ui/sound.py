"""A short chime for reminders (请取走身份证), generated once as a WAV in the cache directory and
played through Kivy's audio provider when the machine has one (a box without audio still shows
the reminder; the log says why it stayed silent)."""

from __future__ import annotations

import logging
import math
import os
import struct
import wave
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

RATE = 22050
NOTES = ((880.0, 0.18), (660.0, 0.28))
"""Two falling tones: noticed from a step away, not alarming at 3 a.m."""


def chime_path() -> Path:
    """The chime WAV (written on first use, 0600 in a 0700 directory)."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kiosk" / "sounds"
    path = base / "chime-v1.wav"
    if path.exists():
        return path
    base.mkdir(parents=True, exist_ok=True, mode=0o700)
    frames = bytearray()
    for freq, dur in NOTES:
        n = int(RATE * dur)
        for i in range(n):
            envelope = min(1.0, i / 200, (n - i) / 800)
            frames += struct.pack(
                "<h", int(12000 * envelope * math.sin(2 * math.pi * freq * i / RATE))
            )
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(bytes(frames))
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


_loaded: dict[str, Any] = {}


def play_chime() -> bool:
    """Play the chime; False (and one log line) when there is no audio provider."""
    try:
        sound = _loaded.get("chime")
        if sound is None:
            from kivy.core.audio import SoundLoader

            sound = SoundLoader.load(str(chime_path()))
            if sound is None:
                log.warning("no audio provider: the remove-card reminder is silent")
                _loaded["chime"] = False
                return False
            _loaded["chime"] = sound
        if sound is False:
            return False
        sound.stop()
        sound.play()
        return True
    except Exception as exc:  # noqa: BLE001 - a reminder must never break the screen
        log.warning("chime not played: %s", exc)
        return False

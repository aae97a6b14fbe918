"""Short earcons (card read, scan read, error, printing done), written by this code into
assets/sounds/ — pure tones with envelopes, so they are ours to license: CC0-1.0 (public
domain dedication), see assets/sounds/LICENSE. `python -m kiosk.voice.earcons` rewrites them;
a test checks the shipped files are exactly what this code makes."""

from __future__ import annotations

import math
import struct
import sys
import wave
from pathlib import Path

from kiosk.resources import SOUNDS_DIR as _SOUNDS

RATE = 22050
SOUNDS_DIR = _SOUNDS
EARCONS: dict[str, tuple[tuple[float, float], ...]] = {
    # (frequency Hz, seconds); 0 Hz is a pause
    "card_read": ((660.0, 0.08), (0.0, 0.03), (990.0, 0.12)),
    "scan_read": ((1320.0, 0.07),),
    "error": ((330.0, 0.16), (0.0, 0.05), (262.0, 0.26)),
    "print_done": ((523.25, 0.1), (659.25, 0.1), (783.99, 0.18)),
}
"""Rising = done, falling low = wrong: told apart without looking."""


def samples(notes: tuple[tuple[float, float], ...], amp: int = 11000) -> bytes:
    """16-bit mono PCM of the notes, each with a short attack and release (no clicks)."""
    out = bytearray()
    for freq, dur in notes:
        n = int(RATE * dur)
        for i in range(n):
            env = min(1.0, i / 120, (n - i) / 400)
            v = 0 if freq == 0 else int(amp * env * math.sin(2 * math.pi * freq * i / RATE))
            out += struct.pack("<h", v)
    return bytes(out)


def write(name: str, directory: Path = SOUNDS_DIR) -> Path:
    """Write one earcon as a WAV; returns its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(samples(EARCONS[name]))
    return path


def path(name: str) -> Path:
    """The shipped earcon file."""
    return SOUNDS_DIR / f"{name}.wav"


def main(argv: list[str]) -> int:
    """Rewrite every earcon (or those named)."""
    for name in argv or EARCONS:
        print(write(name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

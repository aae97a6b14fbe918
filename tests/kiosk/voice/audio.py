"""Reading what the speech engine wrote: WAV files through numpy + the stdlib's wave module."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """Samples as floats in [-1, 1] (mono mix) and the sample rate."""
    with wave.open(str(path), "rb") as w:
        assert w.getsampwidth() == 2, "espeak-ng writes 16-bit PCM"
        rate, ch = w.getframerate(), w.getnchannels()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)
    if ch > 1:
        data = data.reshape(-1, ch).mean(axis=1)
    return data / 32768.0, rate


def speech_figures(path: Path) -> dict[str, float]:
    """Duration, RMS level and the share of 20 ms frames that carry sound."""
    x, rate = read_wav(path)
    frame = max(1, rate // 50)
    n = len(x) // frame
    frames = x[: n * frame].reshape(n, frame) if n else x.reshape(1, -1)
    rms = np.sqrt((frames**2).mean(axis=1))
    return {
        "duration_s": len(x) / rate,
        "rms": float(np.sqrt((x**2).mean())) if len(x) else 0.0,
        "voiced": float((rms > 0.01).mean()) if len(rms) else 0.0,
        "peak": float(np.abs(x).max()),
    }


def assert_speech(path: Path, min_s: float = 0.4, max_s: float = 30.0) -> dict[str, float]:
    """The WAV holds audible speech of a plausible length."""
    f = speech_figures(path)
    assert min_s <= f["duration_s"] <= max_s, f
    assert f["rms"] > 0.02 and f["peak"] > 0.2, f"silent or near-silent: {f}"
    assert f["voiced"] > 0.3, f"mostly silence: {f}"
    return f

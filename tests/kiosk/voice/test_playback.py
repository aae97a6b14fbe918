"""What Kivy's audio (SDL2_mixer) actually played: a child process runs the speaker on SDL's
`disk` audio driver, which writes the mixed output to a file instead of a sound card (CI has
none), and the samples in that file are checked: speech is heard, and the volume scales it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[3]

CHILD = r"""
import os, sys, time
from pathlib import Path
from kiosk.voice.player import Speaker
from kiosk.voice.tts import Synthesizer, Voice
sp = Speaker(Synthesizer(Path(sys.argv[1])))
sp.volume = float(sys.argv[2])
started = []
sp.say("请把身份证放在读卡区。", Voice("zh_CN"), on_started=started.append)
assert sp.idle(20)
time.sleep(1.5)
sp.close()
print(sp.played, sp.silent_reason or "-", started[0] if started else -1)
"""


def play(tmp: Path, volume: float) -> tuple[np.ndarray, list[str]]:
    out = tmp / f"sdl-{volume}.raw"
    env = dict(
        os.environ,
        SDL_AUDIODRIVER="disk",
        SDL_DISKAUDIOFILE=str(out),
        KIVY_NO_ARGS="1",
        KIVY_NO_CONSOLELOG="1",
        KIVY_HOME=str(tmp / "kivy"),
        PYTHONPATH=str(ROOT),
    )
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp / "cache"), str(volume)],
        capture_output=True,
        text=True,
        env=env,
        timeout=90,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    # Kivy opens SDL2_mixer as 16-bit signed, native order; channels interleaved
    return np.frombuffer(out.read_bytes(), dtype="<i2").astype(
        np.float64
    ) / 32768, proc.stdout.split()


def test_speech_reaches_the_audio_output_and_volume_scales_it(tmp_path: Path) -> None:
    loud, info = play(tmp_path, 1.0)
    assert info[0] == "1" and info[1] == "-", info  # one phrase played, audio was available
    assert 0 <= float(info[2]) < 5.0
    assert loud.size > 44100, "SDL wrote (almost) nothing"
    peak_loud = np.abs(loud).max()
    assert peak_loud > 0.2, f"the output is silent (peak {peak_loud:.3f})"
    soft, _ = play(tmp_path, 0.25)
    ratio = np.abs(soft).max() / peak_loud
    assert 0.1 < ratio < 0.45, f"volume 0.25 gave {ratio:.2f} of full volume"

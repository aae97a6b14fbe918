"""`kiosk doctor` rows for voice: the speech engine speaks Mandarin, a sound card exists, the
headphone jack is readable (or the config flag stands in)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kiosk.voice.errors import VoiceError
from kiosk.voice.jack import Headphones, jack_devices
from kiosk.voice.tts import Synthesizer, Voice


def check_voice(cfg: Any) -> Iterator[Any]:
    """espeak-ng (cmn) synthesises; ALSA lists a card; how headphones are detected."""
    from kiosk.doctor import Level, Result

    synth = Synthesizer(Path("/nonexistent"), binary=cfg.voice.engine or None)
    if not synth.available():
        yield Result(
            "voice engine",
            Level.FAIL,
            "espeak-ng not found: the terminal is silent",
            "apt install espeak-ng (make setup does), or set voice.engine",
        )
    else:
        try:
            path = synth.speak_to_file("您好", Voice("zh_CN"), keep=False)
            size = path.stat().st_size
            path.unlink(missing_ok=True)
            yield Result(
                "voice engine", Level.OK, f"{synth.version()}: cmn ({size} bytes for 您好)"
            )
        except VoiceError as exc:
            yield Result("voice engine", Level.FAIL, str(exc), "espeak-ng -v cmn '您好' to see why")
    cards = Path("/proc/asound/cards")
    text = cards.read_text(errors="replace").strip() if cards.exists() else ""
    if not text or "no soundcards" in text:
        yield Result(
            "sound card",
            Level.WARN,
            "ALSA lists no sound card: prompts are not heard",
            "connect the speaker/USB audio; `aplay -l` lists cards",
        )
    else:
        yield Result("sound card", Level.OK, text.splitlines()[0].strip())
    hp = Headphones(cfg.voice.headphones)
    if cfg.voice.headphones != "auto":
        yield Result("headphones", Level.OK, f"set by voice.headphones = {cfg.voice.headphones!r}")
    elif jack_devices():
        yield Result(
            "headphones",
            Level.OK,
            f"jack readable: {'plugged in' if hp.present() else 'not plugged in'}",
        )
    else:
        yield Result(
            "headphones",
            Level.WARN,
            "no headphone jack reported by the kernel: 读出我的信息 and 语音导办 stay off",
            'set voice.headphones = "present" if headphones are fitted',
        )

"""The audio output SDL opens: the system's (ALSA/PulseAudio) where a sound card exists, SDL's
`dummy` driver where none does (CI, a box under repair): the kiosk runs and logs why it is
silent, instead of ALSA printing errors on every sound."""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)


def has_sound_card(cards: Path = Path("/proc/asound/cards")) -> bool:
    """Whether ALSA lists a card (PulseAudio/PipeWire sessions count as one)."""
    if os.environ.get("PULSE_SERVER") or os.environ.get("PIPEWIRE_REMOTE"):
        return True
    try:
        text = cards.read_text(errors="replace")
    except OSError:
        return False
    return bool(text.strip()) and "no soundcards" not in text


def choose_audio_driver() -> None:
    """Set SDL_AUDIODRIVER=dummy when there is no sound card (an explicit setting wins)."""
    if "SDL_AUDIODRIVER" in os.environ or has_sound_card():
        return
    os.environ["SDL_AUDIODRIVER"] = "dummy"
    log.warning("no sound card: voice guidance and earcons are silent (kiosk doctor: sound card)")

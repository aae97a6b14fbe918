"""Offline text-to-speech: espeak-ng (its `cmn` Mandarin and `en-us` voices) through its command
line, each phrase cached as a WAV in the data directory so a repeat costs nothing.

Why espeak-ng: it is the one offline Mandarin engine Debian packages (ekho, Festival's Mandarin
voices, Pico and Piper's models are not in Debian main); it is small, starts in ~10 ms, and its
formant voice stays intelligible at low volume and high speed, which matters more for prompts
than naturalness. The subprocess keeps a crash of the engine out of the kiosk's process."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from kiosk.voice.errors import EngineMissing, SynthesisFailed

log = logging.getLogger(__name__)

VOICES = {"zh_CN": "cmn", "en": "en-us"}
"""Kiosk language → espeak-ng voice."""
RATE_WPM = {False: 165, True: 135}
"""Words per minute: normal, 长辈模式 (slower)."""
CACHE_LIMIT = 4000
"""Cached phrases kept (oldest dropped first); every screen × 2 languages × 2 rates is ~120."""


@dataclass(frozen=True)
class Voice:
    """How a phrase is spoken: the language and whether slowly (长辈模式)."""

    lang: str = "zh_CN"
    slow: bool = False

    @property
    def espeak(self) -> str:
        """The espeak-ng voice name."""
        return VOICES.get(self.lang, "cmn")

    @property
    def rate(self) -> int:
        """Words per minute."""
        return RATE_WPM[self.slow]


def _private_tmp() -> Path:
    """Where a phrase that must never be kept (personal data) lives for a moment: tmpfs."""
    shm = Path("/dev/shm")
    return shm if shm.is_dir() and os.access(shm, os.W_OK) else Path(tempfile.gettempdir())


class Synthesizer:
    """espeak-ng → WAV files; phrases cached under `cache_dir` (0700, files 0600)."""

    def __init__(self, cache_dir: Path, binary: str | None = None) -> None:
        self.cache_dir = Path(cache_dir)
        self.binary = binary or shutil.which("espeak-ng") or ""
        self._version = ""
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def available(self) -> bool:
        """Whether the engine can run."""
        return bool(self.binary) and os.access(self.binary, os.X_OK)

    def version(self) -> str:
        """The engine's version line (part of the cache key: a new engine re-speaks)."""
        if not self._version:
            if not self.available():
                raise EngineMissing("espeak-ng not found (make setup installs it)")
            out = subprocess.run(
                [self.binary, "--version"], capture_output=True, text=True, timeout=10, check=False
            )
            self._version = out.stdout.strip() or "espeak-ng"
        return self._version

    def key(self, text: str, voice: Voice) -> str:
        """The cache file name of a phrase."""
        raw = f"{self.version()}\n{voice.espeak}\n{voice.rate}\n{text}".encode()
        return hashlib.sha256(raw).hexdigest()[:32] + ".wav"

    def cached(self, text: str, voice: Voice) -> Path | None:
        """The cached WAV of a phrase, None when not cached yet."""
        path = self.cache_dir / self.key(text, voice)
        return path if path.is_file() else None

    def speak_to_file(self, text: str, voice: Voice, *, keep: bool = True) -> Path:
        """The WAV of `text`: from the cache, or synthesised (and cached when `keep`).

        keep=False is for phrases with personal data: written to tmpfs (0600), never to the
        cache; the caller deletes it as soon as the audio is loaded."""
        if keep:
            path = self.cached(text, voice)
            if path is not None:
                self.hits += 1
                return path
        self.misses += 1
        if keep:
            with self._lock:
                self.cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
                os.chmod(self.cache_dir, 0o700)
            final = self.cache_dir / self.key(text, voice)
            fd, tmp = tempfile.mkstemp(prefix=".say-", suffix=".wav", dir=self.cache_dir)
        else:
            fd, tmp = tempfile.mkstemp(prefix="kiosk-say-", suffix=".wav", dir=_private_tmp())
        os.close(fd)  # mkstemp made it 0600
        try:
            self._run(text, voice, Path(tmp))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        if not keep:
            return Path(tmp)
        os.replace(tmp, final)
        self._trim()
        return final

    def _run(self, text: str, voice: Voice, out: Path) -> None:
        if not self.available():
            raise EngineMissing("espeak-ng not found (make setup installs it)")
        # The text goes on stdin, never on the command line (ps would show it to everyone).
        cmd = [self.binary, "-v", voice.espeak, "-s", str(voice.rate), "-w", str(out), "--stdin"]
        try:
            proc = subprocess.run(
                cmd, input=text.encode("utf-8"), capture_output=True, timeout=20, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SynthesisFailed(f"espeak-ng did not run: {type(exc).__name__}") from exc
        if proc.returncode != 0 or out.stat().st_size <= 44:
            raise SynthesisFailed(
                f"espeak-ng exited {proc.returncode}: {proc.stderr.decode(errors='replace')[:200]}"
            )

    def _trim(self) -> None:
        files = sorted(self.cache_dir.glob("*.wav"), key=lambda p: p.stat().st_mtime)
        for old in files[: max(0, len(files) - CACHE_LIMIT)]:
            old.unlink(missing_ok=True)

"""The speaker: one worker thread synthesises (or takes from the cache), loads the WAV with
Kivy's audio provider (SDL2_mixer) and plays it, so the UI thread only ever enqueues.

A newer phrase replaces one that is still waiting or playing (a citizen who taps on does not
want to hear the previous screen to its end). On a box without a sound card SDL has no output:
set SDL_AUDIODRIVER=disk (the tests do, with SDL_DISKAUDIOFILE) or `dummy`; see docs/voice.md."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.voice.errors import VoiceError
from kiosk.voice.tts import Synthesizer, Voice

log = logging.getLogger(__name__)


@dataclass
class Job:
    """One thing to play: a phrase to synthesise, or a ready WAV (an earcon)."""

    text: str = ""
    voice: Voice = Voice()
    path: Path | None = None
    keep: bool = True
    """False: personal data — synthesised to tmpfs, deleted as soon as it is loaded."""
    queued_at: float = 0.0
    on_started: Callable[[float], None] | None = None
    """Called on the worker with the seconds from enqueue to the sound playing."""


def _loader(path: str) -> Any:
    from kivy.core.audio import SoundLoader

    return SoundLoader.load(path)


class Speaker:
    """Plays phrases and earcons on its own thread; `volume` 0..1 applies to the next sound."""

    def __init__(self, synth: Synthesizer, loader: Callable[[str], Any] = _loader) -> None:
        self.synth = synth
        self.loader = loader
        self.volume = 0.8
        self._q: queue.Queue[Job | None] = queue.Queue()
        self._current: Any = None
        self._lock = threading.Lock()
        self._gen = 0
        self.silent_reason = ""
        """Why nothing can be heard ("" while audio works): shown by kiosk doctor and the log."""
        self.played = 0
        self.latencies: list[float] = []
        """Seconds from enqueue to the sound playing, last 200 (bench/bench_voice.py)."""
        self.last_started = 0.0
        """perf_counter() when the last sound started playing."""
        self._thread = threading.Thread(target=self._run, name="kiosk-voice", daemon=True)
        self._thread.start()

    def say(
        self,
        text: str,
        voice: Voice,
        *,
        keep: bool = True,
        on_started: Callable[[float], None] | None = None,
    ) -> None:
        """Speak `text` (replacing what is playing or waiting)."""
        self._enqueue(Job(text=text, voice=voice, keep=keep, on_started=on_started))

    def play_file(self, path: Path, on_started: Callable[[float], None] | None = None) -> None:
        """Play a WAV (earcons) after what is queued."""
        self._q.put(
            Job(path=path, queued_at=time.perf_counter(), on_started=on_started, voice=Voice())
        )

    def _enqueue(self, job: Job) -> None:
        job.queued_at = time.perf_counter()
        with self._lock:
            self._gen += 1
            self._drain()  # drop what nobody wants to hear any more
        self._q.put(job)

    def _drain(self) -> None:
        while True:
            try:
                self._q.get_nowait()
            except queue.Empty:
                return
            self._q.task_done()

    def stop(self) -> None:
        """Silence now (session end, voice turned off)."""
        with self._lock:
            self._gen += 1
            self._drain()
        self._q.put(Job())  # an empty job: stops the current sound on the worker

    def close(self) -> None:
        """Stop the worker."""
        self.stop()
        self._q.put(None)
        self._thread.join(5)

    def idle(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued was started (tests and the bench)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self._q.unfinished_tasks == 0:
                return True
            time.sleep(0.005)
        return False

    def _run(self) -> None:
        while True:
            job = self._q.get()
            try:
                if job is None:
                    self._halt()
                    return
                self._play(job)
            except VoiceError as exc:
                log.warning("voice: %s", exc)
            except Exception:  # noqa: BLE001 - the speaker must outlive any one phrase
                log.exception("voice: phrase not played")
            finally:
                self._q.task_done()

    def _halt(self) -> None:
        cur, self._current = self._current, None
        if cur is not None:
            cur.stop()
            cur.unload()

    def _play(self, job: Job) -> None:
        gen = self._gen
        if job.path is None and not job.text:
            self._halt()
            return
        path = job.path or self.synth.speak_to_file(job.text, job.voice, keep=job.keep)
        try:
            if gen != self._gen and job.path is None:
                return  # replaced while it was synthesised
            sound = self.loader(str(path))
        finally:
            if not job.keep:
                path.unlink(missing_ok=True)  # the personal phrase lives in memory only now
        if sound is None:
            if not self.silent_reason:
                self.silent_reason = "no audio provider (SDL2_mixer) could open the output"
                log.warning("voice: %s: the kiosk stays silent", self.silent_reason)
            return
        self._halt()
        self._current = sound
        sound.volume = max(0.0, min(1.0, self.volume))
        sound.play()
        self.played += 1
        now = time.perf_counter()
        self.latencies = (self.latencies + [now - job.queued_at])[-200:]
        self.last_started = now
        self.silent_reason = ""
        if job.on_started is not None:
            job.on_started(time.perf_counter() - job.queued_at)

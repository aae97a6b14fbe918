"""The pinyin → hanzi dictionary: built from pypinyin's readings, ranked by jieba's frequencies.

Both packages ship their data as plain files (pypinyin: the reading of every character and of
~47 000 polyphonic phrases; jieba: ~350 000 words with corpus frequencies), so nothing is
fetched from the network. Building takes a few seconds, so it happens once, off the UI thread,
and the result is cached in ``~/.cache/kiosk/ime`` (keyed by both packages' versions); later
starts load the cache in well under a second. Nothing here runs before the first frame.
"""

from __future__ import annotations

import bisect
import heapq
import logging
import os
import pickle
import threading
import unicodedata
from dataclasses import dataclass, field
from importlib import metadata, resources
from pathlib import Path

from kiosk.ime.errors import ImeError

log = logging.getLogger(__name__)

FORMAT = 1
MAX_WORD = 4
"""Longest phrase offered (longer ones are typed in parts)."""
PER_KEY = 24
"""Candidates kept per pinyin key."""


def toneless(reading: str) -> str:
    """'lǘ' → 'lv', 'zhōng' → 'zhong' (ü is typed as v, as on every pinyin keyboard)."""
    nfd = unicodedata.normalize("NFD", reading.strip().lower()).replace("u\u0308", "v")
    return "".join(c for c in nfd if not unicodedata.combining(c))


@dataclass
class PinyinIndex:
    """Pinyin keys (syllables run together, e.g. 'shebao') → words, most frequent first."""

    words: dict[str, list[str]] = field(default_factory=dict)
    syllables: frozenset[str] = frozenset()
    keys: list[str] = field(default_factory=list)
    """Sorted keys (prefix search for a syllable still being typed)."""
    freq: dict[str, int] = field(default_factory=dict)
    """Frequency of each key's best word (ranks prefix matches)."""

    def exact(self, key: str) -> list[str]:
        """Words whose pinyin is exactly `key`."""
        return self.words.get(key, [])

    def prefixed(self, prefix: str, limit: int = PER_KEY) -> list[tuple[str, str]]:
        """(key, word) of the most frequent words whose pinyin starts with `prefix`."""
        memo = self.__dict__.setdefault("_memo", {})
        if (prefix, limit) in memo:  # one or two letters span tens of thousands of keys
            return memo[(prefix, limit)]
        lo = bisect.bisect_left(self.keys, prefix)
        hi = bisect.bisect_left(self.keys, prefix + "\x7f")
        best = heapq.nlargest(limit, self.keys[lo:hi], key=lambda k: self.freq.get(k, 0))
        out = []
        for k in best:
            for w in self.words[k][:2]:
                out.append((k, w))
        out = out[:limit]
        if len(prefix) <= 3:
            memo[(prefix, limit)] = out
        return out

    def split(self, letters: str) -> list[str]:
        """Greedy longest-syllable split; the last piece may be a syllable still being typed."""
        out, i = [], 0
        while i < len(letters):
            for n in range(min(6, len(letters) - i), 0, -1):
                if letters[i : i + n] in self.syllables:
                    out.append(letters[i : i + n])
                    i += n
                    break
            else:
                out.append(letters[i:])
                break
        return out


def _versions() -> str:
    parts = []
    for dist in ("pypinyin", "jieba"):
        try:
            parts.append(f"{dist}-{metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            raise ImeError(
                f"the input method needs the {dist} package (make setup installs it)"
            ) from None
    return "-".join(parts)


def build() -> PinyinIndex:
    """Build the index from the two packages' shipped data (a few seconds)."""
    from pypinyin import phrases_dict, pinyin_dict

    readings: dict[str, list[str]] = {}
    for cp, text in pinyin_dict.pinyin_dict.items():
        if 0x4E00 <= cp <= 0x9FFF or cp == 0x3007:  # the unified block the fonts and GB18030
            readings[chr(cp)] = [toneless(r) for r in text.split(",") if r]  # printers cover
    phrases = phrases_dict.phrases_dict
    freq: dict[str, int] = {}
    with resources.files("jieba").joinpath("dict.txt").open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 2 and len(parts[0]) <= MAX_WORD:
                try:
                    freq[parts[0]] = int(parts[1])
                except ValueError:
                    continue
    ranked: dict[str, list[tuple[int, str]]] = {}
    syllables: set[str] = set()
    for ch, rs in readings.items():
        f = freq.get(ch, 0)
        for pos, r in enumerate(rs):
            syllables.add(r)
            # a character's other readings rank lower than its main one
            ranked.setdefault(r, []).append((f if pos == 0 else f // 20, ch))
    for word, f in freq.items():
        if len(word) < 2:
            continue
        if word in phrases:
            key = "".join(toneless(r[0]) for r in phrases[word])
        elif all(ch in readings for ch in word):
            key = "".join(readings[ch][0] for ch in word)
        else:
            continue
        ranked.setdefault(key, []).append((f, word))
    words: dict[str, list[str]] = {}
    best: dict[str, int] = {}
    for key, lst in ranked.items():
        lst.sort(key=lambda t: -t[0])
        seen: list[str] = []
        for _f, w in lst:
            if w not in seen:
                seen.append(w)
            if len(seen) >= PER_KEY:
                break
        words[key] = seen
        best[key] = lst[0][0]
    return PinyinIndex(words, frozenset(syllables), sorted(words), best)


def _state(index: PinyinIndex) -> dict:
    return {k: v for k, v in index.__dict__.items() if k != "_memo"}


def cache_path() -> Path:
    """Where the built index is kept (per package versions)."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kiosk" / "ime"
    return base / f"pinyin-{FORMAT}-{_versions()}.pickle"


def load() -> PinyinIndex:
    """The index from the cache, building (and caching) it when missing or damaged."""
    path = cache_path()
    try:
        with path.open("rb") as fh:
            index = pickle.load(fh)
        if isinstance(index, PinyinIndex) and index.words:
            return index
    except FileNotFoundError:
        pass
    except Exception as exc:  # noqa: BLE001 - a damaged cache is rebuilt, never fatal
        log.warning("input method cache %s unreadable (%s): rebuilding", path, type(exc).__name__)
    index = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as fh:
            pickle.dump(PinyinIndex(**_state(index)), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("input method cache not written (%s): it is rebuilt next start", exc)
    return index


class LazyIndex:
    """Loads the index once, in a background thread, on first need."""

    def __init__(self, loader=load) -> None:  # type: ignore[no-untyped-def]
        self._loader = loader
        self._index: PinyinIndex | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.error = ""
        self.on_ready: list = []  # callbacks (from the loading thread)

    @property
    def ready(self) -> PinyinIndex | None:
        """The index if loaded, else None (and loading starts)."""
        if self._index is None:
            self.warm()
        return self._index

    def warm(self) -> None:
        """Start loading in the background (no-op when loading or loaded)."""
        with self._lock:
            if self._index is not None or (self._thread is not None and self._thread.is_alive()):
                return
            self._thread = threading.Thread(target=self._load, name="kiosk-ime-index", daemon=True)
            self._thread.start()

    def wait(self, timeout: float | None = None) -> PinyinIndex | None:
        """Block until loaded (tests, benchmarks)."""
        self.warm()
        t = self._thread
        if t is not None:
            t.join(timeout)
        return self._index

    def _load(self) -> None:
        try:
            self._index = self._loader()
        except Exception as exc:  # noqa: BLE001 - the keyboard falls back to letters
            self.error = str(exc) or type(exc).__name__
            log.error("input method dictionary unavailable: %s", self.error)
        for cb in list(self.on_ready):
            cb()


shared = LazyIndex()
"""The process-wide index (one build or load per process)."""

"""The on-screen keyboard's logic (no widgets): 拼音 / English / 123 layouts, candidate paging,
and what each key does to the text of the field being edited."""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.ime.composer import Candidate, Composer, candidates
from kiosk.ime.index import LazyIndex, PinyinIndex, shared

LETTER_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
SYMBOL_ROWS = ("1234567890", "，。？！、：；“”", "（）《》-/@#%")
PER_PAGE = 7
"""Candidates on the bar at once (big enough to hit, ‹ › turn the page)."""
MODES = ("pinyin", "latin", "symbols")


@dataclass
class Edit:
    """What a key does to the field: insert text and/or delete characters before the caret."""

    insert: str = ""
    delete: int = 0
    clear: bool = False


@dataclass
class Keyboard:
    """State of the keyboard for one text field."""

    index: LazyIndex = field(default_factory=lambda: shared)
    mode: str = "pinyin"
    page: int = 0
    composer: Composer = field(default_factory=Composer)

    # ---- what the screen shows ----

    @property
    def dictionary(self) -> PinyinIndex | None:
        """The loaded index (None while it loads: letters still type in English mode)."""
        return self.index.ready

    def rows(self) -> list[list[str]]:
        """Key captions, one list per row."""
        if self.mode == "symbols":
            return [list(r) for r in SYMBOL_ROWS]
        upper = self.mode == "latin"
        return [list(r.upper() if upper else r) for r in LETTER_ROWS]

    def all_candidates(self) -> list[Candidate]:
        """Every candidate for the run typed so far."""
        idx = self.dictionary
        return (
            candidates(idx, self.composer.letters)
            if idx is not None and self.composer.letters
            else []
        )

    def bar(self) -> list[Candidate]:
        """The candidates on the current page of the bar."""
        cands = self.all_candidates()
        self.page = min(self.page, max(0, (len(cands) - 1) // PER_PAGE))
        return cands[self.page * PER_PAGE : (self.page + 1) * PER_PAGE]

    def pages(self) -> int:
        """Pages of candidates."""
        return max(1, -(-len(self.all_candidates()) // PER_PAGE))

    def composing(self) -> str:
        """The pinyin run, syllables apart."""
        return self.composer.display(self.dictionary)

    # ---- keys ----

    def press(self, key: str) -> Edit:
        """A key of the current layout, or one of: space, back, clear, mode:<m>, prev, next."""
        if key.startswith("mode:"):
            mode = key[5:]
            if mode in MODES:
                edit = self._flush()
                self.mode, self.page = mode, 0
                return edit
            return Edit()
        if key in ("prev", "next"):
            self.page = max(0, min(self.pages() - 1, self.page + (1 if key == "next" else -1)))
            return Edit()
        if key == "back":
            if self.composer.backspace():
                self.page = 0
                return Edit()
            return Edit(delete=1)
        if key == "clear":
            self.composer.clear()
            return Edit(clear=True)
        if key == "space":
            if self.composer.letters:  # space takes the first candidate, as on any pinyin IME
                return self._take(0) if self.all_candidates() else self._flush()
            return Edit(insert=" " if self.mode == "latin" else "")
        if self.mode == "pinyin" and len(key) == 1 and key.isascii() and key.isalpha():
            if self.dictionary is None:  # still loading: type the letter rather than lose it
                return Edit(insert=key)
            self.composer.type(key)
            self.page = 0
            return Edit()
        # punctuation or a digit ends the run first: with its first candidate, as pinyin IMEs do
        edit = self._take(0) if self.composer.letters and self.all_candidates() else self._flush()
        edit.insert += key
        return edit

    def choose(self, slot: int) -> Edit:
        """Tap the candidate in `slot` (0-based) of the bar's current page."""
        return self._take(self.page * PER_PAGE + slot)

    def _take(self, i: int) -> Edit:
        cands = self.all_candidates()
        if not 0 <= i < len(cands):
            return Edit()
        text = self.composer.choose(cands[i])
        self.page = 0
        return Edit(insert=text)

    def _flush(self) -> Edit:
        """Leave a half-typed run as the letters themselves (never lose what was typed)."""
        letters = self.composer.letters
        self.composer.clear()
        return Edit(insert=letters)

    def reset(self) -> None:
        """A new field, or the session ended."""
        self.composer.clear()
        self.mode, self.page = "pinyin", 0

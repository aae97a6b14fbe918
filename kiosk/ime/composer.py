"""Pinyin composition: letters typed so far → candidates; choosing one consumes its letters."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.ime.index import PinyinIndex

MAX_LETTERS = 24
"""Longest pinyin run composed at once (longer input is chosen in parts)."""


@dataclass(frozen=True)
class Candidate:
    """A word the citizen may pick, and how many typed letters it stands for."""

    text: str
    consumes: int


def candidates(index: PinyinIndex, letters: str, limit: int = 40) -> list[Candidate]:
    """Candidates for `letters`: the whole run as a phrase, phrases it begins, then the words
    of its leading syllables (longest first), so a long run can be chosen piece by piece."""
    letters = letters.lower()
    if not letters:
        return []
    parts = index.split(letters)
    complete = parts[-1] in index.syllables
    out: list[Candidate] = []
    seen: set[str] = set()

    def add(text: str, consumes: int) -> None:
        if text not in seen and len(out) < limit:
            seen.add(text)
            out.append(Candidate(text, consumes))

    if complete:
        for w in index.exact(letters):
            add(w, len(letters))
    if len(letters) >= 2 or not complete:
        for _key, w in index.prefixed(letters, 12 if complete else 24):
            add(w, len(letters))
    for n in range(len(parts) - 1, 0, -1):  # leading syllables (the last is done above)
        key = "".join(parts[:n])
        for w in index.exact(key):
            add(w, len(key))
    if not out and complete:
        for w in index.exact(parts[0]):
            add(w, len(parts[0]))
    return out


class Composer:
    """The pinyin run being typed and its candidates (no widgets; the form view-model shows it)."""

    def __init__(self) -> None:
        self.letters = ""

    def type(self, letter: str) -> None:
        """One letter key (a–z)."""
        if len(self.letters) < MAX_LETTERS:
            self.letters += letter.lower()

    def backspace(self) -> bool:
        """Drop the last typed letter; False when there was none (the field's text loses one)."""
        if not self.letters:
            return False
        self.letters = self.letters[:-1]
        return True

    def choose(self, cand: Candidate) -> str:
        """Take a candidate: returns the text to insert, keeps the letters it did not cover."""
        self.letters = self.letters[cand.consumes :]
        return cand.text

    def clear(self) -> None:
        """Forget the run (field cleared, field left, session ended)."""
        self.letters = ""

    def display(self, index: PinyinIndex | None) -> str:
        """The run as shown above the candidates, syllables apart: she'bao'j."""
        if not self.letters:
            return ""
        return "'".join(index.split(self.letters)) if index is not None else self.letters

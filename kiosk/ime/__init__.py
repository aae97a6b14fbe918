"""On-screen Chinese input: pinyin with a candidate bar (pypinyin readings ranked by jieba's
word frequencies, built lazily and cached), plus English letters, digits and punctuation."""

from kiosk.ime.composer import Candidate, Composer, candidates
from kiosk.ime.keyboard import Edit, Keyboard

__all__ = ["Candidate", "Composer", "Edit", "Keyboard", "candidates"]

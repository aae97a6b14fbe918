"""Chinese text for ESC/POS: GB18030 bytes, GB2312 font coverage, column widths, wrapping.

In Chinese mode (`FS &`) a printer prints each one-byte character (ASCII) in one column
(12 dots in font A) and each multi-byte character in two columns (24 dots), whatever its
Unicode "width" is; the fonts of most printers only cover GB2312, so any other character
is replaced by a visible placeholder before sending (and counted, so the caller can log it).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

log = logging.getLogger(__name__)

FS_CHINESE_ON = b"\x1c\x26"  # FS &
FS_CHINESE_OFF = b"\x1c\x2e"  # FS .
PLACEHOLDER = "\u25a1"  # □, in GB2312 (A1F5) so the printer can print it
ENCODING = "gb18030"

_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
#: Punctuation that must not start a line (CJK line-breaking rule 避头点).
NO_LINE_START = frozenset("）》」』】〕〉，。、：；！？％)]}.,:;!?%")


@dataclass(frozen=True)
class EncodedLine:
    """One line ready for the printer: its bytes and how many characters were replaced."""

    data: bytes
    replaced: int


def printable(ch: str) -> bool:
    """True if the printer font can print `ch` (printable ASCII or a GB2312 character)."""
    if len(ch) != 1 or _CONTROL_RE.match(ch):
        return False
    if ch < "\x80":
        return True
    try:
        ch.encode("gb2312")
        return True
    except UnicodeEncodeError:
        pass
    # GB18030 sends some characters as GB2312 code points that Python's gb2312 codec maps to
    # other Unicode ones (· U+00B7 → A1A4, — U+2014 → A1AA): the printer font has those.
    data = ch.encode(ENCODING)
    if len(data) != 2:
        return False
    try:
        data.decode("gb2312")
    except UnicodeDecodeError:
        return False
    return True


def sanitize(text: str) -> tuple[str, int]:
    """Replace every character the printer cannot print (and control bytes) by □; return the count."""
    if not _CONTROL_RE.search(text):
        try:
            text.encode("gb2312")
            return text, 0
        except UnicodeEncodeError:
            pass
    out = []
    replaced = 0
    for ch in text:
        if ch == "\t":
            out.append(" ")
        elif printable(ch):
            out.append(ch)
        else:
            out.append(PLACEHOLDER)
            replaced += 1
    return "".join(out), replaced


#: Characters outside GB2312 that receipts meet in real data, and what a GB2312 font can print.
FOLDS = {
    "m²": "平方米",
    "㎡": "平方米",
    "㎏": "千克",
    "㎝": "厘米",
    "㎞": "公里",
    "²": "2",
    "³": "3",
    "•": "·",
    "–": "-",
    "\u00a0": " ",
    "\u3000": "  ",
}
_FOLD_RE = re.compile("|".join(re.escape(k) for k in sorted(FOLDS, key=len, reverse=True)))


def fold(text: str) -> str:
    """Replace the characters of `FOLDS` (e.g. ㎡ → 平方米) before layout; the rest is left as is."""
    return _FOLD_RE.sub(lambda m: FOLDS[m.group(0)], text) if text and not text.isascii() else text


def char_width(ch: str) -> int:
    """Columns taken by one (sanitized) character: 1 for ASCII, 2 for anything multi-byte."""
    return 1 if ch < "\x80" else 2


def text_width(text: str) -> int:
    """Columns taken by `text` on the printer."""
    if text.isascii():
        return len(text)
    return sum(1 if ch < "\x80" else 2 for ch in text)


def wrap(text: str, width: int) -> list[str]:
    """Split `text` into lines of at most `width` columns, never splitting a character.

    Hard line breaks are kept; an ASCII word that fits on a line is not broken; an empty
    text gives one empty line.
    """
    if width < 2:
        raise ValueError("width must be at least 2 columns")
    lines: list[str] = []
    for para in text.split("\n"):
        if text_width(para) <= width:
            lines.append(para)
            continue
        current = ""
        used = 0
        for ch in para:
            w = char_width(ch)
            if used + w > width:
                # a space after a full line is a word boundary: the line breaks there
                cut = len(current) if ch == " " else _ascii_break(current, width)
                if ch in NO_LINE_START and cut == len(current) and len(current) > 1:
                    cut -= 1  # carry the last character down with the punctuation
                head, tail = current[:cut], current[cut:]
                if text_width(tail) + w > width:
                    head, tail = current, ""
                lines.append(head.rstrip(" ") or head)
                current = tail.lstrip(" ")
                used = text_width(current)
                if ch == " " and not current:
                    continue
            current += ch
            used += w
        lines.append(current)
    return lines


def _ascii_break(line: str, width: int) -> int:
    """Where to break a full line: after the last space if it ends inside an ASCII word."""
    if not line or line[-1] == " " or not line[-1].isascii():
        return len(line)
    pos = line.rfind(" ")
    if pos <= 0 or not line[pos + 1 :].isascii() or text_width(line[pos + 1 :]) >= width:
        # a word longer than the line: break it after a hyphen inside it if there is one
        hyphen = line.rfind("-", max(pos, 0) + 1, len(line) - 1)
        return hyphen + 1 if hyphen > max(pos, 0) and line[hyphen - 1].isalnum() else len(line)
    return pos + 1


def encode_line(text: str) -> EncodedLine:
    """Sanitize and encode one line as GB18030 (no line feed added)."""
    clean, replaced = sanitize(text)
    return EncodedLine(clean.encode(ENCODING), replaced)

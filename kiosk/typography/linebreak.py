"""Chinese text on screen: CJK detection and line breaking by 避头尾 rules (no widgets).

`break_lines` decides where a paragraph wraps, given a width and a way to measure text:
- no line starts with closing punctuation (，。、；：？！）」 …: 避头);
- no line ends with an opening bracket or quote (（「《“ …: 避尾);
- the last line of a paragraph is never one lone character (打印/印);
- Latin words and numbers (12345, ID, 2025-11) are never split, spaces are where they break.
`install()` makes every wrapped Kivy Label with Chinese text go through it (see below).
"""

from __future__ import annotations

import re
from collections.abc import Callable

CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
NO_START = set("，。、；：？！）」』】〕〉》”’…—·%,.;:?!)]}") | {"\u3015"}
"""Characters a line must not start with (closing punctuation)."""
NO_END = set("（「『【〔〈《“‘([{")
"""Characters a line must not end with (opening brackets and quotes)."""
_UNIT = re.compile(
    r"\s+|[A-Za-z0-9@#&+\-_/.%:']+(?=[\s\u3000-\uffff]|$)|[A-Za-z0-9@#&+\-_/.%:']+|.", re.S
)

Measure = Callable[[str], float]


def has_cjk(text: str) -> bool:
    """Whether `text` holds a Chinese character."""
    return bool(CJK_RE.search(text))


def _units(paragraph: str) -> list[str]:
    return _UNIT.findall(paragraph)


def _ok(line: list[str], nxt: list[str]) -> bool:
    """A break between `line` and `nxt` obeys 避头尾."""
    head = "".join(nxt).lstrip()[:1]
    tail = "".join(line).rstrip()[-1:]
    return head not in NO_START and tail not in NO_END


def _strip(line: list[str]) -> str:
    return "".join(line).strip(" ")


def _visible(units: list[str]) -> int:
    return sum(1 for u in units for c in u if not c.isspace() and c not in NO_START)


def break_paragraph(paragraph: str, width: float, measure: Measure) -> list[str]:
    """One paragraph (no newlines) as lines no wider than `width` where the rules allow."""
    units = _units(paragraph)
    lines: list[list[str]] = []
    line: list[str] = []
    i = 0
    while i < len(units):
        u = units[i]
        if not line and u.isspace():
            i += 1  # a wrapped line never starts with the space it broke at
            continue
        if not line or measure(_strip(line + [u])) <= width:
            line.append(u)
            i += 1
            continue
        # u does not fit: break before it, moved back until the break obeys 避头尾
        cut = len(line)
        while cut > 1 and not _ok(line[:cut], line[cut:] + [u]):
            cut -= 1
        if not _ok(line[:cut], line[cut:] + [u]):
            # no legal break on this line: closing punctuation hangs past the edge (ぶら下げ),
            # anything else starts the next line
            if "".join([u]).strip()[:1] in NO_START:
                line.append(u)
                i += 1
                continue
            cut = len(line)
        lines.append(line[:cut])
        i -= len(line) - cut
        line = []
    if line:
        lines.append(line)
    _no_orphan(lines, width, measure)
    return [_strip(ln) for ln in lines if _strip(ln)] or [""]


def _no_orphan(lines: list[list[str]], width: float, measure: Measure) -> None:
    """Pull units down from the line before so the last line holds ≥ 2 characters."""
    if len(lines) < 2 or _visible(lines[-1]) >= 2:
        return
    prev, last = lines[-2], lines[-1]
    for k in range(1, len(prev)):
        moved = prev[len(prev) - k :]
        if moved[0].isspace():
            continue
        if not _ok(prev[: len(prev) - k], moved + last) or measure(_strip(moved + last)) > width:
            continue
        if _visible(moved + last) >= 2 and _visible(prev[: len(prev) - k]) >= 1:
            lines[-2], lines[-1] = prev[: len(prev) - k], moved + last
            return


def break_lines(text: str, width: float, measure: Measure) -> list[str]:
    """`text` (paragraphs separated by newlines) broken into lines for `width`."""
    out: list[str] = []
    for paragraph in text.split("\n"):
        out.extend(break_paragraph(paragraph, width, measure) if paragraph else [""])
    return out


# ---- every wrapped Kivy label ----
# All of the kiosk's wrapped text (Body, Heading, TextLine, tiles, table cells, buttons) is a
# kivy Label with a text_size width, and every Label renders through Label.texture_update:
# that is where the breaks are decided. Kivy's own wrapping (which knows no 避头尾) then finds
# every line already short enough and leaves it alone.

_WIDTHS: dict[tuple[object, ...], dict[str, float]] = {}


def _measurer(core: object) -> Measure:
    opts = core.options  # type: ignore[attr-defined]
    key = (
        opts.get("font_name"),
        opts.get("font_size"),
        opts.get("bold"),
        opts.get("italic"),
        opts.get("font_family"),
    )
    cache = _WIDTHS.setdefault(key, {})

    def measure(s: str) -> float:
        total = 0.0
        for piece in _units(s):
            w = cache.get(piece)
            if w is None:
                w = cache[piece] = float(core.get_extents(piece)[0])  # type: ignore[attr-defined]
            total += w
        return total

    return measure


def install() -> None:
    """Make every wrapped Label with Chinese text break its lines by break_lines (once)."""
    from kivy.uix.label import Label

    if getattr(Label, "_kiosk_linebreak", False):
        return
    original = Label.texture_update

    def texture_update(self: Label, *args: object) -> None:
        core = self._label
        width = self.text_size[0] if self.text_size else None
        if (
            width
            and not self.markup
            and not self.shorten
            and core is not None
            and has_cjk(self.text)
        ):
            padding = core.options.get("padding") or (0, 0, 0, 0)
            avail = width - padding[0] - padding[2] - 1  # a pixel of slack for rounding
            core.text = "\n".join(break_lines(self.text, avail, _measurer(core)))
        elif core is not None and core.text != self.text:
            core.text = self.text
        original(self, *args)

    Label.texture_update = texture_update  # type: ignore[method-assign]
    Label._kiosk_linebreak = True  # type: ignore[attr-defined]
    Label._kiosk_plain_texture_update = original  # type: ignore[attr-defined]

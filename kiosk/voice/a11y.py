"""适老化 / 无障碍 checks on a live widget tree and on the theme: contrast ≥ 4.5:1 (WCAG 2.x
relative luminance), text ≥ 30 dp in 长辈模式, touch targets ≥ 60 × 60 dp, line spacing ≥ 1.3,
no citizen timeout under 90 s in 长辈模式. The tests run them over every screen."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

MIN_CONTRAST = 4.5
MIN_TEXT_DP_ELDERLY = 30.0
MIN_TARGET_DP = 60.0
MIN_LINE_SPACING = 1.3
MIN_TIMEOUT_ELDERLY_S = 90.0

TEXT_PAIRS = (
    ("text", "bg"),
    ("text", "card"),
    ("text", "header"),
    ("text", "alert_bg"),
    ("text", "total_bg"),
    ("primary_text", "card"),
    ("primary_text", "bg"),
    ("muted", "card"),
    ("muted", "bg"),
    ("error", "card"),
    ("error", "bg"),
    ("ok", "card"),
    ("ok", "bg"),
    ("on_primary", "primary"),
    ("on_primary", "pressed"),
    ("on_bar", "bar"),
    ("on_primary", "warn"),
    ("on_primary", "accent"),
    ("primary_text", "header"),
    ("warn", "card"),
    ("warn", "bg"),
)
"""Every foreground/background pair the .kv files draw text with."""


def _lin(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(rgba: Iterable[float]) -> float:
    """WCAG relative luminance of an sRGB colour (0..1 components)."""
    r, g, b = list(rgba)[:3]
    return 0.2126 * _lin(r) + 0.7152 * _lin(g) + 0.0722 * _lin(b)


def contrast(fg: Iterable[float], bg: Iterable[float]) -> float:
    """WCAG contrast ratio (1..21)."""
    a, b = luminance(fg), luminance(bg)
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)


def over(fg: Iterable[float], bg: Iterable[float]) -> tuple[float, float, float, float]:
    """`fg` with its alpha composited over an opaque `bg`."""
    f, b = list(fg), list(bg)
    a = f[3] if len(f) > 3 else 1.0
    r, g, bl = (f[i] * a + b[i] * (1 - a) for i in range(3))
    return (r, g, bl, 1.0)


@dataclass(frozen=True)
class Finding:
    """One failed check: which rule, which widget (type and text), and the measured value."""

    rule: str
    widget: str
    value: float
    limit: float

    def __str__(self) -> str:
        return f"{self.rule}: {self.widget} = {self.value:.2f} (limit {self.limit})"


def theme_findings(normal: dict[str, Any], high_contrast: dict[str, Any]) -> list[Finding]:
    """Contrast of every text/background pair in both themes."""
    out = []
    for name, theme in (("normal", normal), ("elderly", high_contrast)):
        for fg, bg in TEXT_PAIRS:
            ratio = contrast(theme[fg], theme[bg])
            if ratio < MIN_CONTRAST:
                out.append(Finding("contrast", f"{name}:{fg}/{bg}", ratio, MIN_CONTRAST))
    return out


def _describe(w: Any) -> str:
    text = getattr(w, "text", "") or getattr(w, "name", "")
    return f"{type(w).__name__}({str(text)[:24]!r})"


def visible(root: Any) -> Iterator[Any]:
    """Widgets a citizen can see under `root` (opacity > 0; hidden layers are out of the tree)."""
    if root.opacity == 0:
        return
    yield root
    for c in root.children:
        yield from visible(c)


def _lines(label: Any) -> int:
    core = getattr(label, "_label", None)
    lines = getattr(core, "_cached_lines", None) if core is not None else None
    return len(lines) if lines else 1


def tree_findings(
    root: Any, *, elderly: bool, dp: Any, window_bg: Iterable[float]
) -> list[Finding]:
    """Text size, touch targets, line spacing and button contrast of the widgets shown."""
    from kivy.uix.behaviors import ButtonBehavior
    from kivy.uix.button import Button
    from kivy.uix.label import Label

    out: list[Finding] = []
    unit = float(dp(1))
    for w in visible(root):
        if isinstance(w, ButtonBehavior) and not getattr(w, "disabled", False):
            wd, ht = w.width / unit, w.height / unit
            if min(wd, ht) < MIN_TARGET_DP:
                out.append(Finding("target", _describe(w), min(wd, ht), MIN_TARGET_DP))
        if not isinstance(w, Label) or not (w.text or "").strip() or w.texture_size[1] == 0:
            continue
        size = w.font_size / unit
        if elderly and size < MIN_TEXT_DP_ELDERLY - 0.01:
            out.append(Finding("text_size", _describe(w), size, MIN_TEXT_DP_ELDERLY))
        n = _lines(w)
        if n > 1:
            pitch = (w.texture_size[1] - 2 * w.padding_y) / n / w.font_size
            if pitch < MIN_LINE_SPACING - 0.01:
                out.append(Finding("line_spacing", _describe(w), pitch, MIN_LINE_SPACING))
        if isinstance(w, Button) and w.background_normal == "":
            bg = over(w.background_color, window_bg)
            ratio = contrast(w.color, bg)
            if ratio < MIN_CONTRAST:
                out.append(Finding("contrast", _describe(w), ratio, MIN_CONTRAST))
    return out


def timeout_findings(engine: Any) -> list[Finding]:
    """In 长辈模式, every wait for the citizen lasts at least 90 s (countdown included)."""
    from kiosk.session.states import CITIZEN_WAIT, State

    out = []
    for state in sorted(CITIZEN_WAIT, key=lambda s: s.value):
        if state == State.DONE:
            continue  # the thank-you screen waits for nobody: it goes home by itself
        t = engine.state_timeout(state)
        if t is not None and t < MIN_TIMEOUT_ELDERLY_S:
            out.append(Finding("timeout", state.value, t, MIN_TIMEOUT_ELDERLY_S))
    return out

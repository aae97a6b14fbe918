"""语音导办 (audio-guided mode) and 双击确认 over the live widget tree: the current screen's
buttons in reading order, one focused at a time, read aloud; big 上一项 / 下一项 / 确认 / 重听
buttons or the keypad (4 / 6 / 5 or Enter / 0, arrow keys) move and act. Works on every screen
without per-screen code: what a sighted citizen can tap, a blind one can reach."""

from __future__ import annotations

import logging
import time
from typing import Any

from kivy.event import EventDispatcher
from kivy.properties import ListProperty, NumericProperty
from kivy.uix.behaviors import ButtonBehavior

from kiosk.ui import i18n

log = logging.getLogger(__name__)

ARM_S = 4.0
"""双击确认: the second tap must come within this many seconds of the first."""
KEYS = {
    "next": (275, 262, 274),
    "prev": (276, 260, 273),
    "act": (13, 271, 261),
    "repeat": (48, 256),
    "louder": (270, 61),
    "softer": (269, 45),
}
"""Kivy key codes: right/keypad 6/down, left/keypad 4/up, Enter/keypad Enter/keypad 5, 0/keypad 0,
keypad + / =, keypad - / -."""


def label_of(w: Any) -> str:
    """What a button says: a form row its label (never its value: it may be personal), a tile
    its item name, a button its text."""
    for attr in ("label", "text", "name") if hasattr(w, "label") else ("text", "name"):
        value = getattr(w, attr, "")
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return ""


def tappable(root: Any, skip: tuple[Any, ...] = ()) -> list[Any]:
    """Visible, enabled buttons with a label under `root`, in reading order (rows, then x)."""
    out: list[Any] = []

    def walk(w: Any) -> None:
        if w in skip or w.opacity == 0 or getattr(w, "disabled", False):
            return
        if isinstance(w, ButtonBehavior) and label_of(w):
            out.append(w)
            return
        for c in reversed(w.children):  # Kivy lists children last-added first
            walk(c)

    walk(root)
    pos = [(w, w.to_window(w.x, w.top)) for w in out]
    pos.sort(key=lambda p: (-round(p[1][1] / 8), p[1][0]))
    return [w for w, _ in pos]


class Guide(EventDispatcher):
    """The focus of audio-guided mode and the armed button of 双击确认."""

    index = NumericProperty(-1)
    focus_rect = ListProperty([0, 0, 0, 0])
    """Window rectangle of the focused button (the overlay draws a frame round it)."""

    def __init__(self, app: Any, voice: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.app = app
        self.voice = voice
        self.own: tuple[Any, ...] = ()
        """The guide's and the voice panel's own widgets (never in the focus list)."""
        self._armed: Any = None
        self._armed_at = 0.0
        voice.bind(guide=lambda *_: self.reset())

    # ---- the focus list ----

    def targets(self) -> list[Any]:
        """The buttons of the current screen and of visible overlays."""
        root = self.app._root
        if root is None:
            return []
        overlays = [
            c
            for c in root.children
            if c is not self.app.sm
            and c not in self.own
            and c.opacity > 0
            and type(c).__name__ != "DevDock"
        ]
        if overlays:  # an overlay (countdown, help) takes the whole attention
            found = [w for o in overlays for w in tappable(o, self.own)]
            if found:
                return found
        screen = self.app.sm.current_screen if self.app.sm is not None else None
        if screen is None:
            return []
        found = tappable(screen, self.own)
        if screen.name == "home":  # the linear flow: the items first, then the rest
            found.sort(key=lambda w: type(w).__name__ != "ItemTile")
        return found

    def reset(self) -> None:
        """A new screen: no focus yet."""
        self.index = -1
        self.focus_rect = [0, 0, 0, 0]

    def move(self, step: int) -> None:
        """下一项 / 上一项: focus the next or previous button and read it."""
        items = self.targets()
        self.voice.engine.touch()
        if not items:
            self.voice.say(i18n.t("voice.guide_empty", self.voice.engine.lang), what="guide")
            return
        self.index = (
            (self.index + step) % len(items) if self.index >= 0 or step > 0 else len(items) - 1
        )
        w = items[self.index]
        x, y = w.to_window(w.x, w.y)
        self.focus_rect = [x, y, w.width, w.height]
        self.voice.say(
            i18n.t(
                "voice.guide_item",
                self.voice.engine.lang,
                n=self.index + 1,
                total=len(items),
                label=label_of(w),
            ),
            what="guide",
        )

    def activate(self) -> bool:
        """确认: press the focused button."""
        items = self.targets()
        if not 0 <= self.index < len(items):
            self.voice.say(i18n.t("voice.guide_nothing", self.voice.engine.lang), what="guide")
            return False
        w = items[self.index]
        log.debug("guide: pressing %s", type(w).__name__)
        self.reset()
        w.trigger_action(duration=0)
        return True

    def repeat(self) -> None:
        """重听: the screen's prompt again."""
        self.voice.engine.touch()
        self.voice.say_prompt()

    def on_key(self, _window: Any, key: int, *_: Any) -> bool:
        """The keypad in audio-guided mode."""
        if not self.voice.guide:
            return False
        if key in KEYS["next"]:
            self.move(1)
        elif key in KEYS["prev"]:
            self.move(-1)
        elif key in KEYS["act"]:
            self.activate()
        elif key in KEYS["repeat"]:
            self.repeat()
        elif key in KEYS["louder"]:
            self.voice.louder()
        elif key in KEYS["softer"]:
            self.voice.softer()
        else:
            return False
        return True

    # ---- 双击确认 ----

    def intercept_touch(self, _root: Any, touch: Any) -> bool:
        """In 双击确认 mode the first tap on a button reads it and is swallowed."""
        if not self.voice.double_tap or self.voice.panel_open:
            return False  # the voice panel is modal and never needs a second tap
        if any(
            w.opacity > 0
            and w.collide_point(*touch.pos)
            and any(
                c.collide_point(*touch.pos)
                for c in w.walk(restrict=True)
                if c is not w and isinstance(c, ButtonBehavior)
            )
            for w in self.own
        ):
            return False  # the 语音导办 band's own buttons act at once
        hit = next((w for w in self._under(touch) if w not in self.own), None)
        if hit is None:
            return False
        now = time.monotonic()
        if hit is self._armed and now - self._armed_at <= ARM_S:
            self._armed = None
            return False  # the second tap acts
        self._armed, self._armed_at = hit, now
        self.voice.label_tapped(label_of(hit))
        return True

    def _under(self, touch: Any) -> list[Any]:
        items = self.targets()
        hits = []
        for w in items:
            x, y = w.to_window(w.x, w.y)
            if x <= touch.x <= x + w.width and y <= touch.y <= y + w.height:
                hits.append(w)
        return hits

    def wipe(self) -> None:
        """Session end: nothing armed, no focus."""
        self._armed = None
        self.reset()

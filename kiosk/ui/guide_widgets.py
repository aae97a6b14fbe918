"""Widgets of the guidance screens (issue 23): the flow chart of a 办事指南 drawn from its data
(used by assets/kv/zhinan.kv)."""

from __future__ import annotations

import logging
from typing import Any

from kivy.core.text import Label as CoreLabel
from kivy.graphics import Color, Line, Rectangle, Triangle
from kivy.metrics import sp
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.widget import Widget

from kiosk.ui import theme

log = logging.getLogger(__name__)

MIN_FONT_SP = 14


class FlowChart(Widget):
    """A 办事指南 flow chart (kiosk.guide.flowchart.FlowLayout) drawn in vector: boxes with
    their step number and name, routed arrows with arrowheads and labels. Text shrinks to fit
    its box; `overflow` lists any box whose text did not fit even at the smallest size."""

    chart = ObjectProperty(None, allownone=True)
    lang = StringProperty("zh_CN")
    hc = BooleanProperty(False)
    scale = NumericProperty(1.0)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.overflow: list[str] = []
        self.fonts: dict[str, float] = {}
        self.bind(
            chart=self._redraw,
            size=self._redraw,
            pos=self._redraw,
            lang=self._redraw,
            hc=self._redraw,
        )

    def _xy(self, x: float, y: float) -> tuple[float, float]:
        return self.x + x * self.width, self.top - y * self.height

    def _text(self, text: str, w: float, h: float, start: float) -> tuple[Any, float, bool]:
        size = start
        while True:
            lbl = CoreLabel(
                text=text,
                font_size=size,
                text_size=(max(1, w), None),
                halign="center",
                valign="middle",
                bold=True,
            )
            lbl.refresh()
            tw, th = lbl.texture.size
            if (th <= h and tw <= w + 1) or size <= sp(MIN_FONT_SP):
                return lbl, size, th <= h and tw <= w + 1
            size *= 0.9

    def _redraw(self, *_: Any) -> None:
        self.canvas.clear()
        self.overflow, self.fonts = [], {}
        fl = self.chart
        if fl is None or self.width < 10 or self.height < 10:
            return
        c = lambda name: theme.colour(name, self.hc)  # noqa: E731
        en = self.lang == "en"
        with self.canvas:
            for e in fl.edges:
                Color(*c("primary"))
                pts = [v for p in e.points for v in self._xy(*p)]
                Line(points=pts, width=1.6)
                (x0, y0), (x1, y1) = (pts[-4], pts[-3]), (pts[-2], pts[-1])
                self._head(x0, y0, x1, y1)
                label = e.en if en else e.zh
                if label:
                    lbl = CoreLabel(text=label, font_size=sp(20) * self.scale, bold=True)
                    lbl.refresh()
                    mx, my = self._label_at(pts)
                    Color(*c("bg"))
                    Rectangle(
                        pos=(mx - lbl.texture.width / 2 - 4, my - lbl.texture.height / 2),
                        size=(lbl.texture.width + 8, lbl.texture.height),
                    )
                    Color(*c("warn"))
                    Rectangle(
                        texture=lbl.texture,
                        pos=(mx - lbl.texture.width / 2, my - lbl.texture.height / 2),
                        size=lbl.texture.size,
                    )
            for b in fl.boxes:
                x, top = self._xy(b.left, b.top)
                w, h = b.w * self.width, b.h * self.height
                Color(*c("card"))
                Rectangle(pos=(x, top - h), size=(w, h))
                Color(*c("primary"))
                Line(rectangle=(x, top - h, w, h), width=1.4)
                text = f"{b.number} {b.en if en else b.zh}"
                lbl, size, ok = self._text(text, w - 12, h - 8, sp(30) * self.scale)
                self.fonts[b.id] = size
                if not ok:
                    self.overflow.append(b.id)
                Color(*c("text"))
                tw, th = lbl.texture.size
                Rectangle(
                    texture=lbl.texture,
                    pos=(x + (w - tw) / 2, top - h + (h - th) / 2),
                    size=(tw, th),
                )

    @staticmethod
    def _label_at(pts: list[float]) -> tuple[float, float]:
        """Middle of the longest vertical run (where a label reads best)."""
        best, at = -1.0, (pts[0], pts[1])
        for i in range(0, len(pts) - 2, 2):
            x0, y0, x1, y1 = pts[i : i + 4]
            if abs(x0 - x1) < 1 and abs(y1 - y0) > best:
                best, at = abs(y1 - y0), ((x0 + x1) / 2, (y0 + y1) / 2)
        return at

    def _head(self, x0: float, y0: float, x1: float, y1: float) -> None:
        dx, dy = x1 - x0, y1 - y0
        n = max(1e-6, (dx * dx + dy * dy) ** 0.5)
        ux, uy = dx / n, dy / n
        s = 12.0
        Triangle(
            points=[
                x1,
                y1,
                x1 - ux * s - uy * s * 0.6,
                y1 - uy * s + ux * s * 0.6,
                x1 - ux * s + uy * s * 0.6,
                y1 - uy * s - ux * s * 0.6,
            ]
        )


class GuideAnswer(Button):
    """A big answer button of the tree (look in guide.kv)."""

    index = NumericProperty(0)
    root = StringProperty("")
    """A root's id on the first screen, "" for an answer."""


class PolicyCard(BoxLayout):
    """One policy of the library (look in policy.kv)."""

    code = StringProperty("")
    title = StringProperty("")
    text = StringProperty("")
    dept = StringProperty("")
    guide = StringProperty("")


class PolicyIme(BoxLayout):
    """The input method of the policy search box (look in policy.kv; keys go to its vm)."""

    vm = ObjectProperty(None, allownone=True, rebind=True)

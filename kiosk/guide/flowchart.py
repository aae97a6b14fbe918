"""The flow chart of a 办事指南, drawn from its data (steps and arrows): a layered layout for the
screen (boxes and routed arrows in unit coordinates) and a text form for the receipt printer."""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass

from kiosk.guide.model import Guide

log = logging.getLogger(__name__)

CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫"
"""Step numbers (GB 2312 has ①–⑩ and GB18030 all twelve: the receipt printer prints them)."""
LANE_W = 0.05
"""Width of one side lane (unit coordinates) for an arrow that skips a row of boxes."""


@dataclass(frozen=True, slots=True)
class Box:
    """A step's box: centre (x, y) and size in unit coordinates, y = 0 at the top."""

    id: str
    number: str
    zh: str
    en: str
    row: int
    x: float
    y: float
    w: float
    h: float

    @property
    def left(self) -> float:
        return self.x - self.w / 2

    @property
    def right(self) -> float:
        return self.x + self.w / 2

    @property
    def top(self) -> float:
        return self.y - self.h / 2

    @property
    def bottom(self) -> float:
        return self.y + self.h / 2

    def contains(self, x: float, y: float, pad: float = 1e-6) -> bool:
        """Whether (x, y) is strictly inside the box."""
        return self.left + pad < x < self.right - pad and self.top + pad < y < self.bottom - pad


@dataclass(frozen=True, slots=True)
class Edge:
    """An arrow as a polyline (unit coordinates, ends at the target box), with its label."""

    src: str
    dst: str
    points: tuple[tuple[float, float], ...]
    zh: str = ""
    en: str = ""


@dataclass(frozen=True, slots=True)
class FlowLayout:
    """Boxes by row and routed arrows, ready to be scaled to a widget."""

    boxes: tuple[Box, ...]
    edges: tuple[Edge, ...]
    rows: int

    def box(self, sid: str) -> Box:
        """The box of a step."""
        return next(b for b in self.boxes if b.id == sid)


def rows_of(guide: Guide) -> dict[str, int]:
    """Row of each step: the longest way from the start (a DAG, see kiosk.guide.schema)."""
    ids = [s.id for s in guide.steps]
    into = {s: 0 for s in ids}
    out: dict[str, list[str]] = {s: [] for s in ids}
    for a in guide.arrows:
        out[a.src].append(a.dst)
        into[a.dst] += 1
    row = {s: 0 for s in ids}
    ready = [s for s in ids if into[s] == 0]
    seen = 0
    while ready:
        s = ready.pop(0)
        seen += 1
        for d in out[s]:
            row[d] = max(row[d], row[s] + 1)
            into[d] -= 1
            if into[d] == 0:
                ready.append(d)
    if seen != len(ids):
        raise ValueError(f"flow chart of {guide.code} is not acyclic")
    return row


def text_width(text: str) -> int:
    """Display columns of a text: CJK and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def layout(guide: Guide) -> FlowLayout:
    """Boxes in rows (top to bottom) and arrows; an arrow that skips rows runs in a side lane."""
    row = rows_of(guide)
    nrows = max(row.values()) + 1
    by_row: dict[int, list[str]] = {}
    for step in guide.steps:
        by_row.setdefault(row[step.id], []).append(step.id)
    skipping = [a for a in guide.arrows if row[a.dst] - row[a.src] > 1]
    lanes = len(skipping)
    width = 1.0 - LANE_W * (lanes + 0.5) if lanes else 1.0
    h = 0.6 / nrows
    boxes: dict[str, Box] = {}
    steps = {s.id: s for s in guide.steps}
    for r, ids in by_row.items():
        n = len(ids)
        cell = width / n
        w = min(cell * 0.86, 0.62 * width)
        for k, sid in enumerate(ids):
            st = steps[sid]
            boxes[sid] = Box(
                sid,
                CIRCLED[guide.steps.index(st)],
                st.zh,
                st.en,
                r,
                cell * (k + 0.5),
                (r + 0.5) / nrows,
                w,
                h,
            )
    edges: list[Edge] = []
    lane = 0
    for a in guide.arrows:
        s, d = boxes[a.src], boxes[a.dst]
        pts: tuple[tuple[float, float], ...]
        if a in skipping:  # in the gaps between rows to a side lane, down it, back in the gap
            x = width + LANE_W * (lane + 0.5)
            lane += 1
            below, above = (s.row + 1) / nrows, d.row / nrows
            pts = (
                (s.x, s.bottom),
                (s.x, below),
                (x, below),
                (x, above),
                (d.x, above),
                (d.x, d.top),
            )
        elif abs(s.x - d.x) < 1e-9:
            pts = ((s.x, s.bottom), (d.x, d.top))
        else:  # down, across in the gap between the rows, down into the target
            mid = (s.bottom + d.top) / 2
            pts = ((s.x, s.bottom), (s.x, mid), (d.x, mid), (d.x, d.top))
        edges.append(Edge(a.src, a.dst, pts, a.zh, a.en))
    return FlowLayout(tuple(boxes[s.id] for s in guide.steps), tuple(edges), nrows)


def crossings(fl: FlowLayout) -> list[str]:
    """Arrows that run through a box other than their own ends, and overlapping boxes (a
    correct layout has none: checked on every shipped guide)."""
    bad: list[str] = []
    for e in fl.edges:
        for (x0, y0), (x1, y1) in zip(e.points, e.points[1:], strict=False):
            for b in fl.boxes:
                if b.id in (e.src, e.dst):
                    continue
                for t in (i / 20 for i in range(21)):
                    if b.contains(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t):
                        bad.append(f"{e.src}→{e.dst} crosses {b.id}")
                        break
    for i, a in enumerate(fl.boxes):
        for b in fl.boxes[i + 1 :]:
            if a.left < b.right and b.left < a.right and a.top < b.bottom and b.top < a.bottom:
                bad.append(f"boxes {a.id} and {b.id} overlap")
    return sorted(set(bad))


def receipt_lines(guide: Guide, lang: str = "zh_CN") -> list[tuple[str, str]]:
    """The flow chart as receipt lines: numbered steps, ↓ to the next one, → for a branch or a
    jump (with its label), so a thermal printer shows the same chart the screen draws."""
    en = lang == "en"
    number = {s.id: CIRCLED[i] for i, s in enumerate(guide.steps)}
    name = {s.id: (s.en if en else s.zh) for s in guide.steps}
    order = [s.id for s in guide.steps]
    out: list[tuple[str, str]] = []
    for i, s in enumerate(order):
        out.append((number[s], name[s]))
        arrows = [a for a in guide.arrows if a.src == s]
        nxt = order[i + 1] if i + 1 < len(order) else None
        straight = [a for a in arrows if a.dst == nxt and not (a.en if en else a.zh)]
        for a in arrows:
            if a in straight and len(arrows) == 1:
                continue
            label = a.en if en else a.zh
            out.append(
                (
                    "",
                    f"→ {label + ('：' if not en else ': ') if label else ''}"
                    f"{number[a.dst]}{name[a.dst]}",
                )
            )
        if straight and len(arrows) == 1:
            out.append(("", "↓"))
    return out


def guide_receipt(guide: Guide, lang: str = "zh_CN") -> tuple[str, list[tuple[str, str]], str]:
    """(title, lines, footer) of a printed 办事指南: materials with 容缺 marks, time limit, fees,
    where to go, legal basis and the flow chart."""
    en = lang == "en"
    lines: list[tuple[str, str]] = []
    lines.append(("Department" if en else "实施部门", guide.department_zh))
    for m in guide.materials:
        mark = "" if m.key else ("(may follow later)" if en else "（容缺）")
        lines.append(
            (
                "Bring" if en else "材料",
                (m.en if en else m.zh) + mark + (f" ×{m.copies}" if m.copies else ""),
            )
        )
    lines.append(
        ("Time limit" if en else "承诺时限", guide.time_limit_en if en else guide.time_limit_zh)
    )
    lines.append(("Fees" if en else "收费标准", guide.fees_en if en else guide.fees_zh))
    w = guide.where
    lines.append(("Where" if en else "办理地点", w.window_en if en else w.window_zh))
    lines.append(("Address" if en else "地址", w.address_zh))
    lines.append(("Hours" if en else "办理时间", w.hours_en if en else w.hours_zh))
    if w.phone:
        lines.append(("Phone" if en else "咨询电话", w.phone))
    for b in guide.legal_basis:
        lines.append(("Legal basis" if en else "设定依据", b))
    lines.append(("Flow" if en else "办理流程", ""))
    lines += receipt_lines(guide, lang)
    footer = (
        "Materials marked (may follow later) are 容缺: the application is accepted and they "
        "are handed in later."
        if en
        else "标“容缺”的为非关键材料：可先受理，后补交。"
    )
    return guide.title(lang), lines, footer

"""The overview's figures and its per-day charts (SVG drawn here, no script needed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from html import escape

from sqlalchemy import Connection, text

from central.wire import CN_TZ

SATISFIED = ("非常满意", "满意", "基本满意")
NEGATIVE = ("不满意", "非常不满意")


def day_start(d: date) -> float:
    """Unix time of 00:00 Beijing time on day d."""
    return datetime(d.year, d.month, d.day, tzinfo=CN_TZ).timestamp()


def beijing_day(t: float) -> date:
    """The Beijing calendar day of unix time t."""
    return datetime.fromtimestamp(t, CN_TZ).date()


@dataclass
class DaySeries:
    """Counts per Beijing day, oldest first."""

    days: list[date]
    values: list[int]

    @property
    def total(self) -> int:
        """Sum over the period."""
        return sum(self.values)


@dataclass
class Activity:
    """Cases and ratings of a period (the overview's lower half)."""

    cases_today: int = 0
    ratings_today: int = 0
    negative_today: int = 0
    ratings_period: int = 0
    satisfied_period: int = 0
    cases_by_day: DaySeries = field(default_factory=lambda: DaySeries([], []))
    ratings_by_day: DaySeries = field(default_factory=lambda: DaySeries([], []))

    @property
    def satisfaction(self) -> float | None:
        """满意率 of the period: (非常满意 + 满意 + 基本满意) / all ratings; None with no ratings."""
        return self.satisfied_period / self.ratings_period if self.ratings_period else None


def _per_day(db: Connection, table: str, column: str, first: date, days: int) -> DaySeries:
    start = day_start(first)
    rows = db.execute(
        text(f"SELECT {column} FROM {table} WHERE {column} >= :a AND {column} < :b"),
        {"a": start, "b": start + days * 86400},
    ).scalars()
    counts = [0] * days
    for t in rows:
        i = (beijing_day(t) - first).days
        if 0 <= i < days:
            counts[i] += 1
    return DaySeries([first + timedelta(i) for i in range(days)], counts)


def activity(db: Connection, now: float, days: int = 30) -> Activity:
    """Today's cases and ratings, and the last `days` days (today included) per day."""
    today = beijing_day(now)
    first = today - timedelta(days - 1)
    a = Activity()
    a.cases_by_day = _per_day(db, "cases", "received_at", first, days)
    a.ratings_by_day = _per_day(db, "ratings", "received_at", first, days)
    a.cases_today = a.cases_by_day.values[-1]
    a.ratings_today = a.ratings_by_day.values[-1]
    since = day_start(first)
    levels = db.execute(
        text("SELECT level, received_at FROM ratings WHERE received_at >= :a"), {"a": since}
    ).all()
    today_start = day_start(today)
    a.ratings_period = len(levels)
    a.satisfied_period = sum(1 for lv, _ in levels if lv in SATISFIED)
    a.negative_today = sum(1 for lv, t in levels if lv in NEGATIVE and t >= today_start)
    return a


def bar_chart(series: DaySeries, title: str, width: int = 600, height: int = 160) -> str:
    """An SVG bar chart of a day series (presentation attributes only: the CSP forbids styles)."""
    pad_l, pad_b, pad_t = 36, 22, 20
    n = max(1, len(series.values))
    top = max(1, max(series.values, default=0))
    slot = (width - pad_l - 4) / n
    bar = max(1.0, slot * 0.7)
    h = height - pad_b - pad_t
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}"'
        f' role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{pad_l}" y1="{pad_t + h}" x2="{width}" y2="{pad_t + h}" stroke="#8a94a6"/>',
        f'<text x="{pad_l - 6}" y="{pad_t + 4}" text-anchor="end" font-size="11" '
        f'fill="#4a5568">{top}</text>',
        f'<text x="{pad_l - 6}" y="{pad_t + h}" text-anchor="end" font-size="11" '
        f'fill="#4a5568">0</text>',
    ]
    for i, (d, v) in enumerate(zip(series.days, series.values)):
        bh = h * v / top
        x = pad_l + i * slot + (slot - bar) / 2
        parts.append(
            f'<rect x="{x:.1f}" y="{pad_t + h - bh:.1f}" width="{bar:.1f}" '
            f'height="{bh:.1f}" fill="#2b6cb0"><title>{d.isoformat()}：{v}</title></rect>'
        )
        if i % 7 == 0 or i == n - 1:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{height - 6}" text-anchor="middle" '
                f'font-size="11" fill="#4a5568">{d.month}/{d.day}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)

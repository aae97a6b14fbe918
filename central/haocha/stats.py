"""Statistics of 好差评 for a period and region, per item, department, hall or terminal.

满意率 = (非常满意 + 满意 + 基本满意) / all ratings; 差评整改率 = 差评 已办结 / 差评;
按期整改率 (on_time_rate) = 差评 已办结 by their deadline / 差评. A 差评 whose appeal was upheld
(申诉通过) is left out of every figure and counted in excluded_by_appeal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from sqlalchemy import Engine, select

from central.haocha.records import CN_TZ
from central.haocha.tables import details, followups, ratings
from kiosk import central_api as api

GroupBy = Literal["item", "department", "hall", "terminal"]
GOOD = frozenset(
    {api.RatingLevel.VERY_SATISFIED, api.RatingLevel.SATISFIED, api.RatingLevel.BASICALLY_SATISFIED}
)


@dataclass
class _Acc:
    name: str = ""
    ratings: int = 0
    satisfied: int = 0
    bad: int = 0
    rectified: int = 0
    on_time: int = 0
    by_level: dict[str, int] = field(
        default_factory=lambda: {lv.value: 0 for lv in api.RatingLevel}
    )

    def row(self, key: str) -> api.StatsRow:
        def rate(n: int, d: int) -> float | None:
            return round(n / d, 4) if d else None

        return api.StatsRow(
            key=key,
            name=self.name,
            ratings=self.ratings,
            satisfied=self.satisfied,
            satisfaction_rate=rate(self.satisfied, self.ratings),
            bad=self.bad,
            rectified=self.rectified,
            rectification_rate=rate(self.rectified, self.bad),
            on_time=self.on_time,
            on_time_rate=rate(self.on_time, self.bad),
            by_level=dict(self.by_level),
        )


def region_prefix(region: str) -> str:
    """610900 → 6109 (the city and its counties), 610000 → 61, 610902 → 610902."""
    prefix = region
    while len(prefix) > 2 and prefix.endswith("00"):
        prefix = prefix[:-2]
    return prefix


def compute(
    engine: Engine,
    first: date,
    last: date,
    region: str | None,
    group_by: GroupBy,
    item_names: Callable[[str], tuple[str, str]],
) -> api.Stats:
    """The figures for ratings received from `first` to `last` (inclusive, Beijing days).

    item_names(code) → (item name, department name)."""
    since = datetime(first.year, first.month, first.day, tzinfo=CN_TZ).timestamp()
    until = (
        datetime(last.year, last.month, last.day, tzinfo=CN_TZ) + timedelta(days=1)
    ).timestamp()
    q = (
        select(
            ratings.c.rating_id,
            ratings.c.item_code,
            ratings.c.level,
            ratings.c.terminal_id,
            ratings.c.region_code,
            details.c.hall,
            followups.c.state,
            followups.c.closed_at,
            followups.c.due_date,
        )
        .select_from(
            ratings.outerjoin(details, details.c.rating_id == ratings.c.rating_id).outerjoin(
                followups, followups.c.rating_id == ratings.c.rating_id
            )
        )
        .where(ratings.c.received_at >= since, ratings.c.received_at < until)
    )
    if region:
        q = q.where(ratings.c.region_code.startswith(region_prefix(region), autoescape=True))
    with engine.connect() as c:
        rows = c.execute(q).all()
    total, excluded = _Acc(name="合计"), 0
    groups: dict[str, _Acc] = {}
    for r in rows:
        if r.state == api.FollowUpState.APPEAL_UPHELD.value:
            excluded += 1
            continue
        level = api.RatingLevel(r.level)
        item, dept = item_names(r.item_code)
        key, name = {
            "item": (r.item_code, item),
            "department": (dept, dept),
            "hall": (r.hall or "", r.hall or ""),
            "terminal": (r.terminal_id, r.terminal_id),
        }[group_by]
        acc = groups.setdefault(key, _Acc(name=name))
        for a in (total, acc):
            a.ratings += 1
            a.by_level[level.value] += 1
            if level in GOOD:
                a.satisfied += 1
            if level.is_negative:
                a.bad += 1
                if r.state == api.FollowUpState.CLOSED.value:
                    a.rectified += 1
                    closed = datetime.fromtimestamp(r.closed_at, CN_TZ).date()
                    if closed <= date.fromisoformat(r.due_date):
                        a.on_time += 1
    return api.Stats(
        period_from=first.isoformat(),
        period_to=last.isoformat(),
        region=region,
        group_by=group_by,
        excluded_by_appeal=excluded,
        total=total.row("total"),
        rows=[groups[k].row(k) for k in sorted(groups)],
    )

"""好差评: five levels kept by name; 差评 need a reason tag; one rating per service."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

from kiosk.session.errors import RatingRefused

LEVELS = ("非常满意", "满意", "基本满意", "不满意", "非常不满意")
BAD_LEVELS = frozenset({"不满意", "非常不满意"})
# Numeric codes only at the edge: GB/T 39046 numbers 1 = 非常满意, provincial APIs 5 = 非常满意.
GB39046_CODE = {name: i + 1 for i, name in enumerate(LEVELS)}
PROVINCIAL_CODE = {name: 5 - i for i, name in enumerate(LEVELS)}
MAX_COMMENT = 200


def is_bad(level: str) -> bool:
    """Whether a level is a 差评 (不满意 or 非常不满意)."""
    return level in BAD_LEVELS


def check_rating(
    level: str, tags: Iterable[str], known_tags: Iterable[str], comment: str = ""
) -> tuple[str, ...]:
    """Validate one rating; returns the tags (deduplicated, in order) or raises RatingRefused."""
    if level not in LEVELS:
        raise RatingRefused(f"unknown level {level!r}")
    known = set(known_tags)
    out = tuple(dict.fromkeys(tags))
    unknown = [t for t in out if t not in known]
    if unknown:
        raise RatingRefused(f"unknown reason tag(s): {', '.join(unknown)}")
    if is_bad(level) and not out:
        raise RatingRefused("a 差评 needs at least one reason tag")
    if len(comment) > MAX_COMMENT:
        raise RatingRefused(f"comment longer than {MAX_COMMENT} characters")
    return out


class RatedServices:
    """Remembers the last services rated (一次一评) so one service is never rated twice."""

    def __init__(self, keep: int = 1000) -> None:
        self._keep = keep
        self._seen: OrderedDict[str, None] = OrderedDict()

    def __contains__(self, service_id: object) -> bool:
        return service_id in self._seen

    def add(self, service_id: str) -> None:
        """Mark a service as rated (or skipped)."""
        if service_id in self._seen:
            raise RatingRefused(f"service {service_id} was already rated")
        self._seen[service_id] = None
        while len(self._seen) > self._keep:
            self._seen.popitem(last=False)

"""A rating as the terminal checks and queues it: level by name, reasons of the active
dictionary, indicator levels, and for a 差评 an optional callback phone given with consent."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kiosk.central_api import PHONE_RE, RatingDictionary, RatingLevel
from kiosk.session.errors import RatingRefused
from kiosk.session.ports import RatingRecord
from kiosk.session.rating import MAX_COMMENT


def check(
    d: RatingDictionary,
    level: str,
    reasons: Iterable[str],
    indicators: Mapping[str, str] | None = None,
    phone: str = "",
) -> tuple[str, ...]:
    """The reasons (deduplicated, in order) or RatingRefused naming the problem."""
    try:
        lv = RatingLevel(level)
    except ValueError:
        raise RatingRefused(f"unknown level {level!r}") from None
    out = tuple(dict.fromkeys(reasons))
    allowed = d.reason_codes(lv)
    unknown = [r for r in out if r not in allowed]
    if unknown:
        raise RatingRefused(f"reason(s) not offered for {level}: {', '.join(unknown)}")
    if lv.is_negative and not out:
        raise RatingRefused("a 差评 needs at least one reason")
    codes = {i.code for i in d.indicators}
    for k, v in (indicators or {}).items():
        if k not in codes:
            raise RatingRefused(f"unknown indicator {k!r}")
        RatingLevel(v)
    if phone and not lv.is_negative:
        raise RatingRefused("a callback phone is asked for a 差评 only")
    if phone and not PHONE_RE.fullmatch(phone):
        raise RatingRefused("not a mobile number")
    return out


def build(
    d: RatingDictionary,
    service_id: str,
    item_code: str,
    level: str,
    reasons: Iterable[str],
    comment: str,
    indicators: Mapping[str, str],
    phone: str,
    hall: str,
    rater: tuple[str, str] | None = None,
) -> RatingRecord:
    """The checked RatingRecord of one rating under dictionary `d`; RatingRefused if invalid."""
    clean = check(d, level, reasons, indicators, phone)
    if len(comment) > MAX_COMMENT:
        raise RatingRefused(f"comment longer than {MAX_COMMENT} characters")
    return RatingRecord(
        service_id,
        item_code,
        level,
        clean,
        comment,
        dictionary_version=d.version,
        indicators=tuple(sorted(indicators.items())),
        hall=hall,
        callback_phone=phone,
        rater=rater,
    )


def body(
    case_no: str,
    item_code: str,
    level: str,
    reasons: Iterable[str],
    comment: str,
    dictionary_version: int | None,
    indicators: Mapping[str, str],
    hall: str,
    phone: str,
    rater: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """The POST /v1/ratings body (the outbox seals it; the phone never reaches a log)."""
    out: dict[str, Any] = {
        "case_no": case_no,
        "item_code": item_code,
        "level": level,
        "tags": list(reasons),
        "comment": comment,
    }
    if dictionary_version is not None:
        out["dictionary_version"] = dictionary_version
        out["indicators"] = dict(indicators)
        out["hall"] = hall[:64]
    if phone:
        out["callback"] = {"phone": phone, "consent": True}
    if rater is not None:  # 实名: the citizen chose to rate under their name
        out["real_name"] = True
        out["rater"] = {"name": rater[0], "id_number": rater[1], "user_type": 1}
    return out

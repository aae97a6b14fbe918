"""The full rating record: central.storage's ratings row plus the details a rating carries
since issue 19 (dictionary version, indicators, 实名 rater, callback phone), sealed at rest."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from central.haocha.dictionary import Dictionaries
from central.haocha.sealing import Sealer
from central.haocha.tables import details, ratings
from kiosk import central_api as api

log = logging.getLogger(__name__)
CN_TZ = timezone(timedelta(hours=8))


def beijing_stamp(t: float) -> str:
    """YYYYMMDDThhmmss in Beijing time (GB/T 39046 评价时间)."""
    return datetime.fromtimestamp(t, CN_TZ).strftime("%Y%m%dT%H%M%S")


def beijing_day(t: float) -> str:
    """YYYYMMDD in Beijing time."""
    return datetime.fromtimestamp(t, CN_TZ).strftime("%Y%m%d")


class RatingCheckFailed(ValueError):
    """A rating that does not fit the dictionary it names: (code, message) for a 422."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def check(dicts: Dictionaries, rating: api.Rating, catalogue_tags: frozenset[str]) -> None:
    """Reasons and indicators against the rating's dictionary version (or, for a rating without
    one, the catalogue's reason tags as before); raises RatingCheckFailed."""
    if rating.dictionary_version is None:
        unknown = [t for t in rating.tags if t not in catalogue_tags]
        if unknown:
            raise RatingCheckFailed(
                "unknown_tag", f"{len(unknown)} reason tag(s) are not in the catalogue"
            )
        if rating.indicators:
            raise RatingCheckFailed(
                "dictionary_version_required",
                "indicator scores need the dictionary_version they follow",
            )
        return
    d = dicts.version(rating.dictionary_version)
    if d is None:
        raise RatingCheckFailed(
            "unknown_dictionary_version",
            f"no rating dictionary version {rating.dictionary_version}",
        )
    allowed = d.reason_codes(rating.level)
    unknown = [t for t in rating.tags if t not in allowed]
    if unknown:
        raise RatingCheckFailed(
            "unknown_tag",
            f"{len(unknown)} reason(s) not offered for "
            f"{rating.level.value} in dictionary version "
            f"{d.version}",
        )
    codes = {i.code for i in d.indicators}
    stray = [k for k in rating.indicators if k not in codes]
    if stray:
        raise RatingCheckFailed("unknown_indicator", f"{len(stray)} unknown indicator(s)")


def store_details(
    engine: Engine, sealer: Sealer, rating_id: int, rating: api.Rating, now: float
) -> bool:
    """Record what the ratings row does not hold; False when it was already recorded (replay)."""
    values = {
        "rating_id": rating_id,
        "case_no": rating.case_no,
        "dictionary_version": rating.dictionary_version,
        "indicators": json.dumps(
            {k: v.value for k, v in rating.indicators.items()}, ensure_ascii=False, sort_keys=True
        ),
        "hall": rating.hall,
        "real_name": rating.real_name,
        "rater_sealed": None,
        "phone_sealed": None,
        "phone_masked": None,
        "consent_at": None,
        "recorded_at": now,
    }
    if rating.rater is not None:
        values["rater_sealed"] = sealer.seal(
            rating.rater.model_dump_json(), f"rater:{rating.case_no}"
        )
    if rating.callback is not None:
        values["phone_sealed"] = sealer.seal(rating.callback.phone, f"phone:{rating.case_no}")
        values["phone_masked"] = api.mask_phone(rating.callback.phone)
        values["consent_at"] = rating.rated_at.timestamp() if rating.rated_at else now
    try:
        with engine.begin() as c:
            c.execute(details.insert().values(**values))
    except IntegrityError:
        return False
    return True


@dataclass
class FullRecord:
    """Everything the rules bind to one rating (personal data opened: use at the edge only)."""

    rating_id: int
    case_no: str
    item_code: str
    level: api.RatingLevel
    reasons: list[str]
    comment: str
    terminal_id: str
    region_code: str
    channel: str
    rated_at: float
    received_at: float
    dictionary_version: int | None = None
    indicators: dict[str, api.RatingLevel] = field(default_factory=dict)
    hall: str = ""
    real_name: bool = False
    rater: api.RatingRater | None = None
    phone: str | None = None
    has_details: bool = False

    @property
    def rated_stamp(self) -> str:
        """评价时间, YYYYMMDDThhmmss Beijing."""
        return beijing_stamp(self.rated_at)


def full_record(engine: Engine, sealer: Sealer, rating_id: int) -> FullRecord | None:
    """Join the rating and its details; None when there is no such rating."""
    q = (
        select(
            ratings,
            details.c.dictionary_version,
            details.c.indicators,
            details.c.hall,
            details.c.real_name,
            details.c.rater_sealed,
            details.c.phone_sealed,
            details.c.rating_id.label("d_id"),
        )
        .select_from(ratings.outerjoin(details, details.c.rating_id == ratings.c.rating_id))
        .where(ratings.c.rating_id == rating_id)
    )
    with engine.connect() as c:
        r = c.execute(q).first()
    if r is None:
        return None
    rec = FullRecord(
        rating_id=r.rating_id,
        case_no=r.case_no,
        item_code=r.item_code,
        level=api.RatingLevel(r.level),
        reasons=list(json.loads(r.tags)),
        comment=r.comment,
        terminal_id=r.terminal_id,
        region_code=r.region_code,
        channel=r.channel,
        rated_at=r.rated_at if r.rated_at is not None else r.received_at,
        received_at=r.received_at,
        has_details=r.d_id is not None,
    )
    if r.d_id is not None:
        rec.dictionary_version = r.dictionary_version
        rec.indicators = {k: api.RatingLevel(v) for k, v in json.loads(r.indicators).items()}
        rec.hall = r.hall
        rec.real_name = bool(r.real_name)
        if r.rater_sealed is not None:
            rec.rater = api.RatingRater.model_validate_json(
                sealer.open(r.rater_sealed, f"rater:{r.case_no}")
            )
        if r.phone_sealed is not None:
            rec.phone = sealer.open(r.phone_sealed, f"phone:{r.case_no}")
    return rec

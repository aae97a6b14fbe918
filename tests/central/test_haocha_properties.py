"""Property tests: the province mapping always yields messages the simulator accepts; working-day
arithmetic is consistent; the rating and dictionary validators hold their rules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from central.haocha.records import FullRecord
from central.haocha.workdays import WorkCalendar
from central.province.mapping import CONTENT_CODES, INDEX_CODES, demo_departments, rating_payload
from central.sandbox.province import check_evaluation
from kiosk import central_api as api
from kiosk.rating.defaults import DEFAULT_DICTIONARY

DICT = api.RatingDictionary.model_validate(DEFAULT_DICTIONARY)
DEPTS = demo_departments()
CAL = WorkCalendar()


@st.composite
def records(draw: st.DrawFn) -> FullRecord:
    level = draw(st.sampled_from(list(api.RatingLevel)))
    offered = sorted(DICT.reason_codes(level))
    reasons = draw(
        st.lists(
            st.sampled_from(offered),
            unique=True,
            min_size=1 if level.is_negative else 0,
            max_size=4,
        )
    )
    real = draw(st.booleans())
    return FullRecord(
        rating_id=draw(st.integers(1, 10**6)),
        case_no="610900-20261130-000001",
        item_code="RS-0101",
        level=level,
        reasons=reasons,
        comment=draw(st.text(max_size=500)),
        terminal_id="DEMO-0001",
        region_code="610900",
        channel=api.CHANNEL,
        rated_at=draw(st.floats(1.6e9, 2.2e9)),
        received_at=2e9,
        dictionary_version=1,
        indicators=draw(
            st.dictionaries(
                st.sampled_from(sorted(INDEX_CODES)),
                st.sampled_from(list(api.RatingLevel)),
                max_size=4,
            )
        ),
        real_name=real,
        rater=api.RatingRater(name="张三", id_number="11010519491231002X") if real else None,
        phone=draw(st.sampled_from([None, "13912345678"])) if level.is_negative else None,
    )


@settings(max_examples=200, deadline=None)
@given(records(), st.sampled_from(sorted(DEPTS)))
def test_every_mapped_rating_passes_the_province_checks(rec: FullRecord, dept: str) -> None:
    p = rating_payload(rec, "rating:x:1", "社保参保缴费证明打印", dept, DEPTS)
    assert check_evaluation(p) == []
    assert p["satisfaction"] == rec.level.provincial_code
    assert len(p["contentCodes"].split(",")) == len(rec.reasons) or not rec.reasons


def test_every_dictionary_reason_has_a_provincial_code() -> None:
    for reasons in DICT.reasons_by_level.values():
        assert {r.code for r in reasons} <= set(CONTENT_CODES)
    assert {i.code for i in DICT.indicators} <= set(INDEX_CODES)


@settings(max_examples=60, deadline=None)
@given(st.dates(date(2026, 1, 1), date(2026, 12, 31)), st.integers(1, 15))
def test_working_day_arithmetic_is_consistent(start: date, n: int) -> None:
    due = CAL.add_working_days(start, n)
    assert CAL.is_working_day(due)
    assert CAL.working_days_between(start, due) == n
    assert CAL.working_days_between(start, due - timedelta(days=1)) == n - 1


def test_2026_holidays_and_adjusted_workdays() -> None:
    assert not CAL.is_working_day(date(2026, 10, 1)) and not CAL.is_working_day(date(2026, 10, 7))
    assert CAL.is_working_day(date(2026, 10, 10))  # Saturday 调休
    assert CAL.is_working_day(date(2026, 9, 20))  # Sunday 调休
    assert CAL.add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 13)
    assert CAL.confirmed(2026) and not CAL.confirmed(2027)
    extra = WorkCalendar(extra_holidays=[date(2027, 2, 11)], extra_workdays=[date(2027, 2, 20)])
    assert not extra.is_working_day(date(2027, 2, 11)) and extra.confirmed(2027)


@given(st.text(max_size=14))
def test_callback_phone_validator(phone: str) -> None:
    body = {
        "case_no": "610900-20261130-000001",
        "item_code": "RS-0101",
        "level": "不满意",
        "tags": ["too_slow"],
        "callback": {"phone": phone, "consent": True},
    }
    ok = api.PHONE_RE.fullmatch(phone.strip()) is not None
    try:
        api.Rating.model_validate(body)
        assert ok
    except ValidationError:
        assert not ok


def test_rating_rules_for_callback_and_rater() -> None:
    base = {"case_no": "610900-20261130-000001", "item_code": "RS-0101"}
    with pytest.raises(ValidationError):  # a callback on a good rating
        api.Rating.model_validate(
            {**base, "level": "满意", "callback": {"phone": "13912345678", "consent": True}}
        )
    with pytest.raises(ValidationError):  # consent must be given
        api.Rating.model_validate(
            {
                **base,
                "level": "不满意",
                "tags": ["x"],
                "callback": {"phone": "13912345678", "consent": False},
            }
        )
    with pytest.raises(ValidationError):  # real name without a rater
        api.Rating.model_validate({**base, "level": "满意", "real_name": True})
    with pytest.raises(ValidationError):  # a dictionary without reasons for a 差评
        bad = {**DEFAULT_DICTIONARY, "reasons_by_level": {"满意": []}}
        api.RatingDictionary.model_validate(bad)
    assert api.mask_phone("13912345678") == "139****5678"

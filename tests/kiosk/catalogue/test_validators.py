"""Field validators: check digits (GB 11643, GB 32100) and every field type, property-tested."""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kiosk.catalogue.errors import CatalogueError, FieldValueError
from kiosk.catalogue.model import Field, Option
from kiosk.catalogue.validators import (
    USCC_ALPHABET,
    id_number_check_digit,
    uscc_check_char,
    validate_field_value,
    validate_form,
)

TODAY = date(2026, 11, 25)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def F(type_: str, **kw) -> Field:
    return Field(name="f", type=type_, label_zh="字段", label_en="Field", **kw)


ID = F("id_number")
USCC = F("uscc")


def check_error(exc: FieldValueError) -> None:
    """Every message has a Chinese and an English text, both non-empty and plain."""
    assert exc.zh and exc.en
    assert any("\u4e00" <= c <= "\u9fff" for c in exc.zh)
    assert sum(not c.isascii() for c in exc.en) <= 1  # English, at most echoing one bad char
    assert isinstance(exc, CatalogueError) and isinstance(exc, ValueError)
    assert exc.message("en") == exc.en and exc.message("zh_CN") == exc.zh


# --- GB 11643 --------------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["11010519491231002X", "360426199101010071"])
def test_id_vectors(number: str) -> None:
    assert id_number_check_digit(number[:17]) == number[17]
    assert validate_field_value(ID, number, today=TODAY) == number


def test_id_lowercase_x_spaces_and_fullwidth_are_normalised() -> None:
    assert validate_field_value(ID, " 110105 19491231 002x ", today=TODAY) == "11010519491231002X"
    full = "".join(chr(ord(c) + 0xFEE0) for c in "360426199101010071")
    assert validate_field_value(ID, full, today=TODAY) == "360426199101010071"


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    region = draw(st.integers(100000, 999999))
    birth = draw(st.dates(date(1900, 1, 1), TODAY))
    seq = draw(st.integers(0, 999))
    body = f"{region:06d}{birth:%Y%m%d}{seq:03d}"
    return body + id_number_check_digit(body)


@FAST
@given(id_numbers())
def test_generated_id_numbers_are_accepted(number: str) -> None:
    assert validate_field_value(ID, number, today=TODAY) == number


@FAST
@given(id_numbers(), st.integers(0, 17), st.sampled_from("0123456789X"))
def test_any_single_character_change_of_an_id_number_is_rejected(
    number: str, pos: int, ch: str
) -> None:
    assume(number[pos] != ch)
    changed = number[:pos] + ch + number[pos + 1 :]
    with pytest.raises(FieldValueError) as ei:
        validate_field_value(ID, changed, today=TODAY)
    check_error(ei.value)


@FAST
@given(id_numbers(), st.integers(0, 15))
def test_adjacent_transposition_in_an_id_number_is_rejected(number: str, pos: int) -> None:
    assume(number[pos] != number[pos + 1])
    swapped = number[:pos] + number[pos + 1] + number[pos] + number[pos + 2 :]
    with pytest.raises(FieldValueError):
        validate_field_value(ID, swapped, today=TODAY)


@FAST
@given(st.text(max_size=25))
def test_id_validator_never_crashes_and_only_accepts_18_chars(text: str) -> None:
    try:
        value = validate_field_value(ID, text, today=TODAY)
    except FieldValueError as exc:
        check_error(exc)
    else:
        assert len(value) == 18 and id_number_check_digit(value[:17]) == value[17]


@pytest.mark.parametrize(
    "raw, fragment",
    [
        ("11010519491231002", "18位"),
        ("1101051949123100XX", "数字"),
        ("011010194912310020", "地区"),
        ("110105194902300025", "出生日期"),  # 30 February
        ("110105189912310021", "出生日期"),  # before 1900
        ("110105202701010026", "出生日期"),  # after today
        ("110105194912310021", "有误"),  # wrong check digit
    ],
)
def test_id_number_errors_say_what_is_wrong(raw: str, fragment: str) -> None:
    with pytest.raises(FieldValueError) as ei:
        validate_field_value(ID, raw, today=TODAY)
    assert fragment in ei.value.zh
    check_error(ei.value)


def test_id_check_digit_helper_rejects_bad_input() -> None:
    for bad in ("1234", "1101051949123100X", "１１０１０５１９４９１２３１００２"):
        with pytest.raises(ValueError):
            id_number_check_digit(bad)


# --- GB 32100 --------------------------------------------------------------------------------


def test_uscc_vector() -> None:
    assert uscc_check_char("91110000600037341") == "L"
    assert validate_field_value(USCC, "91110000600037341L") == "91110000600037341L"
    assert validate_field_value(USCC, " 9111 0000 6000 3734 1l ") == "91110000600037341L"


@st.composite
def usccs(draw: st.DrawFn) -> str:
    alpha = st.sampled_from(USCC_ALPHABET)
    head = draw(alpha) + draw(alpha)
    region = "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=6, max_size=6)))
    org = "".join(draw(st.lists(alpha, min_size=9, max_size=9)))
    body = head + region + org
    return body + uscc_check_char(body)


@FAST
@given(usccs())
def test_generated_usccs_are_accepted(code: str) -> None:
    assert validate_field_value(USCC, code) == code


@FAST
@given(usccs(), st.integers(0, 17), st.sampled_from(USCC_ALPHABET))
def test_any_single_character_change_of_a_uscc_is_rejected(code: str, pos: int, ch: str) -> None:
    assume(code[pos] != ch)
    with pytest.raises(FieldValueError) as ei:
        validate_field_value(USCC, code[:pos] + ch + code[pos + 1 :])
    check_error(ei.value)


@pytest.mark.parametrize("letter", "IOSVZ")
def test_uscc_letters_outside_the_alphabet_are_named(letter: str) -> None:
    with pytest.raises(FieldValueError) as ei:
        validate_field_value(USCC, "9111000060003734" + letter + "L")
    assert letter in ei.value.zh and letter in ei.value.en


def test_uscc_region_must_be_digits() -> None:
    body = "91A10000600037341"
    with pytest.raises(FieldValueError) as ei:
        validate_field_value(USCC, body + uscc_check_char(body))
    assert "行政区划" in ei.value.zh


@FAST
@given(st.text(max_size=22))
def test_uscc_validator_never_crashes(text: str) -> None:
    try:
        value = validate_field_value(USCC, text)
    except FieldValueError as exc:
        check_error(exc)
    else:
        assert uscc_check_char(value[:17]) == value[17]


# --- phone -----------------------------------------------------------------------------------

PHONE = F("phone")


@FAST
@given(
    st.sampled_from("3456789"),
    st.text("0123456789", min_size=9, max_size=9),
    st.sampled_from(["", "+86", "0086"]),
    st.sampled_from(["", " ", "-"]),
)
def test_mobile_numbers_are_accepted_and_normalised(
    second: str, rest: str, prefix: str, sep: str
) -> None:
    number = "1" + second + rest
    raw = prefix + number[:3] + sep + number[3:7] + sep + number[7:]
    assert validate_field_value(PHONE, raw) == number


@FAST
@given(st.text("0123456789", min_size=0, max_size=14))
def test_only_1_3to9_plus_9_digits_pass(digits: str) -> None:
    ok = len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789"
    try:
        assert validate_field_value(F("phone", required=False), digits) in (digits, None)
        assert ok or digits == ""
    except FieldValueError as exc:
        assert not ok
        check_error(exc)


@pytest.mark.parametrize("raw", ["1٣800000000", "1४8000000000"[:11], "13800０00000x"])
def test_phone_rejects_non_ascii_digits(raw: str) -> None:
    with pytest.raises(FieldValueError):
        validate_field_value(PHONE, raw)


# --- number ----------------------------------------------------------------------------------

YEAR = F("number", min=1992, max=2099)


@FAST
@given(st.integers(-10_000, 10_000))
def test_number_range(n: int) -> None:
    if 1992 <= n <= 2099:
        assert validate_field_value(YEAR, str(n)) == n
        assert isinstance(validate_field_value(YEAR, n), int)
    else:
        with pytest.raises(FieldValueError) as ei:
            validate_field_value(YEAR, str(n))
        assert "1992" in ei.value.zh and "2099" in ei.value.en


@FAST
@given(st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False))
def test_number_with_decimals(d: Decimal) -> None:
    money = F("number", min=0, max=1000, decimals=2)
    assert validate_field_value(money, str(d)) == d


@pytest.mark.parametrize(
    "raw", ["abc", "1e", "NaN", "Infinity", "2025.5", "", "  ", "1e999999999", "٢٠٢٥", "9" * 40]
)
def test_number_rejects(raw: str) -> None:
    with pytest.raises(FieldValueError):
        validate_field_value(YEAR, raw)
    if raw.strip():
        with pytest.raises(FieldValueError):
            validate_field_value(F("number"), raw)  # no range at all


def test_number_rejects_bool_and_accepts_fullwidth() -> None:
    with pytest.raises(FieldValueError):
        validate_field_value(YEAR, True)
    assert validate_field_value(YEAR, "２０２５") == 2025


# --- date ------------------------------------------------------------------------------------

PAST = F("date", min="2019-01-01", max="today")


@FAST
@given(
    st.dates(date(2000, 1, 1), date(2030, 12, 31)),
    st.sampled_from(["%Y-%m-%d", "%Y%m%d", "%Y/%m/%d", "%Y年%m月%d日"]),
)
def test_dates_in_every_accepted_format(d: date, fmt: str) -> None:
    raw = d.strftime(fmt)
    if date(2019, 1, 1) <= d <= TODAY:
        assert validate_field_value(PAST, raw, today=TODAY) == d
    else:
        with pytest.raises(FieldValueError) as ei:
            validate_field_value(PAST, raw, today=TODAY)
        check_error(ei.value)


@pytest.mark.parametrize(
    "raw",
    [
        "2025-02-30",
        "2025-13-01",
        "20250230",
        "2025",
        "2025-1",
        "tomorrow",
        "202511251",
        "٢٠٢٥-01-01",
    ],
)
def test_date_rejects(raw: str) -> None:
    with pytest.raises(FieldValueError):
        validate_field_value(PAST, raw, today=TODAY)


def test_date_objects_and_today_bound() -> None:
    assert validate_field_value(PAST, TODAY, today=TODAY) == TODAY
    with pytest.raises(FieldValueError):
        validate_field_value(PAST, TODAY + timedelta(days=1), today=TODAY)


# --- choice / text / case_no -----------------------------------------------------------------

CHOICE = F("choice", options=(Option("a", "甲", "A"), Option("b", "乙", "B")))


@FAST
@given(st.text(max_size=5))
def test_choice_accepts_only_option_values(raw: str) -> None:
    if raw.strip() in ("a", "b"):
        assert validate_field_value(CHOICE, raw) == raw.strip()
    else:
        with pytest.raises(FieldValueError):
            validate_field_value(CHOICE, raw)


@FAST
@given(st.text(max_size=40))
def test_text_max_length(raw: str) -> None:
    field = F("text", max_length=10, required=False)
    text = unicodedata.normalize("NFKC", raw).strip()
    too_long = len(text) > 10
    control = any(unicodedata.category(c) == "Cc" for c in text)
    try:
        value = validate_field_value(field, raw)
    except FieldValueError as exc:
        check_error(exc)
        assert too_long or control
    else:
        assert not too_long and not control
        assert value == (text or None)


def test_text_pattern_and_chinese() -> None:
    field = F("text", max_length=300)
    assert validate_field_value(field, " 路灯坏了 ") == "路灯坏了"
    with pytest.raises(FieldValueError) as ei:
        validate_field_value(F("text", max_length=3), "一二三四")
    assert "3" in ei.value.zh


@FAST
@given(
    st.from_regex(r"[A-Z0-9][A-Z0-9_-]{2,31}-[0-9]{8}-[0-9]{4}", fullmatch=True)
    | st.from_regex(r"[0-9]{6}-[0-9]{8}-[0-9]{6}", fullmatch=True)
)
def test_case_numbers_are_upper_cased(raw: str) -> None:
    # central's numbers and terminals' provisional ones (kiosk.central_api.is_case_ref)
    assert validate_field_value(F("case_no"), raw.lower()) == raw


@pytest.mark.parametrize("raw", ["ABC", "AB CD", "-ABCDEF", "办件123456", "A" * 41])
def test_case_no_rejects(raw: str) -> None:
    with pytest.raises(FieldValueError):
        validate_field_value(F("case_no"), raw)


def test_case_no_custom_pattern() -> None:
    field = F("case_no", pattern=r"BDC\d{10}")
    assert validate_field_value(field, "bdc2026000123") == "BDC2026000123"
    with pytest.raises(FieldValueError):
        validate_field_value(field, "ZW2026000123")


# --- required / optional / form --------------------------------------------------------------


def test_required_and_optional_empty_values() -> None:
    with pytest.raises(FieldValueError) as ei:
        validate_field_value(PHONE, "  ")
    assert ei.value.zh == "请填写字段"
    assert validate_field_value(F("phone", required=False), "") is None
    assert validate_field_value(F("phone", required=False), None) is None


def test_validate_form_collects_every_error() -> None:
    fields = (
        Field("id", "id_number", "身份证", "ID"),
        Field("p", "phone", "电话", "Phone"),
        Field("y", "number", "年度", "Year", min=2000, max=2100),
    )
    values, errors = validate_form(
        fields, {"id": "360426199101010071", "p": "123", "y": "2026"}, today=TODAY
    )
    assert values == {"id": "360426199101010071", "y": 2026}
    assert list(errors) == ["p"]


@FAST
@given(st.text("0123456789eE+-.,", max_size=16) | st.text(max_size=8))
def test_number_validator_never_crashes(raw: str) -> None:
    for field in (F("number"), F("number", min=0, max=100, decimals=2)):
        try:
            value = validate_field_value(field, raw)
        except FieldValueError as exc:
            check_error(exc)
        else:
            assert value is None or abs(value) < 10**16

"""Text for the ear: digits read one by one, amounts, and the personal-data guard."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kiosk.voice.spoken import amount, clean_for_ear, digits, holds_personal, year_digits


def test_case_number_is_read_digit_by_digit() -> None:
    assert digits("610900-20261125-000001") == "六一零九零零， 二零二六一一二五， 零零零零零一"
    assert digits("610900-2026", "en") == "6 1 0 9 0 0, 2 0 2 6"


def test_id_check_character_x() -> None:
    assert digits("61090019900101001X").endswith("一叉")


def test_amounts_as_people_say_them() -> None:
    assert amount(1250) == "12元5角"
    assert amount(1205) == "12元零5分"
    assert amount(38000) == "380元"
    assert amount(1250, "en") == "12 yuan 50 fen"


def test_years_in_mandarin() -> None:
    assert year_digits("2026年度") == "二零二六年度"
    assert year_digits("2026 tax year", "en") == "2026 tax year"


def test_screen_text_becomes_pauses() -> None:
    assert clean_for_ear("第一行\n第二行") == "第一行。第二行"


@given(st.from_regex(r"[1-9][0-9]{16}[0-9X]", fullmatch=True))
def test_any_id_number_is_personal_written_or_read_out(idno: str) -> None:
    assert holds_personal(f"身份证号{idno}", [])
    assert holds_personal(f"身份证号：{digits(idno)}。", [idno])


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_phone_numbers_are_personal(phone: str) -> None:
    assert holds_personal(f"电话{phone}", [])


@given(st.text(alphabet="请选择要办理的事项开始下一步", min_size=1, max_size=40))
def test_prompts_without_session_values_pass(text: str) -> None:
    assert not holds_personal(text, ["张三丰", "610900199001010010"])


def test_a_name_of_the_session_is_personal() -> None:
    assert holds_personal("您好，张三丰", ["张三丰"])

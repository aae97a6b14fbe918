"""The case-number keypad types back every number a receipt can show (central's or a terminal's)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from kiosk.catalogue.model import Field
from kiosk.catalogue.validators import validate_case_no
from kiosk.central_api import CASE_NO_RE, TERMINAL_ID_RE, case_ref_alphabet, is_case_ref
from kiosk.outbox import provisional_case_number
from kiosk.ui.viewmodels.form import CASE_KEYS, USCC_KEYS

FIELD = Field(name="case_no", type="case_no", label_zh="办件编号", label_en="Case number")
terminal_ids = st.from_regex(TERMINAL_ID_RE, fullmatch=True)
days = st.dates(dt.date(2020, 1, 1), dt.date(2099, 12, 31)).map(lambda d: d.strftime("%Y%m%d"))
provisional = st.builds(provisional_case_number, terminal_ids, days, st.integers(1, 9999))
central_numbers = st.from_regex(CASE_NO_RE, fullmatch=True)


def type_on_keypad(number: str) -> str:
    """What a citizen can type: each character must be a key (letters as upper-case keys)."""
    out = ""
    for ch in number:
        key = ch.upper()
        assert key in CASE_KEYS, f"no key for {ch!r} in {number!r}"
        out += key
    return out


@given(provisional)
def test_every_provisional_number_can_be_typed_back(number: str) -> None:
    typed = type_on_keypad(number)
    assert validate_case_no(FIELD, typed) == number.upper()
    assert is_case_ref(typed)


@given(central_numbers)
def test_every_central_case_number_can_be_typed_back(number: str) -> None:
    assert validate_case_no(FIELD, type_on_keypad(number)) == number


def test_the_issue_example_and_letters_the_old_keypad_lacked() -> None:
    for ch in "IOSVZ_":
        assert ch in CASE_KEYS
    assert (
        validate_case_no(FIELD, type_on_keypad("DEMO-0001-20261201-0002"))
        == "DEMO-0001-20261201-0002"
    )
    assert "".join(CASE_KEYS) == case_ref_alphabet()
    assert set(USCC_KEYS).isdisjoint("IOSVZ-")  # the credit-code keypad keeps GB 32100's alphabet


@given(st.text(min_size=1, max_size=40))
def test_anything_else_is_refused_with_a_message(text: str) -> None:
    from kiosk.catalogue.errors import FieldValueError

    try:
        out = validate_case_no(FIELD, text)
    except FieldValueError as exc:
        assert exc.zh and exc.en
    else:
        assert is_case_ref(out)

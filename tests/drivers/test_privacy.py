"""Masking: no ID number or mobile number survives scrub_text, whatever surrounds it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from drivers.privacy import mask_id_number, mask_name, mask_phone, scrub_text

ids = st.from_regex(r"[0-9]{17}[0-9X]", fullmatch=True)
phones = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
filler = st.text(
    alphabet=st.characters(blacklist_categories=("Nd",)).filter(lambda c: not c.isalnum()),
    max_size=8,
)


def test_masks() -> None:
    assert mask_id_number("61090219900101123X") == "6109**********123X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("JOHN SMITH") == "J*** S****"


@given(filler, ids, filler, phones, filler)
def test_scrub_removes_ids_and_phones(a: str, id_number: str, b: str, phone: str, c: str) -> None:
    out = scrub_text(f"{a}{id_number}{b}{phone}{c}")
    assert id_number not in out and phone not in out
    if b:  # glued to the phone number, the whole digit run is masked as one
        assert (
            mask_id_number(id_number) in out and "****" in out.split(mask_id_number(id_number))[1]
        )


@given(st.text(max_size=40))
def test_scrub_never_raises_and_keeps_length_without_names(text: str) -> None:
    assert len(scrub_text(text)) == len(text)

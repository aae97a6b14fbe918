"""Text block → IdCard for all four card types, GB 11643 check digits, masking."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.idcard.card import (
    NATIONS,
    CardType,
    ForeignCard2017,
    ForeignCard2023,
    MainlandIdCard,
    ResidencePermit,
    build_text,
    id_check_char,
    is_valid_id_number,
    parse_text,
)
from drivers.idcard.errors import CardDataError
from drivers.sim.idcard import DEMO_CARDS, demo_card

PHOTO = b"WLf\x00" + bytes(range(256)) * 3 + bytes(252)


def block(fields: dict[int, tuple[str, int]], flag: str = " ") -> bytes:
    """Build a text block by hand: {offset: (value, byte length)}, UCS-2LE, space padded."""
    text = bytearray(" ".encode("utf-16-le") * 128)
    for offset, (value, length) in fields.items():
        raw = value.encode("utf-16-le")
        assert len(raw) <= length
        text[offset : offset + len(raw)] = raw
    text[248:250] = flag.encode("utf-16-le")
    return bytes(text)


MAINLAND = {
    0: ("张三", 30),
    30: ("1", 2),
    32: ("01", 4),
    36: ("19491231", 16),
    52: ("北京市朝阳区建国路1号", 70),
    122: ("11010519491231002X", 36),
    158: ("北京市公安局朝阳分局", 30),
    188: ("20100101", 16),
    204: ("长期", 16),
}


def test_mainland_card() -> None:
    card = parse_text(block(MAINLAND), PHOTO)
    assert isinstance(card, MainlandIdCard) and card.card_type is CardType.MAINLAND
    assert (card.name, card.sex_text, card.nation_name) == ("张三", "男", "汉")
    assert card.birth_date == dt.date(1949, 12, 31)
    assert card.address == "北京市朝阳区建国路1号"
    assert card.id_number == "11010519491231002X" and card.check_digit_ok is True
    assert card.authority == "北京市公安局朝阳分局"
    assert (card.valid_from, card.valid_to) == (dt.date(2010, 1, 1), "长期")
    assert card.photo == PHOTO


def test_residence_permit_card() -> None:
    fields = dict(MAINLAND)
    fields.update(
        {
            0: ("陈大文", 30),
            32: ("", 4),
            122: ("810000199005050026", 36),
            204: ("20250601", 16),
            220: ("H12345678", 18),
            238: ("01", 4),
        }
    )
    card = parse_text(block(fields, "J"), PHOTO)
    assert isinstance(card, ResidencePermit) and card.card_type.json_name == "hk_mo_tw"
    assert (card.pass_number, card.issue_count, card.region) == ("H12345678", "01", "香港")
    assert card.nation == "" and card.check_digit_ok is True
    assert card.valid_to == dt.date(2025, 6, 1)


def test_foreign_2017_card() -> None:
    fields = {
        0: ("SMITH JOHN", 120),
        120: ("1", 2),
        122: ("USA330078010115", 30),
        152: ("USA", 6),
        158: ("史密斯", 30),
        188: ("20180101", 16),
        204: ("20280101", 16),
        220: ("19780101", 16),
        236: ("17", 4),
        240: ("3300", 8),
    }
    card = parse_text(block(fields, "I"), PHOTO)
    assert isinstance(card, ForeignCard2017)
    assert (card.english_name, card.name, card.nationality) == ("SMITH JOHN", "史密斯", "USA")
    assert card.id_number == "USA330078010115" and card.check_digit_ok is None
    assert (card.birth_date, card.card_version, card.office_code) == (
        dt.date(1978, 1, 1),
        "17",
        "3300",
    )
    assert card.to_json(masked=False)["nation"] == "USA"


def test_foreign_2023_card_with_split_english_name() -> None:
    name = "JOHNSON MARY ANN ELIZABETH WILHELMINA"  # 37 characters: 35 + 2 in the extension
    fields = {
        0: ("玛丽", 30),
        30: ("2", 2),
        32: ("00", 4),
        36: ("19800202", 16),
        52: (name[:35], 70),
        122: ("933026198002020031", 36),
        188: ("20240101", 16),
        204: ("20340101", 16),
        220: (name[35:], 22),
        242: ("GBR", 6),
    }
    card = parse_text(block(fields, "Y"), PHOTO)
    assert isinstance(card, ForeignCard2023)
    assert card.english_name == name and card.name == "玛丽" and card.sex_text == "女"
    assert card.nationality == "GBR" and card.renewal_count == "00" and card.check_digit_ok is True


def test_foreign_2023_short_english_name() -> None:
    fields = {0: ("", 30), 30: ("1", 2), 52: ("LEE TOM", 70), 122: ("933026198002020031", 36)}
    card = parse_text(block(fields, "Y"))
    assert card.english_name == "LEE TOM" and card.display_name == "LEE TOM"


def test_nul_flag_is_mainland() -> None:
    text = bytearray(block(MAINLAND))
    text[248:250] = b"\x00\x00"
    assert isinstance(parse_text(bytes(text)), MainlandIdCard)


@pytest.mark.parametrize(
    "bad",
    [
        block(MAINLAND, "Q"),
        block(MAINLAND)[:255],
        block({**MAINLAND, 36: ("19491331", 16)}),
        block({**MAINLAND, 36: ("1949123", 16)}),
        block({**MAINLAND, 188: ("长期", 16)}),
        block({**MAINLAND, 122: ("110105194912310021", 36)}),
    ],
)
def test_bad_text_blocks_raise_card_data_error(bad: bytes) -> None:
    with pytest.raises(CardDataError):
        parse_text(bad)


def test_bad_check_digit_exposed_when_not_strict() -> None:
    card = parse_text(block({**MAINLAND, 122: ("110105194912310021", 36)}), strict=False)
    assert card.check_digit_ok is False


def test_check_digit_vectors() -> None:
    assert id_check_char("11010519491231002") == "X"
    assert is_valid_id_number("11010519491231002X") and is_valid_id_number("11010519491231002x")
    assert is_valid_id_number("360426199101010071")
    assert not is_valid_id_number("360426199101010072")
    assert not is_valid_id_number("36042619910101007") and not is_valid_id_number(
        "３60426199101010071"
    )


@settings(max_examples=200, deadline=None)
@given(st.text("0123456789", min_size=17, max_size=17), st.sampled_from("0123456789X"))
def test_check_digit_property(first17: str, check: str) -> None:
    good = id_check_char(first17)
    assert is_valid_id_number(first17 + good)
    assert is_valid_id_number(first17 + check) == (check == good)
    # any single-digit change in the body is caught (MOD 11-2 detects all single errors)
    i = len(first17) // 2
    other = first17[:i] + str((int(first17[i]) + 1) % 10) + first17[i + 1 :]
    assert not is_valid_id_number(other + good)


@pytest.mark.parametrize("kind", list(DEMO_CARDS))
def test_demo_cards_roundtrip_and_json(kind: str) -> None:
    card = demo_card(kind)
    assert parse_text(build_text(card), card.photo) == card
    assert card.check_digit_ok in (True, None)
    full, masked = card.to_json(masked=False), card.to_json()
    for key in (
        "card_type",
        "name",
        "sex",
        "nation",
        "birth_date",
        "address",
        "id_number",
        "authority",
        "valid_from",
        "valid_to",
        "photo_bytes",
    ):
        assert key in full and key in masked
    assert full["card_type"] == kind and full["photo_bytes"] == 1024
    assert masked["id_number"] != card.id_number and card.id_number[-4:] == masked["id_number"][-4:]
    assert card.display_name not in json.dumps(masked, ensure_ascii=False)
    assert card.id_number not in repr(card) and card.display_name not in repr(card)


def test_masked_mainland_fields() -> None:
    card = demo_card("mainland")
    m = card.masked()
    assert type(m) is MainlandIdCard
    assert (m.name, m.id_number, m.photo) == ("王**", "6109**********0010", b"")
    assert m.address.startswith("陕西省安康市") and "兴安中路" not in m.address
    j = card.to_json()
    assert j["birth_date"] == "1991-**-**" and j["valid_to"] == "2035-03-01"
    assert card.to_json(masked=False)["birth_date"] == "1991-01-01"


def test_card_is_immutable() -> None:
    card = demo_card("mainland")
    with pytest.raises(AttributeError):
        card.name = "x"  # type: ignore[misc]


def test_nation_table_complete() -> None:
    assert len(NATIONS) == 58 and NATIONS["56"] == "基诺" and NATIONS["98"] == "外国血统中国籍人士"
    assert all(f"{i:02d}" in NATIONS for i in range(1, 57))


@settings(max_examples=100, deadline=None)
@given(st.binary(min_size=256, max_size=256))
def test_parse_text_raises_only_card_data_error(text: bytes) -> None:
    try:
        parse_text(text)
    except CardDataError:
        pass


@settings(max_examples=60, deadline=None)
@given(
    st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1, max_size=15),
    st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), max_size=35),
    st.sampled_from(sorted(NATIONS)),
    st.dates(dt.date(1900, 1, 1), dt.date(2099, 12, 31)),
)
def test_mainland_build_parse_roundtrip(
    name: str, address: str, nation: str, birth: dt.date
) -> None:
    body = f"110105{birth:%Y%m%d}123"
    card = MainlandIdCard(
        name=name,
        sex="2",
        nation=nation,
        birth_date=birth,
        address=address,
        id_number=body + id_check_char(body),
        authority="某公安局",
        valid_from=dt.date(2020, 1, 1),
        valid_to="长期",
    )
    assert parse_text(build_text(card)) == card

"""The catalogue's `pay` kind: channels declared, checked, and only on pay items."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from kiosk.catalogue.model import CHANNELS
from kiosk.catalogue.schema import build_catalogue, validate_catalogue
from tests.kiosk.payment.conftest import catalogue
from tests.kiosk.session.fixtures import catalogue_dict


def _with(item: dict[str, Any]) -> dict[str, Any]:
    data = catalogue_dict()
    data["items"].append(
        {
            "code": "FS-0001",
            "name_zh": "罚没款缴纳",
            "name_en": "Fines",
            "department_zh": "某局",
            "department_en": "Bureau",
            "category": "general",
            "auth": "id_card",
            "devices": ["idcard"],
            "order": 99,
            **item,
        }
    )
    return data


def test_demo_catalogue_has_17_items_and_yb0202_pays() -> None:
    cat = catalogue()
    assert len(cat.enabled_items()) == 17  # the tiles; bundle-only items besides (issue 23)
    item = cat.item("YB-0202")
    assert item.kind == "pay" and item.channels == ("qr", "payment_code") and not item.offline
    assert item.receipt is not None and item.receipt.qr == "session.einvoice_url"


def test_a_hall_adds_a_fee_by_data_alone() -> None:
    cat = build_catalogue(_with({"kind": "pay", "channels": ["qr"]}))
    assert cat.item("FS-0001").channels == ("qr",)


@given(
    st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=14), max_size=4)
)
def test_channels_are_checked(channels: list[str]) -> None:
    problems = validate_catalogue(_with({"kind": "pay", "channels": channels}))
    ok = (
        bool(channels)
        and all(c in CHANNELS for c in channels)
        and len(set(channels)) == len(channels)
    )
    assert (not any(".channels" in p for p in problems)) == ok, problems


def test_channels_only_on_pay_items_and_pay_never_offline() -> None:
    problems = validate_catalogue(_with({"kind": "query", "channels": ["qr"]}))
    assert any("only pay items have payment channels" in p for p in problems)
    problems = validate_catalogue(_with({"kind": "pay", "channels": ["qr"], "offline": True}))
    assert any("only apply items can be accepted offline" in p for p in problems)
    problems = validate_catalogue(_with({"kind": "pay"}))
    assert any("a pay item needs its payment channels" in p for p in problems)

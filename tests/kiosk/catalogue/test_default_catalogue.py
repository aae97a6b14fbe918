"""The shipped default catalogue: signed with the demo key, 17 items, matching its YAML source."""

from __future__ import annotations

import pytest

from kiosk.catalogue.signing import load_private_key, load_public_key, parse_bundle, verify_bundle
from kiosk.commands.catalogue import load_source

from .conftest import BUNDLE, DEMO_KEY, DEMO_PUB, SOURCE

ISSUE_ITEMS = [
    "社保参保缴费证明打印",
    "社保缴费明细查询",
    "养老待遇资格认证",
    "医保参保凭证打印",
    "城乡居民医保缴费",
    "公积金缴存明细查询",
    "公积金缴存证明打印",
    "不动产权属（有房无房）证明打印",
    "不动产登记进度查询",
    "营业执照自助打印",
    "个人所得税纳税记录打印",
    "户籍信息查询",
    "出入境证件办理进度查询",
    "交通违法查询",
    "无犯罪记录证明申请",
    "办件进度查询",
    "12345诉求提交",
]


@pytest.fixture(scope="module")
def shipped():
    """The shipped bundle verified with the demo public key."""
    return verify_bundle(BUNDLE.read_bytes(), {"demo-2026": load_public_key(DEMO_PUB)})


def test_shipped_bundle_verifies_with_the_demo_key(shipped) -> None:
    assert shipped.version == 1 and shipped.key_id == "demo-2026"
    assert sorted(i.name_zh for i in shipped.enabled_items()) == sorted(ISSUE_ITEMS)
    assert len(shipped.items) == 26  # 17 tiles + 9 items of the 一件事 bundles (issue 23)
    assert [t.zh for t in shipped.rating_tags] == [
        "操作不便",
        "等待/打印太慢",
        "结果有误",
        "设备故障",
        "说明不清楚",
        "其他",
    ]


def test_bundle_is_the_signed_form_of_the_yaml_source() -> None:
    """Editing catalogue.yaml without re-signing is caught here."""
    signed = dict(parse_bundle(BUNDLE.read_bytes())["catalogue"])
    for k in ("version", "issued_at", "expires_at"):
        signed.pop(k)
    assert signed == load_source(SOURCE)


def test_demo_private_key_matches_and_is_marked(shipped) -> None:
    text = DEMO_KEY.read_text()
    assert text.startswith("# DEMO ONLY")
    from cryptography.hazmat.primitives import serialization

    raw = lambda k: k.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)  # noqa: E731
    assert raw(load_private_key(DEMO_KEY).public_key()) == raw(load_public_key(DEMO_PUB))


def test_required_path_needs_no_chinese_typing(shipped) -> None:
    for item in shipped.items:
        for f in item.fields:
            if f.required:
                assert f.type != "text" or f.prefill, (item.code, f.name)


def test_every_item_is_bilingual_and_complete(shipped) -> None:
    for item in shipped.items:
        assert item.name_en.isascii() and item.department_en.isascii(), item.code
        assert item.materials and item.receipt and item.receipt.lines, item.code
        assert item.description_zh and item.description_en, item.code
        for f in item.fields:
            assert f.label_en.isascii() and f.label_zh, (item.code, f.name)


def test_item_specifics(shipped) -> None:
    assert shipped.item("SC-0501").field("uscc").type == "uscc"
    assert shipped.item("RX-1101").kind == "apply" and shipped.item("RX-1101").offline
    assert shipped.item("GA-0702").offline
    for code in ("ZW-1001", "BDC-0402", "CRJ-0801"):
        item = shipped.item(code)
        assert item.kind == "progress" and item.auth == ()
        assert item.field("case_no").scan
    prints = [i for i in shipped.items if i.kind == "print"]
    assert len(prints) == 6 and all("a4printer" in i.devices and i.document for i in prints)
    assert {i.kind for i in shipped.items} == {"query", "print", "apply", "progress", "pay"}
    pay = shipped.item("YB-0202")  # 城乡居民医保缴费 takes the money (issue 13)
    assert pay.kind == "pay" and set(pay.channels) == {"qr", "payment_code"}

"""Receipts built from the catalogue layout: every receipt carries a QR for progress look-up."""
from __future__ import annotations

from kiosk.session.ports import QueryAnswer
from kiosk.session.receipts import build_receipt
from kiosk.catalogue.schema import build_catalogue
from tests.kiosk.session.fixtures import catalogue, catalogue_dict

SESSION = {"case_no": "330100-20261125-000042", "time": "2026-11-25 16:40", "terminal_id": "DEMO-0001"}


def test_layout_qr_missing_from_the_answer_falls_back_to_the_case_number() -> None:
    data = catalogue_dict()
    data["items"][1]["receipt"] = dict(data["items"][1]["receipt"], qr="result.verify_url")
    item = build_catalogue(data).item("P-0001")
    answer = QueryAnswer(title="证明", rows=(("年度", "2025"),), values={})  # no result.verify_url
    doc = build_receipt(item, "zh_CN", fields={}, session=SESSION, answer=answer)
    assert doc.qr == "330100-20261125-000042"
    with_url = QueryAnswer(title="证明", rows=(), values={"verify_url": "https://zwfw.example/v/ab12"})
    assert build_receipt(item, "zh_CN", fields={}, session=SESSION, answer=with_url).qr == \
        "https://zwfw.example/v/ab12"


def test_no_case_number_no_qr() -> None:
    item = catalogue().item("P-0001")
    doc = build_receipt(item, "zh_CN", fields={}, session={}, answer=None)
    assert doc.qr is None

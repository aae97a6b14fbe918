"""Engine-test fixtures: a small catalogue (one item of each kind) and in-process fakes.

The fakes exist ONLY for the engine's unit tests; the UI flows use the real simulators.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kiosk.catalogue.model import Catalogue
from kiosk.catalogue.schema import build_catalogue
from kiosk.session.ports import (
    CardHolder,
    CentralUnavailable,
    PrintOutcome,
    QueryAnswer,
    RatingRecord,
    ReceiptDoc,
    Submitted,
)

ID = {
    "name": "id_number",
    "type": "id_number",
    "label_zh": "身份证号码",
    "label_en": "ID number",
    "prefill": "id_card.id_number",
}
PHONE = {"name": "phone", "type": "phone", "label_zh": "联系电话", "label_en": "Mobile"}
YEAR = {
    "name": "year",
    "type": "number",
    "label_zh": "年度",
    "label_en": "Year",
    "min": 1992,
    "max": 2099,
}
DAY = {"name": "day", "type": "date", "label_zh": "日期", "label_en": "Date", "required": False}
CASE = {
    "name": "case_no",
    "type": "case_no",
    "label_zh": "办件编号",
    "label_en": "Case number",
    "scan": True,
}
RECEIPT = {
    "title_zh": "回执",
    "title_en": "Receipt",
    "lines": [
        {"label_zh": "编号", "label_en": "No.", "ref": "session.case_no"},
        {
            "label_zh": "身份证号",
            "label_en": "ID",
            "ref": "session.holder_id_number",
            "mask": "id_number",
        },
    ],
    "qr": "session.case_no",
}
DOCUMENT = {
    "title": "证明",
    "seal": "demo",
    "valid_days": 30,
    "lines": [
        {"label": "姓名", "ref": "session.holder_name"},
        {"label": "公民身份号码", "ref": "session.holder_id_number", "mask": "id_number_issuer"},
    ],
    "table": {"title": "明细"},
}


def _item(code: str, kind: str, auth: str, order: int, fields: list, **kw: Any) -> dict:
    devices = kw.pop("devices", None)
    if devices is None:
        devices = (["idcard"] if auth == "id_card" else []) + (
            ["a4printer"] if kind == "print" else []
        )
    return {
        "code": code,
        "name_zh": f"事项{order}",
        "name_en": f"Item {order}",
        "department_zh": "某局",
        "department_en": "Some bureau",
        "category": "general",
        "kind": kind,
        "auth": auth,
        "order": order,
        "devices": devices,
        "fields": fields,
        **kw,
    }


def catalogue_dict() -> dict:
    """Five items: query, print, apply (offline), progress (scan), id_card_or_qr query."""
    return {
        "format": 1,
        "version": 1,
        "issued_at": "2026-01-01T00:00:00Z",
        "expires_at": "2036-01-01T00:00:00Z",
        "categories": [{"code": "general", "zh": "综合", "en": "General"}],
        "rating_tags": [
            {"code": "attitude", "zh": "态度不好", "en": "Poor attitude"},
            {"code": "long_wait", "zh": "等待时间长", "en": "Long wait"},
        ],
        "items": [
            _item("Q-0001", "query", "id_card", 1, [ID, YEAR]),
            _item("P-0001", "print", "id_card", 2, [ID], receipt=RECEIPT, document=DOCUMENT),
            _item("A-0001", "apply", "id_card", 3, [ID, PHONE], receipt=RECEIPT, offline=True),
            _item("G-0001", "progress", "none", 4, [CASE]),
            _item(
                "Q-0002", "query", "id_card_or_qr", 5, [YEAR, DAY], devices=["idcard", "scanner"]
            ),
        ],
    }


def catalogue() -> Catalogue:
    """The fixture catalogue as the typed model."""
    return build_catalogue(catalogue_dict())


ZHANG = CardHolder(
    name="张三丰",
    id_number="11010519491231002X",
    card_type="mainland",
    address="北京市东城区某街1号",
)


class FakeCentral:
    """Answers at once; `fail` makes every call raise CentralUnavailable."""

    def __init__(self) -> None:
        self.fail = False
        self.offline_provisional = False
        self.calls: list[tuple[str, Any]] = []
        self.ratings: list[RatingRecord] = []
        self._n = 0

    def query(self, item_code: str, payload: Mapping[str, Any]) -> QueryAnswer:
        self.calls.append(("query", item_code))
        if self.fail:
            raise CentralUnavailable("down")
        return QueryAnswer(
            title="结果",
            rows=(("2025-01", "100.00"), ("2025-02", "100.00")),
            values={"months": "2"},
        )

    def submit(self, item_code: str, payload: Mapping[str, Any]) -> Submitted:
        self.calls.append(("submit", item_code))
        if self.fail:
            raise CentralUnavailable("down")
        self._n += 1
        return Submitted(case_no=f"SB2026{self._n:06d}", provisional=self.offline_provisional)

    def progress(self, case_no: str) -> QueryAnswer:
        self.calls.append(("progress", case_no))
        return QueryAnswer(title="进度", rows=(("受理", "已完成"),))

    def rate(self, rating: RatingRecord) -> None:
        self.ratings.append(rating)


class FakePrinter:
    """Prints into a list unless `reason` is set (then reports that failure)."""

    def __init__(self) -> None:
        self.reason = ""
        self.printed: list[ReceiptDoc] = []

    def print_receipt(self, receipt: ReceiptDoc) -> PrintOutcome:
        if self.reason:
            return PrintOutcome(False, self.reason)
        self.printed.append(receipt)
        return PrintOutcome(True)


class FakeClock:
    """A settable monotonic clock."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, s: float) -> None:
        self.now += s

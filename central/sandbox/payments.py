"""The simulated payment platform (聚合支付) and department price list of the sandbox.

Stands in for the bank / 财政 platform: prices an order from the department's rules, answers a
scanned QR (POST /sandbox/payments/{order_no}/pay, the demo dock's "用手机支付"), charges a
付款码 shown to the terminal's scanner, and sends central its payment notifications, with fault
options: slow confirmation, failure, duplicate notifications. Off in production.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from kiosk.central_api import PAYMENT_CODE_RE, id_number_valid

log = logging.getLogger(__name__)

SLOW_S = 10.0
"""Slow confirmation: the notification arrives this long after the citizen paid."""
PAYEE_MEDICAL = "国家税务总局安康市税务局"


@dataclass(frozen=True)
class Priced:
    """An order as the department prices it: lines (label_zh, label_en, fen) and the payee."""

    lines: tuple[tuple[str, str, int], ...]
    payee_zh: str

    @property
    def amount_fen(self) -> int:
        """Total of the lines, fen."""
        return sum(fen for _, _, fen in self.lines)


class NotPriced(ValueError):
    """The department cannot price this request (code, message for the citizen's terminal)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


# 城乡居民医保 individual contribution by category (fen): basic insurance + 大病保险 share.
MEDICAL_RATES: Mapping[str, tuple[int, int]] = {
    "adult": (38_000, 2_000),
    "minor": (38_000, 2_000),
    "student": (38_000, 2_000),
    "elderly": (38_000, 2_000),
}


def _medical(fields: Mapping[str, Any], today: date) -> Priced:
    insured = str(fields.get("insured_id") or "").upper()
    if not id_number_valid(insured):
        raise NotPriced("insured_not_found", "参保人身份证号码无效")
    try:
        year = int(str(fields.get("year")))
    except ValueError:
        raise NotPriced("bad_year", "缴费年度无效") from None
    if year not in (today.year, today.year + 1):
        raise NotPriced("year_not_open", f"{year}年度不在缴费期内")
    group = str(fields.get("group") or "")
    if group not in MEDICAL_RATES:
        raise NotPriced("bad_group", "参保身份无效")
    basic, serious = MEDICAL_RATES[group]
    return Priced(
        (
            (
                f"城乡居民基本医疗保险 个人缴费（{year}年度）",
                f"Residents' basic medical insurance, {year}",
                basic,
            ),
            (f"城乡居民大病保险（{year}年度）", f"Serious illness insurance, {year}", serious),
        ),
        PAYEE_MEDICAL,
    )


PRICE_LIST: dict[str, Callable[[Mapping[str, Any], date], Priced]] = {"YB-0202": _medical}
"""Items the sandbox's departments can price; other `pay` items answer 422 not_priced."""


def price(item_code: str, fields: Mapping[str, Any], today: date) -> Priced:
    """The department's amount for this request; NotPriced when it cannot say."""
    rule = PRICE_LIST.get(item_code)
    if rule is None:
        raise NotPriced("not_priced", f"事项 {item_code} 暂无收费标准")
    return rule(fields, today)


def payer_app(code: str) -> str:
    """Which app a 付款码 comes from, by its prefix."""
    if code[:2] in {"10", "11", "12", "13", "14", "15"}:
        return "wechat"
    if code.startswith("62"):
        return "unionpay"
    return "alipay"


@dataclass(frozen=True)
class Charge:
    """What the platform did with a 付款码: confirmed now, later (slow), or declined."""

    outcome: str  # "paid", "pending", "declined"
    code: str = ""
    message: str = ""


Notify = Callable[[str, str, str], Any]
"""notify(order_no, channel, payer_app): the platform's payment notification to central."""


class SandboxPlatform:
    """The simulated platform: takes money and notifies central (with optional faults)."""

    def __init__(self, notify: Notify, slow_s: float = SLOW_S) -> None:
        self.notify = notify
        self.slow_s = slow_s
        self._timers: list[threading.Timer] = []

    def qr_payload(self, base_url: str, order_no: str) -> str:
        """The URL a phone opens when it scans the terminal's QR (the sandbox's pay page)."""
        return f"{base_url.rstrip('/')}/sandbox/payments/{order_no}"

    def _later(self, delay: float, fn: Callable[[], Any]) -> None:
        t = threading.Timer(delay, fn)
        t.daemon = True
        self._timers = [x for x in self._timers if x.is_alive()] + [t]
        t.start()

    def scan_pay(self, order_no: str, fault: str = "", delay_s: float | None = None) -> str:
        """A phone paid the order's QR: notify central now, later ("slow"), twice
        ("duplicate"), or not at all ("fail": the payment was declined). Returns what happened."""
        if fault == "fail":
            return "declined"
        if fault == "slow":
            self._later(
                self.slow_s if delay_s is None else delay_s,
                lambda: self.notify(order_no, "qr", "wechat"),
            )
            return "pending"
        self.notify(order_no, "qr", "wechat")
        if fault == "duplicate":
            self.notify(order_no, "qr", "wechat")
        return "notified"

    def charge_code(self, order_no: str, code: str) -> Charge:
        """Charge a 付款码 shown to the terminal. Sandbox test codes: ending 0000 declines
        (余额不足), ending 9999 confirms after the slow delay; any other valid code pays."""
        if not PAYMENT_CODE_RE.fullmatch(code):
            return Charge("declined", "bad_code", "付款码无效，请刷新付款码后重试")
        app = payer_app(code)
        if code.endswith("0000"):
            return Charge("declined", "insufficient_funds", "余额不足，请更换付款方式")
        if code.endswith("9999"):
            self._later(self.slow_s, lambda: self.notify(order_no, "payment_code", app))
            return Charge("pending")
        self.notify(order_no, "payment_code", app)
        return Charge("paid")

    def stop(self) -> None:
        """Cancel pending slow notifications."""
        for t in self._timers:
            t.cancel()

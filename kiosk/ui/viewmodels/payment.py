"""View-model of the payment screen: amount, QR, 付款码 hint, countdown, outcome."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kivy.properties import BooleanProperty, ListProperty, StringProperty

from kiosk.payment.money import format_fen
from kiosk.ui.viewmodels.base import ScreenViewModel

if TYPE_CHECKING:
    from kiosk.payment.orders import Order
    from kiosk.session.engine import SessionEngine

PAYING = ("waiting", "charging", "failed")
KNOWN_FAILURES = ("bad_code", "insufficient_funds", "payment_failed")


def breakdown_rows(order: Order, en: bool) -> list[dict[str, str]]:
    """The order's lines as label/value rows (amounts as ¥380.00)."""
    return [{"label": b if en else a, "value": format_fen(fen)} for a, b, fen in order.lines]


class PaymentViewModel(ScreenViewModel):
    """What the payment screen shows for the session's order."""

    title = StringProperty("")
    phase = StringProperty("")
    paying = BooleanProperty(False)
    """The QR and the 付款码 hint are up (waiting, charging or a failed attempt)."""
    amount_text = StringProperty("")
    payee = StringProperty("")
    lines = ListProperty()
    qr = StringProperty("")
    code_hint = StringProperty("")
    remaining_text = StringProperty("")
    message = StringProperty("")
    """The outcome in words (charging, failure, expired, refunded, paid …)."""
    problem = BooleanProperty(False)
    network_text = StringProperty("")
    order_text = StringProperty("")
    einvoice_text = StringProperty("")
    can_cancel = BooleanProperty(False)
    can_leave = BooleanProperty(False)

    def update(self, engine: SessionEngine) -> None:
        """Fill from engine.payment."""
        flow = engine.payment
        order, item = flow.order, engine.item
        if order is None and flow.status is None:
            self.wipe()
            return
        phase = flow.phase
        self.title = (
            f"{self.tr('pay.title')} · {item.name(engine.lang)}" if item else self.tr("pay.title")
        )
        self.phase = phase
        self.paying = phase in PAYING
        amount = order.amount_fen if order else (flow.status.amount_fen if flow.status else 0)
        self.amount_text = format_fen(amount, grouping=True)
        self.payee = order.payee_zh if order else ""
        self.lines = breakdown_rows(order, self.en) if order else []
        channels = item.channels if item else ()
        self.qr = order.qr_payload if order and self.paying and "qr" in channels else ""
        code_ok = "payment_code" in channels and not engine.devices.get("scanner")
        self.code_hint = self.tr("pay.or_code") if self.paying and code_ok else ""
        left = int(flow.remaining_s())
        self.remaining_text = (
            self.tr("pay.remaining", time=f"{left // 60}:{left % 60:02d}") if self.paying else ""
        )
        self.problem = phase in ("failed", "expired", "refunded", "unknown")
        if phase == "failed":
            code = flow.error if flow.error in KNOWN_FAILURES else "other"
            self.message = self.tr(f"pay.fail.{code}")
        elif phase in ("charging", "expired", "refunded", "unknown", "cancelling", "paid"):
            self.message = self.tr(f"pay.phase.{phase}")
        else:
            self.message = ""
        self.network_text = self.tr("pay.network") if flow.network_problem and self.paying else ""
        st = flow.status
        no = order.order_no if order else (st.order_no if st else "")
        self.order_text = self.tr("pay.order_line", no=no) if no else ""
        self.einvoice_text = (
            self.tr("pay.einvoice_line", no=st.einvoice_no)
            if phase == "paid" and st and st.einvoice_no
            else ""
        )
        if phase == "paid":
            self.message = f"{self.tr('pay.phase.paid')}\n{self.tr('pay.printing_soon')}"
        self.can_cancel = phase in ("waiting", "failed")
        self.can_leave = phase in ("expired", "refunded", "unknown")

    def cancel(self) -> None:
        """取消缴费: the order is cancelled before the session ends (paid shows paid)."""
        self.engine.cancel()

    def leave(self) -> None:
        """返回首页 after an expired / refunded / unconfirmed order."""
        self.engine.end("done")

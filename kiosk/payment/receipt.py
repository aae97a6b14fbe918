"""What a paid order shows and prints: the result table and the receipt (payee, amount, order
number, paid time, channel, 电子票据号, and the QR that checks the e-invoice at central)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kiosk import clock as terminal_clock
from kiosk.payment.money import PRINTED_YUAN, format_fen
from kiosk.payment.orders import Status
from kiosk.payment.store import StoredOrder
from kiosk.session.ports import QueryAnswer, ReceiptDoc
from kiosk.session.receipts import build_receipt, texts

if TYPE_CHECKING:
    from kiosk.session.engine import SessionEngine


def local_time(t: float | None) -> str:
    """YYYY-MM-DD HH:MM in the terminal's time zone ("" for None)."""
    return terminal_clock.strftime("%Y-%m-%d %H:%M", t) if t else ""


def channel_text(status: Status | None, lang: str) -> str:
    """支付方式 in words: 微信扫码支付, 付款码支付（支付宝）…"""
    if status is None or not status.channel:
        return ""
    t = texts(lang)
    app = t.get(f"pay.app.{status.payer_app}", status.payer_app or "")
    return t[f"pay.channel.{status.channel}"].format(app=app)


def paid_outcome(status: Status, lang: str, reprint: bool = False) -> Any:
    """The result screen of a paid order: amount, order number, 电子票据号, channel, time."""
    from kiosk.session.engine import Outcome

    t = texts(lang)
    rows = (
        (t["pay.amount"], format_fen(status.amount_fen)),
        (t["pay.order_no"], status.order_no),
        (t["pay.einvoice_no"], status.einvoice_no or t["pay.einvoice_pending"]),
        (t["pay.channel"], channel_text(status, lang)),
        (t["pay.paid_at"], local_time(status.paid_at)),
    )
    title = t["pay.reprint_title" if reprint else "pay.paid_title"]
    return Outcome(
        answer=QueryAnswer(title=title, rows=rows, printable=True, case_no=status.order_no)
    )


def payment_receipt(
    eng: SessionEngine, status: Status, stored: StoredOrder | None, reprint: bool = False
) -> ReceiptDoc:
    """The receipt of the pay item's layout; a reprint (from 办件进度查询) has no form values."""
    item = eng.catalogue.get(stored.item_code) if eng.catalogue and stored else None
    item = item or eng.session.item
    assert item is not None
    fields: dict[str, Any] = {}
    if item is eng.session.item:
        fields = {f.name: eng.session.clean.get(f.name) for f in item.fields}
    # the printer's GB2312 font has only the full-width yuan sign
    sess = {
        "case_no": status.order_no,
        "order_no": status.order_no,
        "amount": format_fen(status.amount_fen, sign=PRINTED_YUAN),
        "payee": stored.payee_zh if stored else "",
        "paid_at": local_time(status.paid_at),
        "channel": channel_text(status, eng.lang),
        "einvoice_no": status.einvoice_no or "",
        "einvoice_url": status.einvoice_url or "",
        "time": local_time(eng.wall_clock()),
        "terminal_id": eng.terminal_id,
        "hall_name": eng.hall_name,
        "item_name": item.name(eng.lang),
    }
    doc = build_receipt(item, eng.lang, fields=fields, session=sess)
    if reprint:
        doc = ReceiptDoc(
            f"{doc.title}{texts(eng.lang)['pay.reprint_mark']}", doc.lines, doc.qr, doc.footer
        )
    return doc

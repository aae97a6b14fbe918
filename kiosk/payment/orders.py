"""The payments port: central's payment API and the durable orders table, as the flow uses them.

Every answer about an order is written to the table before it is returned, so a crash at any
instant leaves the terminal knowing at least what central had told it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kiosk import central_api as api
from kiosk.central_errors import CentralClientError, CentralTimeout, NetworkError, Rejected
from kiosk.payment.errors import AlreadyPaid, OrderRefused, PaymentUnavailable
from kiosk.payment.store import PaymentStore, StoredOrder

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Order:
    """An order central created and priced: what the confirm and payment screens show."""

    order_no: str
    amount_fen: int
    lines: tuple[tuple[str, str, int], ...]
    """(label_zh, label_en, fen) of the breakdown."""
    payee_zh: str
    qr_payload: str
    expires_at: float
    """Wall-clock seconds."""


@dataclass(frozen=True)
class Status:
    """Where an order stands, as central last said."""

    order_no: str
    state: str
    """unpaid, paid, closed, refunded."""
    amount_fen: int
    expires_at: float
    paid_at: float | None = None
    channel: str | None = None
    payer_app: str | None = None
    einvoice_no: str | None = None
    einvoice_url: str | None = None
    closed_reason: str | None = None
    failure_code: str | None = None
    failure_message: str = ""

    @classmethod
    def from_api(cls, s: api.PaymentStatus) -> Status:
        """From the contract's model."""
        return cls(
            s.order_no,
            s.status.value,
            s.amount_fen,
            s.expires_at.timestamp(),
            s.paid_at.timestamp() if s.paid_at else None,
            s.channel.value if s.channel else None,
            s.payer_app,
            s.einvoice_no,
            s.einvoice_url,
            s.closed_reason,
            s.failure.code if s.failure else None,
            s.failure.message if s.failure else "",
        )

    @classmethod
    def from_stored(cls, o: StoredOrder) -> Status:
        """What the table remembers (no network)."""
        return cls(
            o.order_no,
            o.status,
            o.amount_fen,
            o.expires_at,
            o.paid_at,
            o.channel,
            o.payer_app,
            o.einvoice_no,
            o.einvoice_url,
        )


def applicant(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The session identity for the order (card holder, else the number the citizen typed)."""
    holder = payload.get("_holder") or {}
    number = holder.get("id_number") or payload.get("id_number") or payload.get("insured_id") or ""
    return {
        "method": "idcard" if holder else "qr",
        "id_number": number,
        "name": holder.get("name", ""),
    }


class PaymentPort:
    """Central's payment calls through the terminal's client, remembered in the orders table."""

    def __init__(
        self, client: Any, store: PaymentStore, region_code: str, clock: Any = None
    ) -> None:
        import time

        self.client = client
        self.store = store
        self.region_code = region_code
        self.clock = clock or time.time
        self._lock = threading.Lock()  # one request at a time through the shared client

    def _ask(self, fn: Any, *args: Any, retry: bool = True) -> Any:
        try:
            with self._lock:
                try:
                    return fn(*args)
                except NetworkError as exc:
                    # a pooled keep-alive connection the server had just closed: ask once more
                    # (create carries its idempotency key, status and cancel are idempotent;
                    # a 付款码 is never sent twice)
                    if not retry or isinstance(exc, CentralTimeout):
                        raise
                    return fn(*args)
        except Rejected as exc:
            if exc.status == 409 and exc.code == "already_paid":
                raise AlreadyPaid(exc.message) from None
            raise OrderRefused(exc.code, exc.message) from None
        except CentralClientError as exc:
            raise PaymentUnavailable(f"{type(exc).__name__}: {exc}") from None

    def create(self, item_code: str, payload: Mapping[str, Any], key: str) -> Order:
        """POST /v1/payments with the session's key; the order is on disk before it returns."""
        fields = {k: v for k, v in payload.items() if not k.startswith("_")}
        body = {
            "item_code": item_code,
            "region_code": self.region_code,
            "applicant": applicant(payload),
            "fields": fields,
        }
        res: api.PaymentOrder = self._ask(self.client.create_payment, body, key)
        order = Order(
            res.order_no,
            res.amount_fen,
            tuple((i.label_zh, i.label_en, i.amount_fen) for i in res.items),
            res.payee_zh,
            res.qr_payload,
            res.expires_at.timestamp(),
        )
        self.store.add(
            StoredOrder(
                order.order_no,
                item_code,
                order.amount_fen,
                order.lines,
                order.payee_zh,
                res.status.value,
                self.clock(),
                order.expires_at,
            )
        )
        return order

    def _keep(self, s: Status) -> Status:
        self.store.update(
            s.order_no,
            status=s.state,
            paid_at=s.paid_at,
            channel=s.channel,
            payer_app=s.payer_app,
            einvoice_no=s.einvoice_no,
            einvoice_url=s.einvoice_url,
            checked_at=self.clock(),
        )
        return s

    def status(self, order_no: str) -> Status:
        """GET /v1/payments/{order_no}."""
        return self._keep(Status.from_api(self._ask(self.client.payment, order_no)))

    def pay_code(self, order_no: str, code: str) -> Status:
        """Charge a 付款码 (sent once, never kept)."""
        return self._keep(
            Status.from_api(self._ask(self.client.pay_code, order_no, code, retry=False))
        )

    def cancel(self, order_no: str) -> Status:
        """Close the order; AlreadyPaid (after recording the paid state) when the money came first."""
        self.store.update(order_no, leave_wanted=1)  # if this call is lost, the reconciler retries
        try:
            return self._keep(Status.from_api(self._ask(self.client.cancel_payment, order_no)))
        except AlreadyPaid:
            try:
                self.status(order_no)
            except PaymentUnavailable:
                self.store.update(order_no, status="paid")
            raise

    def printed(self, order_no: str) -> None:
        """The paid receipt came out of the printer: the order needs no more attention."""
        self.store.update(order_no, printed=1)

    def stored(self, order_no: str) -> StoredOrder | None:
        """What the table holds about an order."""
        return self.store.get(order_no)

    def reconcile(self, current: str | None = None, grace_s: float = 30.0) -> dict[str, str]:
        """Re-check every unfinished order except the session's own (`current`): an unpaid
        one is cancelled (nobody is paying it any more), a paid one stays for its reprint.
        Returns order → state; a network fault leaves the row for the next pass."""
        out: dict[str, str] = {}
        now = self.clock()
        for o in self.store.unfinished():
            if o.order_no == current or (not o.leave_wanted and now - o.created_at < grace_s):
                continue  # the session's own, or just made and not yet on screen
            try:
                s = self.status(o.order_no)
                if s.state == "unpaid":
                    s = self.cancel(o.order_no)
                out[o.order_no] = s.state
            except AlreadyPaid:
                out[o.order_no] = "paid"
            except PaymentUnavailable as exc:
                log.info("payment %s not re-checked: %s", o.order_no, exc)
            except OrderRefused as exc:
                log.warning("payment %s: central refused the re-check: %s", o.order_no, exc.code)
            if out.get(o.order_no) == "paid" and o.status != "paid":
                log.warning(
                    "payment %s is paid and its receipt was not printed: reprint it "
                    "with the order number (办件进度查询)",
                    o.order_no,
                )
        return out

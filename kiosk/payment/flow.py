"""The payment part of a session: order → confirm with the amount → pay → paid → receipt.

The engine (kiosk.session.engine) keeps the states and calls these hooks; everything about the
order lives here. Blocking calls go through the engine's Runner; answers come back on the UI
thread and are dropped when they belong to an earlier order or session (generation).
"""

from __future__ import annotations

import functools
import logging
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kiosk.payment.errors import AlreadyPaid, OrderRefused, PaymentUnavailable
from kiosk.payment.orders import Order, PaymentPort, Status
from kiosk.payment.receipt import channel_text, paid_outcome, payment_receipt
from kiosk.session.ports import ReceiptDoc
from kiosk.session.states import State

if TYPE_CHECKING:
    from kiosk.session.engine import SessionEngine

log = logging.getLogger(__name__)

POLL_S = 1.0
"""Status polls while the QR is shown: never more often than this."""
POLL_SLOW_S = 2.0
POLL_SLOW_AFTER_S = 120.0
"""Backoff: after this long without an answer that changes anything, poll every POLL_SLOW_S."""
POLL_ERROR_MAX_S = 8.0
TICK_SLACK_S = 0.05
"""Polls start on the engine's 1 Hz tick: a poll due within this much of a tick goes on it
(else every other tick would be skipped, halving the rate and doubling the latency)."""
PAID_SHOW_S = 3.0
"""How long the paid screen stays before the receipt is printed."""
ENDED_SHOW_S = 20.0
"""How long an expired / failed-to-close screen waits before the session ends."""

PHASES = ("waiting", "charging", "failed", "expired", "cancelling", "paid", "refunded", "unknown")


class PaymentFlow:
    """One session's order at a time; `port` is None when central is not set up."""

    def __init__(self, engine: SessionEngine, port: PaymentPort | None = None) -> None:
        self.engine = engine
        self.port = port
        self.polls = 0
        """Status polls sent for the current order (the benchmark reads it)."""
        self.paid_seen_at: float | None = None
        self.reset()

    # ---- state ----

    def reset(self) -> None:
        """Forget the session's order (the engine ends the session)."""
        self.order: Order | None = None
        self.status: Status | None = None
        self.phase = ""
        self.network_problem = False
        self.error = ""
        self.reprint = False
        self._key = ""
        self._gen = getattr(self, "_gen", 0) + 1
        self._busy = False
        self._next_poll = 0.0
        self._poll_error_s = 0.0
        self._started = 0.0
        self._phase_at = 0.0
        self._deadline_mono = 0.0
        self._leave_reason = ""
        self.polls = 0
        self.paid_seen_at = None

    @property
    def active(self) -> bool:
        """A paid order belongs to this session (its receipt is the payment receipt)."""
        return self.status is not None and self.status.state == "paid"

    def remaining_s(self) -> float:
        """Seconds until the order expires (0 when past)."""
        if self.order is None:
            return 0.0
        return max(0.0, self._deadline_mono - self.engine.clock())

    def _set_phase(self, phase: str) -> None:
        if phase != self.phase:
            log.info("payment %s: %s", self.order.order_no if self.order else "-", phase)
        self.phase = phase
        self._phase_at = self.engine.clock()

    def _run(
        self, fn: Callable[[], Any], done: Callable[[Any, BaseException | None], None]
    ) -> None:
        gen = self._gen

        def back(result: Any, err: BaseException | None) -> None:
            if gen == self._gen:
                done(result, err)

        self.engine.runner(fn, back)

    # ---- order (engine: submit_form of a pay item) ----

    def create(self) -> None:
        """Ask central for the order (amount and breakdown) before the confirm screen."""
        eng = self.engine
        item = eng.session.item
        assert item is not None
        if self.order is not None:
            self._leave_silently()
        self.reset()
        if self.port is None:
            eng.session.outcome = _error("unavailable")
            eng._go(State.RESULT)
            return
        self._key = str(uuid.uuid4())  # one order per session: a retry replays this order
        payload = eng._payload()
        port, key = self.port, self._key
        eng._go(State.WORKING)
        self._run(lambda: port.create(item.code, payload, key), self._created)

    def _created(self, order: Order | None, err: BaseException | None) -> None:
        eng = self.engine
        if eng.state != State.WORKING:
            if order is not None:  # the session moved on meanwhile: nobody will pay this order
                self.order = order
                self._leave_silently()
            return
        if err is not None or order is None:
            log.warning("payment order not created: %s", type(err).__name__ if err else "none")
            code = err.code if isinstance(err, OrderRefused) else "unavailable"
            self.error = code
            eng.session.outcome = _error(
                "pay_refused" if isinstance(err, OrderRefused) else "unavailable"
            )
            eng._go(State.RESULT)
        else:
            self.order = order
            self._deadline_mono = eng.clock() + max(0.0, order.expires_at - eng.wall_clock())
            eng._go(State.CONFIRM)
        eng._changed()

    # ---- paying (engine: confirm of a pay item) ----

    def start(self) -> None:
        """The citizen confirmed the amount: show the QR and watch the order."""
        assert self.order is not None
        self._started = self.engine.clock()
        self._next_poll = self._started + POLL_S
        self._set_phase("waiting")
        self.engine._go(State.PAYMENT)

    def tick(self) -> None:
        """Once a second while on the payment screen: poll, expire, move on."""
        now = self.engine.clock()
        if self.phase == "paid":
            if now - self._phase_at >= PAID_SHOW_S:
                self._to_result()
            return
        if self.phase in ("expired", "refunded", "unknown"):
            if now - self._phase_at >= ENDED_SHOW_S * self.engine.factor:
                self.engine.end("timeout")
            return
        if self.phase == "cancelling" or self.order is None:
            return
        if self.remaining_s() <= 0 and not self._busy:
            self.leave("expired")
            return
        if not self._busy and now >= self._next_poll - TICK_SLACK_S:
            self._poll()
        self.engine._changed()  # the countdown moves

    def _poll(self) -> None:
        assert self.order is not None and self.port is not None
        self._busy = True
        self.polls += 1
        self._next_poll = self.engine.clock() + self._interval()  # from the start, not the answer
        port, no = self.port, self.order.order_no
        self._run(lambda: port.status(no), self._polled)

    def _interval(self) -> float:
        if self._poll_error_s:
            return self._poll_error_s
        slow = self.engine.clock() - self._started >= POLL_SLOW_AFTER_S
        return POLL_SLOW_S if slow else POLL_S

    def _polled(self, status: Status | None, err: BaseException | None) -> None:
        self._busy = False
        if err is not None or status is None:
            self._poll_error_s = min(
                POLL_ERROR_MAX_S, max(POLL_S, self._poll_error_s * 2 or POLL_S * 2)
            )
            self.network_problem = isinstance(err, PaymentUnavailable)
        else:
            self._poll_error_s = 0.0
            self.network_problem = False
            self._apply(status)
        if err is not None:
            self._next_poll = self.engine.clock() + self._interval()  # backed off
        self.engine._changed()

    def _apply(self, status: Status) -> None:
        self.status = status
        if self.phase == "cancelling":
            return
        if status.state == "paid":
            self._paid()
        elif status.state == "refunded":
            self._set_phase("refunded")
        elif status.state == "closed":
            self._set_phase("expired")
        elif status.failure_code:
            self.error = status.failure_code
            self._set_phase("failed")

    def _paid(self) -> None:
        if self.phase != "paid":
            self.paid_seen_at = time.monotonic()
            self._set_phase("paid")
            self.engine.session.service_id = self.status.order_no if self.status else ""
            if self.engine.state != State.PAYMENT:
                self.engine._go(State.PAYMENT)

    # ---- 付款码 (engine: a code scanned on the payment screen) ----

    def scanned(self, text: str) -> None:
        """The citizen showed a 付款码 to the scanner: charge it (the code is never kept)."""
        item = self.engine.session.item
        if self.order is None or self.port is None or self.phase not in ("waiting", "failed"):
            return
        if item is not None and "payment_code" not in item.channels:
            return
        code = text.strip()
        if not (code.isascii() and code.isdigit() and 16 <= len(code) <= 19):
            self.error = "bad_code"
            self._set_phase("failed")
            self.engine.touch()
            return
        self._set_phase("charging")
        self._busy = True
        port, no = self.port, self.order.order_no
        # bound now: the worker thread may start after this frame; nothing here keeps the code
        self._run(functools.partial(port.pay_code, no, code), self._charged)

    def _charged(self, status: Status | None, err: BaseException | None) -> None:
        self._busy = False
        if self.phase == "charging":
            self._set_phase("waiting")
        if status is not None:
            self._apply(status)
        elif isinstance(err, OrderRefused):
            self._poll()  # e.g. not_payable: paid or closed meanwhile; the poll says which
        else:
            self.network_problem = True
        self._next_poll = self.engine.clock() + POLL_S
        self.engine._changed()

    # ---- leaving (engine: end() / back from confirm) ----

    def wants_to_cancel(self) -> bool:
        """Whether an order of this session may still be unpaid (leaving must cancel it)."""
        return (
            self.order is not None
            and (self.status is None or self.status.state == "unpaid")
            and self.phase not in ("expired", "refunded")
        )

    def intercept_end(self, reason: str) -> bool:
        """engine.end(): True while an order must be cancelled first (the end comes after it)."""
        if self.phase == "cancelling":
            return True
        if self.wants_to_cancel() and self.port is not None:
            self.leave(reason)
            return True
        self.reset()
        return False

    def leave(self, reason: str) -> None:
        """Cancel the order, then end the session — or show it paid if the money came first."""
        assert self.order is not None and self.port is not None
        self._leave_reason = reason
        self._set_phase("cancelling")
        if self.engine.state != State.PAYMENT:
            self.engine._go(State.PAYMENT)
        port, no = self.port, self.order.order_no
        self._run(lambda: port.cancel(no), self._cancelled)
        self.engine._changed()

    def _cancelled(self, status: Status | None, err: BaseException | None) -> None:
        eng = self.engine
        if isinstance(err, AlreadyPaid):
            stored = self.port.stored(self.order.order_no) if self.port and self.order else None
            if stored is not None:
                self.status = Status.from_stored(stored)
            self.phase = ""
            self._paid()
            eng._changed()
            return
        if status is not None:
            self.status = status
        if status is not None and status.state == "paid":
            self.phase = ""
            self._paid()
            eng._changed()
            return
        if err is not None:  # the row keeps leave_wanted: the reconciler closes it later
            log.warning(
                "payment %s not cancelled now (%s): left for the re-check",
                self.order.order_no if self.order else "-",
                type(err).__name__,
            )
            self._set_phase("unknown")
            eng._changed()
            return
        if self._leave_reason == "expired" or (status is not None and status.state == "refunded"):
            self._set_phase(
                "refunded" if status is not None and status.state == "refunded" else "expired"
            )
            eng._changed()
            return
        self.order, self.phase = None, ""  # closed: nothing left to cancel
        eng.end(self._leave_reason or "cancel")

    def _leave_silently(self) -> None:
        """An order nobody will pay (back from confirm, stale answer): cancel in the background."""
        order, port = self.order, self.port
        self.order = None
        if order is None or port is None:
            return
        self.engine.runner(lambda: port.cancel(order.order_no), lambda r, e: None)

    def back_from_confirm(self) -> None:
        """The citizen went back to change the form: this order is cancelled."""
        self._leave_silently()
        self.reset()

    # ---- paid → result → receipt ----

    def _to_result(self) -> None:
        eng = self.engine
        st = self.status
        assert st is not None
        eng.session.outcome = paid_outcome(st, eng.lang, self.reprint)
        eng.session.service_id = st.order_no
        eng._go(State.RESULT)
        if eng.can_print:
            eng.print_receipt()
        else:
            eng._changed()

    def channel_text(self, lang: str) -> str:
        """支付方式 in words: 微信扫码支付, 付款码支付（支付宝）…"""
        return channel_text(self.status, lang)

    def receipt(self) -> ReceiptDoc:
        """The payment receipt: payee, amount, order number, paid time, channel, 电子票据号, QR."""
        assert self.status is not None and self.port is not None
        return payment_receipt(
            self.engine, self.status, self.port.stored(self.status.order_no), self.reprint
        )

    def printed(self, ok: bool) -> None:
        """The printer's answer for the payment receipt."""
        if ok and self.active and self.port is not None and self.status is not None:
            self.port.printed(self.status.order_no)

    # ---- 补打缴费凭证 (engine: confirm of a progress item) ----

    def reprint_lookup(self, number: str) -> bool:
        """A case number typed into 办件进度查询 that is one of this terminal's paid orders:
        show it paid and offer its receipt again. False: not a paid order here."""
        if self.port is None:
            return False
        stored = self.port.stored(number.strip())
        if stored is None or stored.status != "paid":
            return False
        self.reset()
        self.reprint = True
        self.status = Status.from_stored(stored)
        port = self.port
        self.engine._go(State.WORKING)

        def done(status: Status | None, err: BaseException | None) -> None:
            if self.engine.state != State.WORKING:
                return  # the citizen gave up waiting
            if status is not None and status.state == "paid":
                self.status = status
            self._to_result()

        self._run(lambda: port.status(stored.order_no), done)
        return True


def _error(code: str) -> Any:
    from kiosk.session.engine import Outcome

    return Outcome(error=code)

"""Payments (v1, additive): orders for `pay` items, 付款码, cancel, e-invoice check, sandbox pay.

Central prices every order (the terminal never computes an amount); orders are bound to the
terminal that created them; the order state machine is kiosk.central_api.next_payment_state.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from central import payment_store as ps
from central.errors import ApiError
from central.sandbox.payments import NotPriced, SandboxPlatform, price
from central.wire import CN_TZ, terminal_doc
from central.wire import body_doc as _body_doc
from central.wire import errors_doc as _errors
from central.wire import json_response as _json
from central.wire import parse as _parse
from central.wire import ts as _ts
from kiosk import central_api as api

log = logging.getLogger(__name__)

ORDER_TTL_S = 300.0
"""An unpaid order closes this long after it was created (default 5 min)."""


class Ledger:
    """Order state in the database: notifications, cancel, expiry, e-invoices."""

    def __init__(self, svc: Any, ttl_s: float) -> None:
        self.svc = svc
        self.store = svc.store
        self.ttl_s = ttl_s
        self._salt = hashlib.sha256(
            b"einvoice-check:" + self.store.subject_hash("einvoice").encode()
        ).digest()

    def check_code(self, einvoice_no: str) -> str:
        """The check code printed with an e-invoice (so numbers cannot be enumerated)."""
        return hmac.new(self._salt, einvoice_no.encode(), hashlib.sha256).hexdigest()[:10]

    def refresh(self, db: Any, row: ps.OrderRow, now: float) -> ps.OrderRow:
        """Close an unpaid order whose time is up."""
        if row.status == "unpaid" and now >= row.expires_at:
            ps.update(db, row.order_no, status="closed", closed_reason="expired")
            self._event(db, row.order_no, api.CaseState.REJECTED, now, "订单超时关闭，未扣款")
            log.info("payment %s expired", row.order_no)
            row = ps.get(db, row.order_no)  # type: ignore[assignment]
        return row

    @staticmethod
    def _event(db: Any, case_no: str, state: api.CaseState, now: float, note: str) -> None:
        ps.add_event(db, case_no, state.value, now, note)

    def notify_paid(self, order_no: str, channel: str, payer_app: str) -> str:
        """The platform's notification that the money arrived (duplicates are no-ops)."""
        now = self.svc.clock()
        with self.store.transaction() as db:
            row = ps.get(db, order_no)
            if row is None:
                log.warning("payment notification for unknown order %s", order_no[:40])
                return "unknown"
            row = self.refresh(db, row, now)
            new = api.next_payment_state(api.PaymentState(row.status), "paid_notice")
            seen = row.notifications + 1
            if row.status == "unpaid":
                day = datetime.fromtimestamp(now, CN_TZ)
                no = f"{row.region_code[:4]}{day:%y}01-{ps.einvoice_sequence(db):010d}"
                ps.update(
                    db,
                    order_no,
                    status=new.value,
                    paid_at=now,
                    channel=channel,
                    payer_app=payer_app,
                    einvoice_no=no,
                    check_code=self.check_code(no),
                    failure_code=None,
                    failure_message=None,
                    notifications=seen,
                )
                self._event(db, order_no, api.CaseState.COMPLETED, now, "已缴费")
                log.info("payment %s paid (%s, %s)", order_no, channel, payer_app)
            elif new is api.PaymentState.REFUNDED and row.status == "closed":
                ps.update(
                    db,
                    order_no,
                    status=new.value,
                    refunded_at=now,
                    channel=channel,
                    payer_app=payer_app,
                    notifications=seen,
                )
                log.warning("payment %s arrived after the order closed: refunded", order_no)
            else:
                ps.update(db, order_no, notifications=seen)
                log.info("duplicate payment notification for %s ignored", order_no)
            return new.value

    def status(self, row: ps.OrderRow, base_url: str) -> api.PaymentStatus:
        """The contract's view of an order."""
        url = None
        if row.einvoice_no and row.status == "paid":
            url = f"{base_url.rstrip('/')}/v1/einvoices/{row.einvoice_no}?check={row.check_code}"
        return api.PaymentStatus(
            order_no=row.order_no,
            status=api.PaymentState(row.status),
            amount_fen=row.amount_fen,
            expires_at=_ts(row.expires_at),
            paid_at=_ts(row.paid_at) if row.paid_at else None,
            channel=api.PaymentChannel(row.channel) if row.channel else None,
            payer_app=row.payer_app,
            einvoice_no=row.einvoice_no if row.status == "paid" else None,
            einvoice_url=url,
            case_no=row.order_no,
            refunded_at=_ts(row.refunded_at) if row.refunded_at else None,
            closed_reason=row.closed_reason,  # type: ignore[arg-type]
            failure=api.PaymentFailure(code=row.failure_code, message=row.failure_message or "")
            if row.failure_code and row.status == "unpaid"
            else None,
        )


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def install(
    app: FastAPI,
    svc: Any,
    terminal: Callable[..., str],
    bodies: dict[str, type[BaseModel]],
    *,
    ttl_s: float = ORDER_TTL_S,
    sandbox: bool = True,
) -> Ledger:
    """Add the payment routes (and the sandbox platform's, when `sandbox`) to the app."""
    ledger = Ledger(svc, ttl_s)
    platform = SandboxPlatform(ledger.notify_paid)
    app.state.payments = ledger
    app.state.payment_platform = platform
    store = svc.store
    router = APIRouter(tags=["payments"])

    def own_order(db: Any, order_no: str, terminal_id: str) -> ps.OrderRow:
        row = ps.get(db, order_no) if api.CASE_NO_RE.fullmatch(order_no) else None
        if row is None or row.terminal_id != terminal_id:  # another terminal's order: not found
            raise ApiError(404, "unknown_order", "no such order")
        return ledger.refresh(db, row, svc.clock())

    @router.post(
        "/v1/payments",
        status_code=201,
        response_model=api.PaymentOrder,
        responses=_errors(400, 401, 404, 409, 413, 422),
        openapi_extra=_body_doc(api.PaymentRequest, bodies, idempotent=True),
    )
    def create(
        request: Request, body: bytes = Depends(svc_body), terminal_id: str = Depends(terminal)
    ) -> Response:
        """Create the order of a `pay` item; central prices it. 201 with the QR to pay."""
        req = _parse(api.PaymentRequest, body)
        if not sandbox:
            raise _no_platform()

        def work(db: Any, now: float) -> tuple[int, BaseModel]:
            svc.item(req.item_code, frozenset({"pay"}), "use /v1/submissions or /v1/queries")
            try:
                priced = price(req.item_code, req.fields, datetime.fromtimestamp(now, CN_TZ).date())
            except NotPriced as exc:
                raise ApiError(422, exc.code, str(exc)) from None
            order_no = svc.new_case(
                db,
                now,
                "pay",
                req.item_code,
                req.region_code,
                terminal_id,
                req.applicant.id_number,
                sorted(req.fields),
                None,
            )
            lines: list[dict[str, Any]] = [
                {"label_zh": a, "label_en": b, "amount_fen": f} for a, b, f in priced.lines
            ]
            ps.insert(
                db,
                order_no=order_no,
                terminal_id=terminal_id,
                item_code=req.item_code,
                region_code=req.region_code,
                amount_fen=priced.amount_fen,
                items=lines,
                payee_zh=priced.payee_zh,
                created_at=now,
                expires_at=now + ledger.ttl_s,
            )
            log.info("payment %s created: %d fen", order_no, priced.amount_fen)
            return 201, api.PaymentOrder(
                order_no=order_no,
                amount_fen=priced.amount_fen,
                items=[api.PaymentLine(**x) for x in lines],
                payee_zh=priced.payee_zh,
                qr_payload=platform.qr_payload(_base(request), order_no),
                expires_at=_ts(now + ledger.ttl_s),
                status=api.PaymentState.UNPAID,
            )

        return svc.idempotent(request, terminal_id, body, "POST /v1/payments", work)

    @router.get(
        "/v1/payments/{order_no}",
        response_model=api.PaymentStatus,
        responses=_errors(401, 404),
        openapi_extra=terminal_doc(),
    )
    def get_status(
        order_no: str, request: Request, terminal_id: str = Depends(terminal)
    ) -> Response:
        """Where an order stands (poll it; not faster than once a second)."""
        with store.transaction() as db:
            row = own_order(db, order_no, terminal_id)
        return _json(ledger.status(row, _base(request)))

    @router.post(
        "/v1/payments/{order_no}/pay-code",
        response_model=api.PaymentStatus,
        responses=_errors(400, 401, 404, 409, 413, 422),
        openapi_extra=_body_doc(api.PayCode, bodies),
    )
    def pay_code(
        order_no: str,
        request: Request,
        body: bytes = Depends(svc_body),
        terminal_id: str = Depends(terminal),
    ) -> Response:
        """Charge the citizen's 付款码 (never stored or logged); 200 with the order's status."""
        code = _parse(api.PayCode, body).code
        if not sandbox:
            raise _no_platform()
        with store.transaction() as db:
            row = own_order(db, order_no, terminal_id)
        if row.status != "unpaid":
            raise ApiError(409, "not_payable", f"the order is {row.status}")
        charge = platform.charge_code(order_no, code)
        del code
        with store.transaction() as db:
            if charge.outcome == "declined":
                ps.update(db, order_no, failure_code=charge.code, failure_message=charge.message)
            row = own_order(db, order_no, terminal_id)
        return _json(ledger.status(row, _base(request)))

    @router.post(
        "/v1/payments/{order_no}/cancel",
        response_model=api.PaymentStatus,
        responses=_errors(401, 404, 409),
        openapi_extra=terminal_doc(),
    )
    def cancel(order_no: str, request: Request, terminal_id: str = Depends(terminal)) -> Response:
        """Close an unpaid order; 409 already_paid when the money came first."""
        now = svc.clock()
        with store.transaction() as db:
            row = own_order(db, order_no, terminal_id)
            try:
                new = api.next_payment_state(api.PaymentState(row.status), "cancel")
            except api.PaymentConflict as exc:
                raise ApiError(409, exc.code, "the order is already paid") from None
            if row.status == "unpaid":
                ps.update(db, order_no, status=new.value, closed_reason="cancelled")
                Ledger._event(db, order_no, api.CaseState.REJECTED, now, "已取消，未扣款")
                log.info("payment %s cancelled", order_no)
            fresh = ps.get(db, order_no)
        assert fresh is not None
        return _json(ledger.status(fresh, _base(request)))

    @router.get(
        "/v1/einvoices/{einvoice_no}",
        response_model=api.EinvoiceCheck,
        responses={200: {"content": {"text/html": {}}}, **_errors(404)},
    )
    def einvoice(
        einvoice_no: str, request: Request, check: str = Query("", max_length=40)
    ) -> Response:
        """Public check of a printed e-invoice (the receipt's QR); HTML for a browser."""
        with store.transaction() as db:
            row = ps.by_einvoice(db, einvoice_no[:40])
        if row is None or not row.check_code or not hmac.compare_digest(row.check_code, check):
            raise ApiError(
                404, "unknown_einvoice", "no such e-invoice (number or check code wrong)"
            )
        assert row.paid_at is not None
        out = api.EinvoiceCheck(
            einvoice_no=einvoice_no,
            payee_zh=row.payee_zh,
            amount_fen=row.amount_fen,
            paid_at=_ts(row.paid_at),
            status="refunded" if row.status == "refunded" else "valid",
            item_code=row.item_code,
        )
        if "text/html" in request.headers.get("accept", ""):
            return Response(_einvoice_html(out), 200, media_type="text/html; charset=utf-8")
        return _json(out)

    app.include_router(router)
    if sandbox:
        app.include_router(_sandbox_router(store, ledger, platform))
    return ledger


def _no_platform() -> ApiError:
    return ApiError(
        503,
        "payment_backend_unavailable",
        "no payment platform is connected to this central service",
    )


async def svc_body(request: Request) -> bytes:
    """The raw request body (signed bytes)."""
    return await request.body()


def _auth() -> list[dict[str, Any]]:
    return [
        {"name": h, "in": "header", "required": True, "schema": {"type": "string"}}
        for h in (api.HEADER_TERMINAL_ID, api.HEADER_TIMESTAMP, api.HEADER_SIGNATURE)
    ]


def _yuan(fen: int) -> str:
    return f"¥{fen // 100}.{fen % 100:02d}"


def _einvoice_html(e: api.EinvoiceCheck) -> str:
    state = "有效" if e.status == "valid" else "已退款（票据已冲红）"
    rows = [
        ("电子票据号", e.einvoice_no),
        ("收款单位", e.payee_zh),
        ("金额", _yuan(e.amount_fen)),
        ("缴费时间", e.paid_at.astimezone(CN_TZ).strftime("%Y-%m-%d %H:%M")),
        ("状态", state),
    ]
    cells = "".join(f"<tr><th>{html.escape(a)}</th><td>{html.escape(b)}</td></tr>" for a, b in rows)
    return (
        f"<!doctype html><html lang=zh><meta charset=utf-8><title>电子票据查验</title>"
        f"<h1>电子票据查验</h1><table>{cells}</table></html>"
    )


def _sandbox_router(store: Any, ledger: Ledger, platform: SandboxPlatform) -> APIRouter:
    """Sandbox-only: the phone's side of the QR (a page, and the pay call behind it)."""
    router = APIRouter(prefix="/sandbox/payments", tags=["sandbox"])

    def row_of(order_no: str) -> ps.OrderRow:
        with store.transaction() as db:
            row = ps.get(db, order_no) if api.CASE_NO_RE.fullmatch(order_no) else None
            if row is None:
                raise ApiError(404, "unknown_order", "no such order")
            return ledger.refresh(db, row, ledger.svc.clock())

    @router.post("/{order_no}/pay", responses=_errors(404))
    def pay(
        order_no: str,
        fault: str = Query("", pattern="^(|slow|fail|duplicate)$"),
        delay_s: float | None = Query(None, ge=0, le=60),
    ) -> Response:
        """Pay an order as a citizen's phone would (fault: slow | fail | duplicate)."""
        row_of(order_no)
        outcome = platform.scan_pay(order_no, fault, delay_s)
        with store.transaction() as db:
            if outcome == "declined":
                ps.update(db, order_no, failure_code="payment_failed", failure_message="支付未成功")
            row = ps.get(db, order_no)
        assert row is not None
        message = {
            "paid": "已支付",
            "refunded": "订单已关闭，款项已原路退回",
            "unpaid": "等待支付平台确认" if outcome == "pending" else "支付未成功",
            "closed": "订单已关闭",
        }[row.status]
        return Response(
            _dump(
                {
                    "order_no": order_no,
                    "platform": outcome,
                    "status": row.status,
                    "refunded": row.status == "refunded",
                    "message": message,
                }
            ),
            200,
            media_type="application/json",
        )

    @router.get(
        "/{order_no}",
        response_class=HTMLResponse,
        responses={
            404: {
                "description": "unknown order",
                "content": {"application/json": {"schema": api.ErrorBody.model_json_schema()}},
            }
        },
    )
    def page(order_no: str) -> Response:
        """What a phone shows after scanning the terminal's QR."""
        row = row_of(order_no)
        body = (
            f"<!doctype html><html lang=zh><meta charset=utf-8><title>支付</title>"
            f"<h1>{html.escape(row.payee_zh)}</h1><p>订单 {html.escape(row.order_no)}</p>"
            f"<p style='font-size:2em'>{_yuan(row.amount_fen)}</p>"
            f"<form method=post action='/sandbox/payments/{html.escape(row.order_no)}/pay'>"
            f"<button>确认支付（沙箱）</button></form></html>"
        )
        return Response(body, 200, media_type="text/html; charset=utf-8")

    return router


def _dump(obj: dict[str, Any]) -> bytes:
    import json

    return json.dumps(obj, ensure_ascii=False).encode()

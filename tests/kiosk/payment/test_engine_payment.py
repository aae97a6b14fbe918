"""A pay item through the session engine against the real central service and its sandbox
payment platform (the printer and the non-payment central port are the engine tests' fakes)."""

from __future__ import annotations

import requests

from kiosk.payment.orders import PaymentPort
from kiosk.payment.store import PaymentStore
from kiosk.session.ports import CodeScanned, Connectivity
from kiosk.session.states import State
from tests.kiosk.payment.conftest import Central, Rig

GOOD_CODE = "134567890123456781"  # WeChat 付款码 (sandbox: pays)
POOR_CODE = "284567890123450000"  # Alipay 付款码 ending 0000 (sandbox: 余额不足)


def _paid_to_receipt(rig: Rig) -> None:
    eng = rig.engine
    rig.tick()
    assert eng.state == State.PAYMENT and eng.payment.phase == "paid"
    rig.tick(3.0)
    assert eng.state == State.PRINTING and eng.session.print_state == "printed"


def test_confirm_shows_central_amount_then_qr_pay_prints_einvoice(
    rig: Rig, central: Central
) -> None:
    eng = rig.engine
    rig.to_confirm()
    assert eng.state == State.CONFIRM
    order = eng.payment.order
    assert order is not None and order.amount_fen == 40000
    assert [fen for _, _, fen in order.lines] == [38000, 2000]
    eng.confirm()
    assert eng.state == State.PAYMENT and eng.payment.phase == "waiting"
    assert order.qr_payload.endswith(f"/sandbox/payments/{order.order_no}")
    rig.tick()
    assert eng.payment.phase == "waiting"
    assert central.pay(order.order_no)["status"] == "paid"
    _paid_to_receipt(rig)
    doc = rig.printer.printed[-1]
    lines = dict(doc.lines)
    assert lines["金额"] == "￥400.00" and lines["订单号"] == order.order_no
    assert lines["收款单位"] == "国家税务总局安康市税务局"
    assert lines["电子票据号"] == central.row(order.order_no)[2]
    assert lines["支付方式"] == "微信扫码支付"
    assert lines["参保人身份证号"].startswith("3604") and "*" in lines["参保人身份证号"]
    check = requests.get(doc.qr, timeout=5)  # the receipt's QR: central's e-invoice check
    assert check.status_code == 200 and check.json()["status"] == "valid"
    assert check.json()["amount_fen"] == 40000
    assert requests.get(doc.qr.replace("check=", "check=0"), timeout=5).status_code == 404
    stored = eng.payment.port.stored(order.order_no)
    assert stored is not None and stored.status == "paid" and stored.printed
    eng.finish()
    assert eng.state == State.RATING and eng.session.service_id == order.order_no


def test_payment_code_from_the_scanner_is_charged_and_never_kept(
    rig: Rig, central: Central, port: PaymentPort, caplog
) -> None:  # type: ignore[no-untyped-def]
    import logging

    caplog.set_level(logging.DEBUG)
    eng = rig.engine
    rig.to_confirm()
    eng.confirm()
    eng.handle(CodeScanned(POOR_CODE))
    assert eng.payment.phase == "failed" and eng.payment.error == "insufficient_funds"
    assert central.row(eng.payment.order.order_no)[0] == "unpaid"
    eng.handle(CodeScanned(GOOD_CODE))
    assert eng.payment.phase == "paid"
    assert eng.payment.channel_text("zh_CN") == "付款码支付（微信）"
    eng.end("done")
    for code in (GOOD_CODE, POOR_CODE):
        assert code not in " ".join(eng.personal_data()) and code not in caplog.text
        assert code not in repr(vars(eng.payment))
        for f in port.store.path.parent.glob("payments.sqlite3*"):
            assert code.encode() not in f.read_bytes()


def test_cancel_closes_the_order_at_central_before_going_home(rig: Rig, central: Central) -> None:
    eng = rig.engine
    rig.to_confirm()
    eng.confirm()
    no = eng.payment.order.order_no
    eng.cancel()
    assert eng.state == State.HOME
    assert central.row(no)[0] == "closed" and central.row(no)[3] == "cancelled"
    assert eng.payment.order is None


def test_paid_before_cancel_shows_paid_never_cancelled(rig: Rig, central: Central) -> None:
    eng = rig.engine
    rig.to_confirm()
    eng.confirm()
    no = eng.payment.order.order_no
    central.pay(no)  # money arrives; the terminal has not polled yet
    eng.cancel()  # 返回首页
    assert eng.state == State.PAYMENT and eng.payment.phase == "paid"
    assert central.row(no)[0] == "paid"
    rig.tick(3.0)
    assert eng.state == State.PRINTING


def test_back_from_confirm_cancels_and_a_new_order_is_priced(rig: Rig, central: Central) -> None:
    eng = rig.engine
    rig.to_confirm()
    first = eng.payment.order.order_no
    eng.back()
    assert eng.state == State.FORM and central.row(first)[0] == "closed"
    eng.set_value("group", "student")
    assert eng.submit_form() and eng.state == State.CONFIRM
    assert eng.payment.order.order_no != first
    assert [s for _, s in central.orders()] == ["closed", "unpaid"]


def test_timeout_on_confirm_cancels_the_order(rig: Rig, central: Central) -> None:
    eng = rig.engine
    rig.to_confirm()
    no = eng.payment.order.order_no
    for _ in range(80):
        rig.tick()
        if eng.state == State.HOME:
            break
    assert eng.state == State.HOME and eng.last_end_reason == "timeout"
    assert central.row(no)[0] == "closed"


def test_expiry_closes_and_a_late_payment_is_refunded(rig: Rig, central: Central) -> None:
    eng = rig.engine
    rig.to_confirm()
    eng.confirm()
    no = eng.payment.order.order_no
    polls = eng.payment.polls
    rig.tick(301)
    assert eng.payment.phase == "expired" and central.row(no)[0] == "closed"
    assert eng.payment.polls - polls <= 1
    late = central.pay(no)
    assert late["status"] == "refunded" and late["refunded"] and "退回" in late["message"]
    rig.tick(30)
    assert eng.state == State.HOME


def test_platform_failure_and_duplicate_notifications(rig: Rig, central: Central) -> None:
    eng = rig.engine
    rig.to_confirm()
    eng.confirm()
    no = eng.payment.order.order_no
    assert central.pay(no, "fail")["status"] == "unpaid"
    rig.tick()
    assert eng.payment.phase == "failed" and eng.payment.error == "payment_failed"
    central.pay(no, "duplicate")
    rig.tick()
    assert eng.payment.phase == "paid"
    status, notes, einvoice, _ = central.row(no)
    assert (status, notes) == ("paid", 2) and einvoice
    assert [s for _, s in central.orders()] == ["paid"]  # one order, charged once


def test_network_cut_while_waiting_then_paid(rig: Rig, central: Central, port: PaymentPort) -> None:
    eng = rig.engine
    rig.to_confirm()
    eng.confirm()
    no = eng.payment.order.order_no
    real = port.client.base_url
    port.client.base_url = "http://127.0.0.1:9"  # nothing listens: connection refused
    rig.tick()
    assert eng.payment.network_problem and eng.payment.phase == "waiting"
    central.pay(no)
    port.client.base_url = real
    for _ in range(10):
        rig.tick()
        if eng.payment.phase == "paid":
            break
    assert eng.payment.phase == "paid"


def test_pay_item_greyed_offline_with_its_reason(rig: Rig) -> None:
    eng = rig.engine
    eng.handle(Connectivity(False))
    assert eng.unavailable_reason(eng.catalogue.item("YB-0202")) == "offline_pay"


def test_polls_at_most_once_a_second(rig: Rig, central: Central) -> None:
    eng = rig.engine
    rig.to_confirm()
    eng.confirm()
    for _ in range(20):
        rig.tick(0.5)
    assert 9 <= eng.payment.polls <= 10


def test_crash_between_paid_and_printed_then_reprint(rig: Rig, central: Central, cfg) -> None:  # type: ignore[no-untyped-def]
    eng = rig.engine
    rig.printer.reason = "paper_out"
    rig.to_confirm()
    eng.confirm()
    no = eng.payment.order.order_no
    central.pay(no)
    # the terminal dies before it polled: its table says unpaid; a new process re-checks
    eng.payment.port.store.close()
    from kiosk.central_client import CentralClient

    port2 = PaymentPort(
        CentralClient.from_config(cfg, base_url=central.url),
        PaymentStore.from_config(cfg),
        cfg.region_code,
    )
    assert port2.reconcile(grace_s=0) == {no: "paid"}
    assert central.row(no)[0] == "paid"  # re-check never cancels a paid order
    doc = Rig(port2).reprint(no)
    assert doc.title.endswith("（补打）") and dict(doc.lines)["电子票据号"] == central.row(no)[2]
    assert port2.stored(no).printed and port2.store.unfinished() == []


def test_giving_up_while_the_order_is_priced_cancels_the_late_order(
    port: PaymentPort, central: Central
) -> None:
    parked: list = []
    rig = Rig(port)
    eng = rig.engine
    eng.runner = lambda fn, done: parked.append((fn, done))
    rig.to_confirm()  # the pricing call is parked: central has not answered yet
    assert eng.state == State.WORKING and eng.cancellable
    eng.cancel_work()
    assert eng.state == State.FORM
    fn, done = parked.pop()
    eng.runner = lambda f, d: d(f(), None)
    done(fn(), None)  # central's answer arrives after the citizen gave up
    assert eng.state == State.FORM and eng.payment.order is None
    assert [s for _, s in central.orders()] == ["closed"]


def test_doctor_names_a_paid_order_waiting_for_its_receipt(rig: Rig, central: Central, cfg) -> None:  # type: ignore[no-untyped-def]
    from kiosk.doctor import Level
    from kiosk.payment.doctor import check_payments

    assert [r.level for r in check_payments(cfg)] == [Level.OK]  # the table is opened by the rig
    rig.printer.reason = "paper_out"
    rig.to_confirm()
    rig.engine.confirm()
    no = rig.engine.payment.order.order_no
    central.pay(no)
    rig.tick()
    (res,) = check_payments(cfg)
    assert res.level == Level.WARN and no in res.detail and "补打缴费凭证" in res.fix


def test_recheck_closes_an_abandoned_unpaid_order_and_keeps_the_current_one(
    rig: Rig, central: Central, port: PaymentPort
) -> None:
    rig.to_confirm()
    mine = rig.engine.payment.order.order_no
    payload = {
        "_holder": {"id_number": "11010519491231002X", "name": "张三"},
        "insured_id": "360426199101010071",
        "year": rig.engine.session.values["year"],
        "group": "adult",
    }
    import uuid

    orphan = port.create("YB-0202", payload, str(uuid.uuid4())).order_no  # its session died
    assert port.reconcile(current=mine, grace_s=0) == {orphan: "closed"}
    assert central.row(orphan)[0] == "closed" and central.row(mine)[0] == "unpaid"
    assert [o.order_no for o in port.store.unfinished()] == [mine]

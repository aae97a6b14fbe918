"""城乡居民医保缴费 by touch: on the simulators, the embedded central and its sandbox platform."""

from __future__ import annotations

import time

import requests

from kiosk.session.states import State
from tests.kiosk.ui.harness import KioskTestCase

INSURED = "360426199101010071"


class PaymentFlowTest(KioskTestCase):
    """Pay by QR (demo dock's phone) and by 付款码 (scanner simulator); cancel; network cut."""

    def tearDown(self) -> None:
        self.services.set_network(True)
        super().tearDown()

    def _to_payment(self) -> str:
        eng, sims = self.engine, self.sims()
        sims["idcard"].remove()
        self.tap("医疗保障")
        self.tap("城乡居民医保缴费")
        self.tap("开始办理")
        sims["idcard"].insert("mainland")
        self.wait_until(lambda: eng.state == State.FORM, what="card read")
        for key in INSURED:
            self.tap(key)
        self.tap("缴费年度")
        for key in time.strftime("%Y"):
            self.tap(key)
        self.tap("参保身份")
        self.tap("成年居民")
        self.tap("下一步")
        self.wait_until(lambda: eng.state == State.CONFIRM, what="order priced")
        texts = self.all_texts()
        assert "应缴金额" in texts and "¥400.00" in texts  # before paying, with the breakdown
        assert (
            "城乡居民基本医疗保险 个人缴费（2026年度）  ¥380.00".replace(
                "2026", time.strftime("%Y")
            )
            in texts
        )
        self.tap("确认金额，去支付")
        assert eng.state == State.PAYMENT
        self.frames(3)
        self.find("¥400.00")
        self.find("或出示付款码对准扫码口")
        assert eng.payment.order is not None
        return eng.payment.order.order_no

    def _receipt_printed(self, pages: int) -> list[str]:
        eng = self.engine
        self.wait_until(
            lambda: eng.payment.phase == "paid" or eng.state != State.PAYMENT,
            timeout=6,
            what="paid",
        )
        self.find("缴费成功\n正在打印缴费凭证…")
        self.wait_until(lambda: eng.session.print_state == "printed", timeout=10, what="printed")
        page = self.sims()["printer"].wait_for_pages(pages + 1)[-1]
        return page.lines + [q.payload for q in page.qr_codes]

    def test_pay_by_phone_qr_prints_einvoice_receipt(self) -> None:
        self.start_app()
        pages = len(self.sims()["printer"].pages)
        no = self._to_payment()
        self.app.dock.pay_with_phone()  # the F12 dock's 用手机支付
        paper = self._receipt_printed(pages)
        text = "\n".join(paper)
        assert no in text and "￥400.00" in text and "电子票据号" in text
        url = next(p for p in paper if "/v1/einvoices/" in p)
        assert requests.get(url, timeout=5).json()["status"] == "valid"
        self.tap("完成")
        assert self.engine.state == State.RATING

    def test_pay_by_payment_code_on_the_scanner(self) -> None:
        self.start_app()
        pages = len(self.sims()["printer"].pages)
        self._to_payment()
        self.app.dock.show_payment_code()  # the simulated scanner reads a 付款码
        text = "\n".join(self._receipt_printed(pages))
        assert "付款码支付（微信）" in text

    def test_cancel_by_touch_closes_the_order(self) -> None:
        self.start_app()
        no = self._to_payment()
        self.tap("取消缴费")
        self.wait_until(lambda: self.engine.state == State.HOME, what="cancelled")
        store = self.services.sandbox.app.state.service.store
        assert store._one("SELECT status FROM payments WHERE order_no = ?", (no,))[0] == "closed"

    def test_paid_just_before_cancel_shows_paid_never_cancelled(self) -> None:
        self.start_app()
        pages = len(self.sims()["printer"].pages)
        no = self._to_payment()
        requests.post(f"{self.services.sandbox.url}/sandbox/payments/{no}/pay", timeout=5)
        self.tap("取消缴费")  # the money arrived first: central answers already_paid
        self._receipt_printed(pages)
        assert self.engine.state in (State.PRINTING, State.RESULT)
        assert "订单已取消" not in " ".join(self.all_texts())

    def test_network_cut_while_waiting_then_paid_by_phone(self) -> None:
        self.start_app()
        pages = len(self.sims()["printer"].pages)
        self._to_payment()
        self.services.set_network(False)
        self.wait_until(lambda: self.engine.payment.network_problem, timeout=5, what="poll fails")
        self.find("网络中断，正在重新确认支付结果…请勿重复付款。")
        self.app.dock.pay_with_phone()  # the phone has its own network
        time.sleep(0.5)
        self.services.set_network(True)
        self._receipt_printed(pages)

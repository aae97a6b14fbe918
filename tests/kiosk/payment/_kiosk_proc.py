"""A kiosk process for the kill -9 test: pays YB-0202 and dies (SIGKILL) while printing.

argv: DATA_DIR CENTRAL_URL. Prints "order <no>" once the QR is up, "printing" when the paid
receipt goes to a printer that never answers; the test kills it there."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

from kiosk.central_client import CentralClient
from kiosk.payment.orders import PaymentPort
from kiosk.payment.store import PaymentStore
from kiosk.session.engine import SessionEngine
from kiosk.session.ports import CardRead, PrintOutcome, ReceiptDoc
from kiosk.session.states import State
from tests.kiosk.payment.conftest import HOLDER, INSURED, catalogue, demo_cfg
from tests.kiosk.session.fixtures import FakeCentral


class StuckPrinter:
    """The printer takes the job and the process dies before it confirms."""

    def print_receipt(self, receipt: ReceiptDoc) -> PrintOutcome:
        print("printing", flush=True)
        threading.Event().wait()
        return PrintOutcome(False, "unknown")


def main() -> None:
    cfg = demo_cfg(Path(sys.argv[1]))
    port = PaymentPort(
        CentralClient.from_config(cfg, base_url=sys.argv[2]),
        PaymentStore.from_config(cfg),
        cfg.region_code,
    )
    eng = SessionEngine(catalogue(), central=FakeCentral(), printer=StuckPrinter())
    eng.payment.port = port
    eng.select("YB-0202")
    eng.proceed()
    eng.handle(CardRead(HOLDER))
    eng.set_value("insured_id", INSURED)
    eng.set_value("year", time.strftime("%Y"))
    eng.set_value("group", "adult")
    assert eng.submit_form() and eng.state == State.CONFIRM
    eng.confirm()
    print("order", eng.payment.order.order_no, flush=True)
    while True:
        eng.tick()
        time.sleep(0.2)


if __name__ == "__main__":
    main()

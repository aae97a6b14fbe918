"""`kiosk doctor` line for payments: paid orders waiting for their receipt, stuck unpaid ones."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kiosk.payment.store import FILE_NAME, PaymentStore, PaymentStoreError

STUCK_S = 15 * 60
"""An unpaid order still open this long after it was made: the minute re-check is not working."""


def check_payments(cfg: Any) -> Iterator[Any]:
    """Unfinished orders in the terminal's orders table."""
    from kiosk.doctor import Level, Result

    path = Path(cfg.resolve(FILE_NAME, base="data"))
    if not path.exists():
        yield Result("payments", Level.OK, "no payment taken here yet")
        return
    try:
        store = PaymentStore(path)
    except PaymentStoreError as exc:
        yield Result(
            "payments", Level.FAIL, str(exc), "check the data directory's permissions and disk"
        )
        return
    try:
        open_ = store.unfinished()
    finally:
        store.close()
    unprinted = [o.order_no for o in open_ if o.status == "paid"]
    stuck = [
        o.order_no for o in open_ if o.status == "unpaid" and time.time() - o.created_at > STUCK_S
    ]
    if unprinted:
        yield Result(
            "payments",
            Level.WARN,
            f"{len(unprinted)} paid order(s) without a printed receipt: {', '.join(unprinted[:5])}",
            "reprint under 办件进度查询 with the order number (补打缴费凭证)",
        )
    elif stuck:
        yield Result(
            "payments",
            Level.WARN,
            f"{len(stuck)} unpaid order(s) not closed yet: {', '.join(stuck[:5])}",
            "they are re-checked every minute while the kiosk runs: check the central line",
        )
    else:
        yield Result("payments", Level.OK, f"{len(open_)} order(s) open")

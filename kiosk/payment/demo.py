"""Demo dock helpers: pay the order on screen as a citizen's phone would (sandbox only)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

DEMO_PAYMENT_CODE = "134567890123456781"
"""A WeChat-style 付款码 the sandbox accepts (scanned through the scanner simulator)."""


def phone_payer(services: Any, order_no: Callable[[], str | None]) -> Callable[[], str]:
    """A function that pays the on-screen order through the sandbox, off the UI thread.

    The phone has its own network: it reaches the sandbox even while the demo dock has cut
    the terminal's network, so it uses the sandbox's own URL."""

    def pay() -> str:
        no = order_no()
        if not no:
            return "no order on screen"
        sandbox = getattr(services, "sandbox", None)
        base = sandbox.url if sandbox is not None else getattr(services.client, "base_url", "")
        if not base:
            return "no sandbox"

        def run() -> None:
            import requests

            try:
                r = requests.post(f"{base}/sandbox/payments/{no}/pay", timeout=10)
                log.info("demo phone paid %s: HTTP %s", no, r.status_code)
            except requests.RequestException as exc:
                log.warning("demo phone payment failed: %s", type(exc).__name__)

        threading.Thread(target=run, name="demo-phone", daemon=True).start()
        return f"phone pays {no}"

    return pay

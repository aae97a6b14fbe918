"""Shots of the identify screen (issue 24): every method of an item, the 社保卡 and app codes.

`python -m kiosk.ui.shots --scenario identify`: identify-methods-* (which methods an item
offers, a code being checked, refusals), sscard-* (read, expired, PIN, not a 社保卡).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

log = logging.getLogger(__name__)

ALL_METHODS_ITEM = "RS-0102"
ID_CARD_ONLY_ITEM = "GJJ-0301"


def identify_scenario(app: Any, variant: tuple[str, bool]) -> Iterator[Any]:
    """Walk the identify screen through its methods and refusals."""
    import requests

    from drivers.sim import running
    from kiosk.session.states import State

    eng = app.engine
    end = time.monotonic() + 10
    yield lambda: running.get("sscard") is not None or time.monotonic() > end
    card: Any = running.get("sscard")
    scanner: Any = running.get("scanner")
    sandbox = getattr(app.services, "sandbox", None)
    if card is None or scanner is None or sandbox is None:
        log.warning("identify shots skipped: no sscard / scanner simulator or no sandbox")
        return

    def until(pred: Callable[[], bool], timeout: float = 8.0) -> Callable[[], bool]:
        stop = time.monotonic() + timeout
        return lambda: pred() or time.monotonic() > stop

    def start(code: str) -> Iterator[Any]:
        if eng.state not in (State.HOME, State.OUT_OF_SERVICE):
            eng.end("shots")
        card.remove()
        yield 0.4
        eng.set_language(variant[0])
        eng.set_elderly(variant[1])
        eng.select(code)
        eng.proceed()
        yield 0.4

    def mint(**body: Any) -> str:
        return requests.post(sandbox.url + "/sandbox/identity/codes", json=body, timeout=5).json()[
            "code"
        ]

    def problem(p: str) -> Callable[[], bool]:
        return until(lambda: eng.session.identify_problem == p)

    yield from start(ALL_METHODS_ITEM)
    yield ("shot", "identify-methods-all")
    yield from start(ID_CARD_ONLY_ITEM)
    yield ("shot", "identify-methods-idcard-only")
    yield from start(ALL_METHODS_ITEM)
    scanner.scan(mint(kind="e_sscard", issued_ago_s=600))
    yield problem("code_expired")
    yield 0.2
    yield ("shot", "identify-methods-code-expired")
    scanner.scan(mint(kind="e_sscard"))
    yield until(lambda: eng.state == State.FORM)
    yield 0.3
    yield ("shot", "identify-methods-code-form")
    for holder_opts, name, p in (
        ({"holder": "expired"}, "sscard-expired", "sscard_expired"),
        ({"pin": True}, "sscard-pin", "sscard_pin"),
        ({"app": False}, "sscard-not-sscard", "sscard_unknown"),
    ):
        yield from start(ALL_METHODS_ITEM)
        card.pin = bool(holder_opts.get("pin"))
        card.app = holder_opts.get("app", True)
        card.insert(holder_opts.get("holder", "demo"))
        yield problem(p)
        yield 0.2
        yield ("shot", name)
        card.remove()
        card.pin, card.app = False, True
    yield from start(ALL_METHODS_ITEM)
    card.insert("demo")
    yield until(lambda: eng.state == State.FORM)
    yield 0.3
    yield ("shot", "sscard-form")
    eng.end("shots")
    card.remove()

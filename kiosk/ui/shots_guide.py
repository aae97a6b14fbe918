"""`python -m kiosk.ui.shots --scenario guide` (issue 23): 我要办什么 tree (guide-*), the
新生儿出生一件事 bundle with one item refused by central (bundle-*), 办事指南 with their flow
charts (zhinan-*), the policy library with chips and a search typed in pinyin (policy-*)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

Step = Any
"""See kiosk.ui.shots.Step."""


def guide_scenario(app: Any, variant: tuple[str, bool]) -> Iterator[Step]:
    """Walk the guidance screens and the bundle flow, yielding shots."""
    from kiosk.session.ports import run_inline
    from kiosk.session.states import State
    from kiosk.ui.shots import _sims

    eng, vm, dock = app.engine, app.vm, app.dock
    lang, elderly = variant
    end = time.monotonic() + 10
    yield lambda: "idcard" in _sims() or time.monotonic() > end

    def until(pred: Callable[[], bool], timeout: float = 10.0) -> Callable[[], bool]:
        end = time.monotonic() + timeout
        return lambda: pred() or time.monotonic() > end

    def home() -> Iterator[Step]:
        if eng.state not in (State.HOME, State.OUT_OF_SERVICE):
            eng.end("shots")
        yield until(lambda: eng.state == State.HOME)
        eng.set_language(lang)
        eng.set_elderly(elderly)
        eng.runner = run_inline
        if _sims().get("idcard") is not None:
            dock.remove_card()  # (no 请取走身份证 reminder over the shots)
            yield 0.6

    if eng.catalogue is None or eng.catalogue.guidance.tree is None:
        return
    yield from home()
    yield ("shot", "guide-home")
    eng.browse.open_tree()
    yield 0.3
    yield ("shot", "guide-roots")
    vm.guide.choose(0, "person")
    yield 0.3
    yield ("shot", "guide-question")
    vm.guide.choose(0)  # 家里添了宝宝
    yield 0.3
    yield ("shot", "guide-baby")
    vm.guide.choose(2)  # 孩子还没取名 → the bundle's guide
    yield 0.4
    yield ("shot", "zhinan-bundle")
    eng.browse.print_guide()
    yield until(lambda: eng.browse.state.print_state in ("printed", "failed"))
    yield 0.3
    yield ("shot", "zhinan-printed")
    vm.zhinan.back()
    vm.guide.crumb(-1)
    vm.guide.choose(0, "person")
    vm.guide.choose(4)  # 证件和证明
    vm.guide.choose(0)  # 身份证丢了 → off-terminal
    yield 0.4
    yield ("shot", "zhinan-offsite")
    vm.zhinan.back()
    vm.guide.crumb(-1)
    vm.guide.choose(2, "construction")
    yield 0.3
    yield ("shot", "guide-construction")
    vm.guide.choose(1)  # 施工许可
    yield 0.4
    yield ("shot", "zhinan-construction")
    # the bundle: 家里添了宝宝 → 户口、医保、社保卡一起办
    yield from home()
    eng.browse.open_tree()
    vm.guide.choose(0, "person")
    vm.guide.choose(0)
    vm.guide.choose(0)
    yield 0.4
    yield ("shot", "bundle-item")
    eng.proceed()
    sims = _sims()
    if sims.get("idcard") is not None:
        dock.remove_card()
        yield 0.6
        dock.place_card("mainland")
        yield until(lambda: eng.state == State.FORM)
    yield 0.3
    yield ("shot", "bundle-form-shared")
    from kiosk.bundle.demo import NEWBORN_FIELDS, POLICY_PINYIN, POLICY_WORD

    for name, value in NEWBORN_FIELDS:
        if any(f.name == name for f in eng.form_fields):
            eng.set_value(name, value)
    vm.form.next()
    yield 0.3
    yield ("shot", "bundle-form-item")
    while eng.state == State.FORM:
        vm.form.next()
        yield 0.2
    yield ("shot", "bundle-confirm")
    eng.confirm()
    yield until(lambda: eng.state == State.RESULT)
    yield 0.3
    yield ("shot", "bundle-result")
    if eng.can_print:
        vm.result.print_receipt()
        yield until(lambda: eng.session.print_state in ("printed", "failed"))
        yield 0.3
        yield ("shot", "bundle-printed")
        eng.finish()
        yield 0.3
        yield ("shot", "bundle-rating")
    # the policy library
    yield from home()
    eng.browse.open_policies()
    yield 0.3
    yield ("shot", "policy-all")
    vm.policy.set_category("family")
    yield 0.3
    yield ("shot", "policy-category")
    vm.policy.set_category("")
    vm.policy.open_search()
    from kiosk.ime.index import shared

    yield until(lambda: shared.ready is not None, timeout=60)
    for k in POLICY_PINYIN:
        vm.policy.key(k)
    yield 0.3
    yield ("shot", "policy-typing")
    bar = [c["text"] for c in vm.policy.ime_bar]
    if POLICY_WORD in bar:
        vm.policy.candidate(bar.index(POLICY_WORD))
    yield 0.3
    yield ("shot", "policy-search")
    eng.end("shots")
    yield until(lambda: eng.state == State.HOME)

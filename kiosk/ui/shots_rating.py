"""`python -m kiosk.ui.shots --scenario rating`: the 好差评 screen rendered from the rating
dictionary: faces, reasons, indicator rows, the comment's input method, the callback phone."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

Step = Any
"""See kiosk.ui.shots.Step."""


def rating_scenario(app: Any, variant: tuple[str, bool]) -> Iterator[Step]:
    """A query walked to its rating; then 满意 with reasons, a 差评 with consent and phone."""
    from kiosk.session.ports import run_inline
    from kiosk.session.rating import LEVELS
    from kiosk.session.states import State
    from kiosk.ui.shots import QUERY, _fill, _sims

    eng, vm, dock = app.engine, app.vm, app.dock
    lang, elderly = variant
    end = time.monotonic() + 10
    yield lambda: "idcard" in _sims() or time.monotonic() > end
    sims = _sims()

    def wait_state(state: State, timeout: float = 8.0) -> Callable[[], bool]:
        end = time.monotonic() + timeout
        return lambda: eng.state == state or time.monotonic() > end

    if eng.state not in (State.HOME, State.OUT_OF_SERVICE):
        eng.end("shots")
    eng.set_language(lang)
    eng.set_elderly(elderly)
    eng.runner = run_inline
    yield 0.3
    eng.select(QUERY)
    eng.proceed()
    if sims.get("idcard") is not None:
        dock.remove_card()
        yield 0.6
        dock.place_card("mainland")
        yield wait_state(State.FORM)
    _fill(eng)
    vm.form.next()
    if eng.state == State.CONFIRM:
        eng.confirm()
    yield wait_state(State.RESULT)
    eng.finish()
    yield wait_state(State.RATING)
    yield ("shot", "haocha")
    vm.rating.choose(LEVELS[1])  # 满意: optional reasons, indicator rows
    if vm.rating.tags:
        vm.rating.toggle_tag(vm.rating.tags[0]["code"])
    vm.rating.score("attitude", LEVELS[0])
    vm.rating.toggle_real_name()
    yield ("shot", "haocha-good")
    vm.rating.toggle_real_name()
    vm.rating.choose(LEVELS[3])  # 不满意: reasons required, callback offered
    yield ("shot", "haocha-bad")
    vm.rating.toggle_tag(vm.rating.tags[0]["code"])
    vm.rating.open_panel("comment")
    end = time.monotonic() + 30  # the pinyin dictionary loads in the background
    yield lambda: vm.rating.keyboard.dictionary is not None or time.monotonic() > end
    for k in "dayin":
        vm.rating.key(k)
    yield ("shot", "haocha-comment")
    vm.rating.candidate(0)
    vm.rating.open_panel("")
    vm.rating.toggle_consent()
    for k in "1380013":
        vm.rating.phone_key(k)
    yield ("shot", "haocha-phone")
    for k in "8000":
        vm.rating.phone_key(k)
    yield ("shot", "haocha-ready")
    vm.rating.submit()
    yield ("shot", "haocha-done")
    eng.end("shots")

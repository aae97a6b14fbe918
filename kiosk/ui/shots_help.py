"""`python -m kiosk.ui.shots --scenario help`: 求助 on every screen, English with a foreigner's card."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

Step = Any
"""See kiosk.ui.shots.Step."""


def help_scenario(
    app: Any, variant: tuple[str, bool], only: set[str] | None = None
) -> Iterator[Step]:
    """求助 opened on every screen (help-<screen>), a query walked with the card a citizen of
    that language would have (English: a foreigner's permanent residence card)."""
    from kiosk.session.ports import run_inline
    from kiosk.session.rating import LEVELS
    from kiosk.session.states import State
    from kiosk.ui.shots import QUERY, _fill, _sims

    eng, vm, dock = app.engine, app.vm, app.dock
    lang, elderly = variant
    end = time.monotonic() + 10
    yield lambda: "idcard" in _sims() or time.monotonic() > end  # the devices come up
    sims = _sims()

    def shot_help(screen: str) -> Iterator[Step]:
        vm.help.open()
        yield ("shot", f"help-{screen}")
        vm.help.close()

    def wait_state(state: State, timeout: float = 8.0) -> Callable[[], bool]:
        end = time.monotonic() + timeout
        return lambda: eng.state == state or time.monotonic() > end

    if eng.state not in (State.HOME, State.OUT_OF_SERVICE):
        eng.end("shots")
    eng.set_language(lang)
    eng.set_elderly(elderly)
    eng.runner = run_inline
    yield 0.3
    yield from shot_help("home")
    eng.select(QUERY)
    yield from shot_help("item")
    yield ("shot", "item-materials")
    eng.proceed()
    yield from shot_help("identify")
    if sims.get("idcard") is not None:
        dock.remove_card()
        yield 0.6
        dock.place_card("foreigner" if lang == "en" else "mainland")
        yield wait_state(State.FORM)
    vm.form.next()  # nothing chosen: 请选择险种
    yield ("shot", "form-choose")
    _fill(eng)
    yield from shot_help("form")
    vm.form.next()
    yield from shot_help("confirm")
    parked: list[Any] = []
    eng.runner = lambda fn, done: parked.append((fn, done))
    eng.confirm()
    yield 0.3
    yield from shot_help("working")
    if parked:
        fn, done = parked.pop()
        eng.runner = run_inline
        run_inline(fn, done)
    yield ("shot", "result-table-card")
    yield from shot_help("result")
    eng.print_receipt()
    end = time.monotonic() + 8
    yield lambda: eng.session.print_state in ("printed", "failed") or time.monotonic() > end
    yield from shot_help("printing")
    eng.finish()
    yield from shot_help("rating")
    vm.rating.choose(LEVELS[3])
    yield ("shot", "rating-tags")
    vm.rating.choose(LEVELS[0])
    vm.rating.submit()
    yield from shot_help("done")
    eng.end("shots")  # back to the terminal's default language and mode: the citizen's again
    eng.set_language(lang)
    eng.set_elderly(elderly)
    hours = eng.service_hours
    eng.service_hours = ("08:00-08:01",) if time.localtime().tm_hour != 8 else ("09:00-09:01",)
    eng.tick()
    yield from shot_help("out_of_service")
    eng.service_hours = hours
    eng.tick()

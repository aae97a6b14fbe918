"""适老化 checks over every screen's widget tree (the shots walk: every screen and error state),
in 长辈模式 and in the normal mode, plus the theme's colour pairs and the 长辈模式 timeouts."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from kiosk.ui import theme
from kiosk.voice import a11y
from tests.kiosk.ui.harness import KioskTestCase


def test_theme_text_pairs_have_contrast() -> None:
    assert [str(f) for f in a11y.theme_findings(theme.NORMAL, theme.HIGH_CONTRAST)] == []


def test_contrast_formula() -> None:
    assert round(a11y.contrast((0, 0, 0), (1, 1, 1)), 1) == 21.0
    assert round(a11y.contrast((0.4627, 0.4627, 0.4627), (1, 1, 1)), 1) == 4.5  # #767676


class WalkTest(KioskTestCase):
    """The main shots scenario, checked at every shot."""

    def walk(self, steps: Iterator[Any], elderly: bool) -> dict[str, list[str]]:
        from kivy.metrics import dp

        found: dict[str, list[str]] = {}
        for step in steps:
            if isinstance(step, tuple):
                self.frames(4)
                bg = theme.colour("bg", elderly)
                problems = a11y.tree_findings(self.root, elderly=elderly, dp=dp, window_bg=bg)
                if problems:
                    found[step[1]] = sorted({str(p) for p in problems})
            elif callable(step):
                self.wait_until(step, timeout=15)
            else:
                end = time.monotonic() + float(step)
                while time.monotonic() < end:
                    self.frames(1)
                    time.sleep(0.01)
        return found

    def _run(self, elderly: bool) -> None:
        self.start_app()
        assert any(type(w).__name__ == "VoicePanel" for w in self.root.layers)  # overlays built
        found = self.walk(screens(self.app, self, elderly), elderly)
        assert found == {}, "\n".join(f"{k}: {v}" for k, v in found.items())

    def test_every_screen_elderly(self) -> None:
        self._run(True)
        assert [str(f) for f in a11y.timeout_findings(self.engine)] == []

    def test_every_screen_normal(self) -> None:
        self._run(False)


def screens(app: Any, case: Any, elderly: bool) -> Iterator[Any]:
    """Every citizen screen and overlay, with real data (simulators, sandbox), one shot each."""
    from kiosk.session.ports import Connectivity, run_inline
    from kiosk.session.states import State
    from kiosk.ui.shots import APPLY, PRINT, QUERY, _fill

    eng, vm, sims = app.engine, app.vm, case.sims()
    eng.runner = run_inline

    def reset() -> None:
        if eng.state not in (State.HOME, State.OUT_OF_SERVICE):
            eng.end("a11y")
        eng.set_elderly(elderly)

    def identified(code: str) -> Iterator[Any]:
        eng.select(code)
        eng.proceed()
        if eng.state == State.IDENTIFY:
            sims["idcard"].remove()
            yield 0.5
            sims["idcard"].insert("mainland")
            yield lambda: eng.state != State.IDENTIFY

    reset()
    sims["idcard"].remove()
    yield 0.5
    yield ("shot", "home")
    vm.help.open()
    yield ("shot", "help")
    vm.help.close()
    app.voice.open_panel()
    yield ("shot", "voice-panel")
    app.voice.close_panel()
    app.voice.headphones = True
    app.voice.set_guide(True)
    yield ("shot", "voice-guide")
    app.voice.set_guide(False)
    sims["idcard"].insert("mainland")
    yield lambda: eng.state == State.CARD_OFFER
    yield ("shot", "card_offer")
    reset()
    sims["idcard"].remove()
    yield 0.5
    eng.select(QUERY)
    yield ("shot", "item")
    eng.proceed()
    yield ("shot", "identify")
    sims["idcard"].insert("mainland")
    yield lambda: eng.state == State.FORM
    yield ("shot", "form")
    _fill(eng)
    vm.form.next()
    yield lambda: eng.state == State.RESULT
    yield ("shot", "result-table")
    eng.countdown_started = eng.clock()
    eng._changed()
    yield ("shot", "countdown")
    eng.touch()
    eng.print_receipt()
    yield lambda: eng.session.print_state in ("printed", "failed")
    yield ("shot", "printing")
    eng.finish()
    yield ("shot", "rating")
    vm.rating.choose("不满意")
    if vm.rating.tags:
        vm.rating.toggle_tag(vm.rating.tags[0]["code"])
    yield ("shot", "rating-bad")
    vm.rating.submit()
    yield ("shot", "done")
    reset()
    yield from identified(APPLY)
    _fill(eng)
    if eng.state == State.FORM:
        vm.form.next()
    yield ("shot", "confirm")
    if eng.state == State.CONFIRM:
        eng.confirm()
    yield lambda: eng.state == State.RESULT
    yield ("shot", "result-case")
    reset()
    yield from identified(PRINT)
    _fill(eng)
    if eng.state == State.FORM:
        vm.form.next()
    if eng.state == State.CONFIRM:
        eng.confirm()
    yield ("shot", "print-a4")
    reset()
    eng.handle(Connectivity(False))
    yield ("shot", "home-offline")
    eng.handle(Connectivity(True))
    eng.set_in_service(False)
    yield ("shot", "out_of_service")
    eng.set_in_service(True)
    reset()

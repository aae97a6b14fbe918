"""`python -m kiosk.ui.shots --scenario voice`: the voice states — 语音 toggle on with its
panel, headphones in (读出我的信息 offered), 语音导办 with the focus frame on item, identify and
result screens, and 双击确认's first tap."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

Step = Any
"""See kiosk.ui.shots.Step."""


def voice_scenario(app: Any, variant: tuple[str, bool]) -> Iterator[Step]:
    """The voice states in one language/mode (shots named voice-*)."""
    from kiosk.session.ports import run_inline
    from kiosk.session.states import State
    from kiosk.ui.shots import QUERY, _fill, _sims
    from kiosk.voice.jack import Headphones

    eng, voice = app.engine, app.voice
    lang, elderly = variant
    end = time.monotonic() + 10
    yield lambda: "idcard" in _sims() or time.monotonic() > end

    def reset() -> None:
        if eng.state not in (State.HOME, State.OUT_OF_SERVICE):
            eng.end("shots")
        voice.reset()
        eng.set_language(lang)
        eng.set_elderly(elderly)

    eng.runner = run_inline
    reset()
    yield 0.3
    voice.open_panel()
    yield 0.2
    yield ("shot", "voice-panel")
    jack = voice.jack
    voice.jack = Headphones("present")  # as the jack reports plugged-in headphones
    voice.poll_headphones()
    yield ("shot", "voice-panel-headphones")
    voice.set_guide(True)
    voice.guide_nav.move(1)
    voice.guide_nav.move(1)
    yield 0.2
    yield ("shot", "voice-guide-home")
    eng.select(QUERY)
    yield 0.2
    voice.guide_nav.move(1)
    yield ("shot", "voice-guide-item")
    eng.proceed()
    yield 0.2
    yield ("shot", "voice-guide-identify")
    sims = _sims()
    if sims.get("idcard") is not None:
        sims["idcard"].remove()
        yield 0.6
        sims["idcard"].insert("mainland")
        end = time.monotonic() + 8
        yield lambda: eng.state == State.FORM or time.monotonic() > end
    _fill(eng)
    if eng.state == State.FORM:
        app.vm.form.next()
    yield 0.3
    voice.guide_nav.move(1)
    yield ("shot", "voice-guide-result")
    voice.set_guide(False)
    voice.double_tap = True
    yield ("shot", "voice-double-tap")
    voice.jack = jack
    voice.poll_headphones()
    reset()

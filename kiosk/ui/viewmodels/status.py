"""View-models of the out-of-service screen and the inactivity countdown overlay."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.ui.viewmodels.base import ScreenViewModel

if TYPE_CHECKING:
    from kiosk.session.engine import SessionEngine


class OutOfServiceViewModel(ScreenViewModel):
    """Why the terminal cannot serve now, and where to go instead."""

    title = StringProperty("")
    reason_text = StringProperty("")
    help_text = StringProperty("")

    def update(self, engine: SessionEngine) -> None:
        """Fill from the engine."""
        self.title = self.tr("oos.title")
        reason = engine.out_of_service_reason()
        hours = ", ".join(engine.service_hours) if engine.service_hours else "00:00-24:00"
        if reason == "paused":
            self.reason_text = self.tr("oos.paused")
        elif reason == "hours":
            self.reason_text = self.tr("oos.hours", hours=hours)
        else:
            self.reason_text = self.tr("oos.nothing")
        self.help_text = self.tr("help.body")


class CountdownViewModel(ScreenViewModel):
    """ "还需要更多时间吗？" with the seconds left and a big continue button."""

    visible = BooleanProperty(False)
    seconds = NumericProperty(0)
    question = StringProperty("")
    seconds_text = StringProperty("")

    def update(self, engine: SessionEngine) -> None:
        """Fill from the countdown."""
        left = engine.countdown_remaining
        self.visible = left is not None
        self.seconds = math.ceil(left) if left is not None else 0
        self.question = self.tr("countdown.question")
        self.seconds_text = self.tr("countdown.seconds", n=self.seconds) if left is not None else ""

    def keep_going(self) -> None:
        """继续办理."""
        self.engine.continue_session()

    def end_now(self) -> None:
        """结束办理."""
        self.engine.end("cancel")

"""The root view-model: follows the engine, picks the screen, updates every screen's view-model."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, StringProperty

from kiosk.session.engine import SessionEngine
from kiosk.session.states import State
from kiosk.ui.viewmodels.card import CardOfferViewModel, RemoveCardViewModel
from kiosk.ui.viewmodels.face import FaceViewModel
from kiosk.ui.viewmodels.form import FormViewModel
from kiosk.ui.viewmodels.guide import GuideViewModel, PolicyViewModel, ZhinanViewModel
from kiosk.ui.viewmodels.help import HallInfo, HelpViewModel
from kiosk.ui.viewmodels.home import HomeViewModel
from kiosk.ui.viewmodels.item import IdentifyViewModel, ItemViewModel
from kiosk.ui.viewmodels.payment import PaymentViewModel
from kiosk.ui.viewmodels.rating import DoneViewModel, RatingViewModel
from kiosk.ui.viewmodels.result import (
    ConfirmViewModel,
    PrintingViewModel,
    ResultViewModel,
    WorkingViewModel,
)
from kiosk.ui.viewmodels.status import CountdownViewModel, OutOfServiceViewModel

log = logging.getLogger(__name__)


class SessionViewModel(EventDispatcher):
    """One view-model per screen, kept in step with the engine on every change."""

    screen = StringProperty("home")
    lang = StringProperty("zh_CN")
    elderly = BooleanProperty(False)

    def __init__(
        self,
        engine: SessionEngine,
        clock: Callable[[], float] | None = None,
        hall: HallInfo | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.engine = engine
        home_kw: dict[str, Any] = {"clock": clock} if clock else {}
        self.home = HomeViewModel(engine, hall=hall, **home_kw)
        self.help = HelpViewModel(engine, hall)
        self.card_offer = CardOfferViewModel(engine)
        self.remove_card = RemoveCardViewModel(engine)
        self.item = ItemViewModel(engine)
        self.identify = IdentifyViewModel(engine)
        self.form = FormViewModel(engine)
        self.confirm = ConfirmViewModel(engine)
        self.working = WorkingViewModel(engine)
        self.result = ResultViewModel(engine)
        self.printing = PrintingViewModel(engine)
        self.rating = RatingViewModel(engine)
        self.done = DoneViewModel(engine)
        self.out_of_service = OutOfServiceViewModel(engine)
        self.face = FaceViewModel(engine)
        self.payment = PaymentViewModel(engine)
        self.guide = GuideViewModel(engine)  # issue 23: 我要办什么, 办事指南, policies
        self.zhinan = ZhinanViewModel(engine)
        self.policy = PolicyViewModel(engine)
        self.countdown = CountdownViewModel(engine)
        self._ended = engine.sessions_ended
        engine.subscribe(self.refresh)
        self.refresh(engine)

    @property
    def screens(self) -> dict[str, Any]:
        """Screen name → its view-model."""
        return {s.value: getattr(self, s.value) for s in State}

    def refresh(self, engine: SessionEngine) -> None:
        """Called by the engine after every change (on the UI thread)."""
        if engine.sessions_ended != self._ended:
            self._ended = engine.sessions_ended
            self.wipe()
        self.lang, self.elderly = engine.lang, engine.elderly
        vm = self.screens[engine.state.value]
        vm.update(engine)
        if engine.state != State.FACE and self.face.phase:
            self.face.wipe()  # the face step is over: no frame stays on a hidden screen
        if engine.state in (State.HOME, State.OUT_OF_SERVICE):
            self.home.update(engine)
        self.countdown.update(engine)
        self.remove_card.update(engine)
        self.help.update(engine)
        self.screen = engine.state.value

    def wipe(self) -> None:
        """The session ended: every screen forgets everything it showed."""
        for vm in self.screens.values():
            vm.wipe()
        self.countdown.wipe()
        self.help.wipe()
        log.debug("view-models wiped")

    def set_hall(self, hall: HallInfo) -> None:
        """The config was reloaded: the hall's names and numbers."""
        self.home.hall = self.help.hall = hall
        self.home.update(self.engine)
        self.help.update(self.engine)

    def tick(self, *_: object) -> None:
        """Once a second: clock and engine timers."""
        self.engine.tick()
        if self.engine.state == State.HOME:
            self.home.tick()

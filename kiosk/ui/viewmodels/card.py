"""View-models of the card on the reader: the items a card placed on the home screen can serve,
and the large "请取走身份证" reminder while a card is left on the reader after a session."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty

from kiosk.ui.viewmodels.base import ScreenViewModel, masked_value

if TYPE_CHECKING:
    from kiosk.session.engine import SessionEngine


class CardOfferViewModel(ScreenViewModel):
    """ "已读取身份证" with the items this card can serve now (tap one to go straight on)."""

    title = StringProperty("")
    holder_text = StringProperty("")
    items = ListProperty()
    empty_text = StringProperty("")

    def update(self, engine: SessionEngine) -> None:
        """Fill from the card just read."""
        holder = engine.session.holder
        if holder is None:
            self.wipe()
            return
        self.title = self.tr("card.offer_title")
        self.holder_text = self.tr("card.offer_holder", name=masked_value("name", holder.name))
        self.items = [{"code": i.code, "text": i.name(engine.lang)} for i in engine.offered_items()]
        self.empty_text = "" if self.items else self.tr("card.offer_none")

    def choose(self, code: str) -> None:
        """An item was tapped."""
        self.engine.select_for_card(code)

    def back(self) -> None:
        """Not now: the session ends (take the card)."""
        self.engine.end("back")


class RemoveCardViewModel(ScreenViewModel):
    """The reminder over the goodbye and home screens while the card is still on the reader."""

    visible = BooleanProperty(False)
    text = StringProperty("")
    detail = StringProperty("")
    sounds = NumericProperty(0)
    """Increments each time the reminder appears: the app plays the chime on each change."""

    def update(self, engine: SessionEngine) -> None:
        """Follow the engine's CardWatch."""
        self.visible = engine.card.left or engine.sscard_left
        sscard = engine.sscard_left and not engine.card.left
        self.text = self.tr("card.remove_sscard" if sscard else "card.remove")
        self.detail = self.tr("card.remove_sscard_detail" if sscard else "card.remove_detail")
        self.sounds = engine.card.reminders

    def wipe(self) -> None:
        """Nothing personal here; the reminder outlives the session on purpose."""

    def dismiss(self) -> None:
        """我知道了."""
        self.engine.card.dismiss()
        self.engine.sscard_left = False
        self.update(self.engine)

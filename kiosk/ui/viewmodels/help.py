"""The 求助 panel every citizen screen opens: help for this step and item, whom to call, a QR."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kivy.properties import BooleanProperty, ListProperty, StringProperty

from kiosk.ui.viewmodels.base import ScreenViewModel

if TYPE_CHECKING:
    from kiosk.catalogue.model import Item
    from kiosk.session.engine import SessionEngine

#: Screens with a step-specific tip (help.step.<screen>).
STEPS = (
    "home",
    "item",
    "identify",
    "form",
    "confirm",
    "working",
    "result",
    "printing",
    "rating",
    "done",
    "out_of_service",
    "payment",
    "face",
)


@dataclass(frozen=True)
class HallInfo:
    """The hall as help shows it (from the terminal config: hall_name[_en], [hall])."""

    name: str = ""
    name_en: str = ""
    hotline: str = "12345"
    duty_phone: str = ""
    help_url: str = ""

    @classmethod
    def from_config(cls, cfg: Any) -> HallInfo:
        """The hall of a TerminalConfig."""
        return cls(
            cfg.hall_name,
            cfg.hall_name_en,
            cfg.hall.hotline,
            cfg.hall.duty_phone,
            cfg.hall.help_url,
        )

    def display_name(self, lang: str) -> str:
        """The hall's name in `lang` (English falls back to the Chinese name)."""
        return self.name_en if lang == "en" and self.name_en else self.name


def card_names(cards: tuple[str, ...], tr: Any) -> str:
    """'居民身份证、港澳台居民居住证或外国人永久居留身份证' (joined as the language joins lists)."""
    names = [tr("card." + c) for c in cards]
    if len(names) < 2:
        return "".join(names)
    return tr("card.join", most=tr("card.sep").join(names[:-1]), last=names[-1])


def material_lines(item: Item, en: bool, tr: Any, card_type: str | None = None) -> list[str]:
    """What to bring, with identity documents named by card type (only the card read, if any)."""
    lines = []
    for m in item.materials:
        text = m.en if en else m.zh
        if m.cards:
            cards = (card_type,) if card_type in m.cards else m.cards
            text = tr("card.material", what=text, cards=card_names(tuple(cards), tr))
        lines.append(text)
    return lines


class HelpViewModel(ScreenViewModel):
    """What the 求助 panel shows; open on any screen, closed when the session ends."""

    visible = BooleanProperty(False)
    title = StringProperty("")
    step_text = StringProperty("")
    item_title = StringProperty("")
    item_lines = ListProperty()
    contacts = ListProperty()
    qr = StringProperty("")
    qr_text = StringProperty("")

    def __init__(self, engine: SessionEngine, hall: HallInfo | None = None, **kwargs: Any) -> None:
        super().__init__(engine, **kwargs)
        self.hall = hall or HallInfo(engine.hall_name)

    def open(self) -> None:
        """求助: show help for the screen and item in front of the citizen."""
        self.visible = True
        self.engine.touch()
        self.update(self.engine)

    def close(self) -> None:
        """Back to the screen."""
        self.visible = False
        self.engine.touch()

    def update(self, engine: SessionEngine) -> None:
        """Fill from the engine's state, item and language (texts only while shown)."""
        if not self.visible:
            return
        self.title = self.tr("help.title")
        state = engine.state.value
        self.step_text = self.tr(f"help.step.{state}") if state in STEPS else ""
        it = engine.item
        if it is not None:
            self.item_title = self.tr("help.about", item=it.name(engine.lang))
            holder = engine.session.holder
            lines = [
                (it.description_en if self.en else it.description_zh) or "",
                self.tr("help.department", dept=it.department_en if self.en else it.department_zh),
            ]
            mats = material_lines(it, self.en, self.tr, holder.card_type if holder else None)
            if mats:
                lines.append(self.tr("help.bring", what=self.tr("help.list_sep").join(mats)))
            self.item_lines = [{"text": x} for x in lines if x]
        else:
            self.item_title, self.item_lines = "", []
        h = self.hall
        contacts = [{"label": self.tr("help.hotline"), "value": h.hotline}] if h.hotline else []
        if h.duty_phone:
            contacts.append({"label": self.tr("help.duty_phone"), "value": h.duty_phone})
        contacts.append({"label": self.tr("help.desk_label"), "value": self.tr("help.desk")})
        self.contacts = contacts
        self.qr = h.help_url
        self.qr_text = self.tr("help.qr", hotline=h.hotline or "12345") if h.help_url else ""

    def wipe(self) -> None:
        """The session ended: the panel closes (it may have named the citizen's card)."""
        super().wipe()

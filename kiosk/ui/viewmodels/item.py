"""View-models of the item description and identification screens."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from kivy.properties import BooleanProperty, ListProperty, StringProperty

from kiosk.ui.viewmodels.base import ScreenViewModel
from kiosk.ui.viewmodels.help import card_names, material_lines

if TYPE_CHECKING:
    from kiosk.catalogue.model import Item
    from kiosk.session.engine import SessionEngine


class ItemViewModel(ScreenViewModel):
    """What the item does, what to bring, how the citizen is identified."""

    title = StringProperty("")
    department = StringProperty("")
    description = StringProperty("")
    materials = ListProperty()
    auth_text = StringProperty("")
    kind_text = StringProperty("")
    guide = StringProperty("")
    """Code of the item's (or bundle's) 办事指南, "" if none (issue 23)."""

    def update(self, engine: SessionEngine) -> None:
        """Fill from the selected item."""
        it = engine.item
        if it is None:
            self.wipe()
            return
        self.title = it.name(engine.lang)
        self.department = it.department_en if self.en else it.department_zh
        self.description = (it.description_en if self.en else it.description_zh) or ""
        holder = engine.session.holder
        self.materials = [
            {"text": "· " + m}
            for m in material_lines(it, self.en, self.tr, holder.card_type if holder else None)
        ] or [{"text": "· " + self.tr("item.no_materials")}]
        self.auth_text = auth_text(it, self.tr)
        self.kind_text = self.tr("kind." + it.kind)
        self.guide = engine.browse.guide_code(it.code)

    def start(self) -> None:
        """开始办理."""
        self.engine.proceed()

    def open_guide(self) -> None:
        """办事指南 of the item (back returns here)."""
        if self.guide:
            self.engine.browse.open_guide(self.guide)

    def back(self) -> None:
        """Back to home (ends the session)."""
        self.engine.back()


class IdentifyViewModel(ScreenViewModel):
    """One screen for every way the item accepts (ID card, 社保卡, app code): what to present,
    where on the terminal, and what went wrong if something did."""

    prompt = StringProperty("")
    qr_hint = StringProperty("")
    problem = StringProperty("")
    allows_qr = BooleanProperty(False)
    has_id_card = BooleanProperty(False)
    has_sscard = BooleanProperty(False)
    has_problem = BooleanProperty(False)
    checking = BooleanProperty(False)
    """An app code is with central right now."""
    methods = ListProperty()
    """The offered methods, in the catalogue's order (id_card, sscard, app_code)."""
    allows_anonymous = BooleanProperty(False)
    """The item's design allows 匿名提交 (no card read, no call-back)."""

    def update(self, engine: SessionEngine) -> None:
        """Fill from the identify state."""
        from kiosk.identity.methods import working_methods

        it = engine.item
        offered = list(working_methods(it, engine.devices, engine.online)) if it else []
        self.methods = offered
        self.has_id_card = "id_card" in offered
        self.has_sscard = "sscard" in offered
        self.allows_qr = "app_code" in offered
        self.prompt = " / ".join(self.tr("identify.do." + m) for m in offered) or self.tr(
            "identify.prompt"
        )
        self.qr_hint = self.tr("identify.where.app_code") if self.allows_qr else ""
        p = engine.session.identify_problem
        self.checking = p == "code_checking"
        self.problem = self.tr("identify." + p) if p and p != "card_type" else ""
        if p == "card_type" and it is not None:
            self.problem = self.tr("identify.card_type", cards=card_names(it.card_types, self.tr))
        self.has_problem = bool(p) and not self.checking
        self.allows_anonymous = bool(it and it.anonymous_required is not None)

    def anonymous(self) -> None:
        """不读身份证，匿名提交."""
        self.engine.proceed_anonymous()

    def back(self) -> None:
        """Back to the item description."""
        self.engine.back()


def auth_text(item: Item, tr: Callable[..., str]) -> str:
    """需要…: the item's identifications as one line ("无需验证身份" when none)."""
    if not item.needs_identity:
        return tr("auth.none")
    text = tr(
        "auth.any", methods=tr("auth.sep").join(tr("auth.m." + m) for m in item.identify_methods)
    )
    return text + (tr("auth.face") if item.needs_face else "")

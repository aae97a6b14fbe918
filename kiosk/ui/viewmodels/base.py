"""Base of every screen view-model: properties filled from the engine, one `wipe()` for all."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from kivy.event import EventDispatcher
from kivy.properties import NumericProperty

from kiosk.ui.i18n import t

if TYPE_CHECKING:
    from kiosk.session.engine import SessionEngine


class ScreenViewModel(EventDispatcher):
    """Holds what one screen shows; `update(engine)` recomputes it, `wipe()` resets it."""

    def __init__(self, engine: SessionEngine, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.engine = engine

    def tr(self, key: str, **kw: object) -> str:
        """`key` in the engine's current language."""
        return t(key, self.engine.lang, **kw)

    @property
    def en(self) -> bool:
        """Whether the UI is in English."""
        return self.engine.lang == "en"

    def update(self, engine: SessionEngine) -> None:
        """Recompute every property from the engine (override)."""

    def wipe(self) -> None:
        """Reset every property to its default (ends a session: no personal data may remain)."""
        for name, prop in self.properties().items():
            default = prop.defaultvalue
            setattr(
                self, name, copy.copy(default) if isinstance(default, (list, dict)) else default
            )


class PagedViewModel(ScreenViewModel):
    """A screen that shows its content a page at a time (home tiles, result rows)."""

    page = NumericProperty(0)
    pages = NumericProperty(1)

    def next_page(self) -> None:
        """Next page."""
        self._turn(+1)

    def prev_page(self) -> None:
        """Previous page."""
        self._turn(-1)

    def _turn(self, step: int) -> None:
        if 0 <= self.page + step < self.pages:
            self.page += step
            self.engine.touch()
            self.update(self.engine)


def masked_value(ftype: str, value: str) -> str:
    """How a personal value is shown on screen: ID numbers and names masked."""
    from drivers.privacy import mask_id_number, mask_name, mask_phone

    if not value:
        return value
    if ftype == "id_number":
        return mask_id_number(value)
    if ftype == "name":
        return mask_name(value)
    if ftype == "phone":
        return mask_phone(value)
    return value

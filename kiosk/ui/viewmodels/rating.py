"""View-models of the 好差评 screen and the goodbye screen."""
from __future__ import annotations

from typing import TYPE_CHECKING

from kivy.properties import BooleanProperty, ListProperty, StringProperty

from kiosk.session.errors import RatingRefused
from kiosk.session.rating import LEVELS, is_bad
from kiosk.ui.viewmodels.base import ScreenViewModel

if TYPE_CHECKING:
    from kiosk.session.engine import SessionEngine

LEVEL_KEYS = ("very_satisfied", "satisfied", "basic", "dissatisfied", "very_dissatisfied")


class RatingViewModel(ScreenViewModel):
    """Five faces by level name; 差评 asks for at least one reason tag."""

    levels = ListProperty()
    level = StringProperty("")
    needs_tags = BooleanProperty(False)
    tags = ListProperty()
    chosen = ListProperty()
    error_text = StringProperty("")
    can_submit = BooleanProperty(False)

    def update(self, engine: SessionEngine) -> None:
        """Fill from the selection."""
        self.levels = [{"level": name, "face": i, "text": self.tr("rating." + LEVEL_KEYS[i]),
                        "selected": name == self.level} for i, name in enumerate(LEVELS)]
        self.needs_tags = bool(self.level) and is_bad(self.level)
        cat = engine.catalogue
        tags = cat.rating_tags if cat else ()
        self.tags = [{"code": tg.code, "text": tg.en if self.en else tg.zh,
                      "selected": tg.code in self.chosen} for tg in tags] if self.needs_tags else []
        self.can_submit = bool(self.level) and (not self.needs_tags or bool(self.chosen))
        if self.level and self.needs_tags and not self.chosen:
            self.error_text = self.tr("rating.need_tag")
        else:
            self.error_text = ""

    def choose(self, level: str) -> None:
        """Tap a face."""
        self.level = level
        if not is_bad(level):
            self.chosen = []
        self.engine.touch()
        self.update(self.engine)

    def toggle_tag(self, code: str) -> None:
        """Tap a reason tag."""
        self.chosen = [c for c in self.chosen if c != code] if code in self.chosen else self.chosen + [code]
        self.engine.touch()
        self.update(self.engine)

    def submit(self) -> None:
        """提交评价."""
        try:
            self.engine.rate(self.level, list(self.chosen))
        except RatingRefused:
            self.error_text = self.tr("rating.need_tag")
            return
        self.level, self.chosen = "", []

    def skip(self) -> None:
        """跳过."""
        self.engine.skip_rating()
        self.level, self.chosen = "", []


class DoneViewModel(ScreenViewModel):
    """Thank you and take your card and receipt."""

    message = StringProperty("")
    reminder = StringProperty("")

    def update(self, engine: SessionEngine) -> None:
        """Fill from the session end."""
        self.message = self.tr("done.rated" if engine.session.rating_level else "done.thanks")
        # 取走凭条 only when something printed; the card has its own large reminder
        self.reminder = self.tr("done.take_receipt") if engine.session.print_state == "printed" else ""

    def home(self) -> None:
        """返回首页."""
        self.engine.end("done")

"""View-models of the 好差评 screen and the goodbye screen.

The screen is rendered from the rating dictionary (kiosk.rating.dictionary; central's, cached,
or the shipped one): five levels, the reasons offered for the chosen level (≥ 1 for a 差评),
the indicator rows, a comment typed with the pinyin input method, and on a 差评 a callback
phone taken only after the citizen ticks consent. Without a dictionary (no services), the
catalogue's reason tags as before."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kivy.properties import BooleanProperty, DictProperty, ListProperty, StringProperty

from kiosk.central_api import PHONE_RE, mask_phone
from kiosk.session.errors import RatingRefused
from kiosk.session.rating import LEVELS, MAX_COMMENT, is_bad
from kiosk.ui.viewmodels.base import ScreenViewModel

if TYPE_CHECKING:
    from kiosk.session.engine import SessionEngine

LEVEL_KEYS = ("very_satisfied", "satisfied", "basic", "dissatisfied", "very_dissatisfied")


class RatingViewModel(ScreenViewModel):
    """Five faces by level name; reasons, indicators, comment and callback phone."""

    levels = ListProperty()
    level = StringProperty("")
    needs_tags = BooleanProperty(False)
    tags = ListProperty()
    chosen = ListProperty()
    reasons_title = StringProperty("")
    indicators = ListProperty()
    """[{code, text, choices: [{level, text, selected}]}] (the overall one is the face)."""
    scores = DictProperty()
    comment = StringProperty("")
    panel = StringProperty("")
    """"" | "comment" (pinyin input method) | "phone" (digits)."""
    consent = BooleanProperty(False)
    phone = StringProperty("")
    phone_shown = StringProperty("")
    offer_callback = BooleanProperty(False)
    real_name = BooleanProperty(False)
    offer_real_name = BooleanProperty(False)
    """实名评价 is offered when the citizen was identified (card or code)."""
    error_text = StringProperty("")
    can_submit = BooleanProperty(False)
    dictionary_version = StringProperty("")
    ime_rows = ListProperty()
    ime_bar = ListProperty()
    ime_composing = StringProperty("")
    ime_mode = StringProperty("pinyin")
    ime_status = StringProperty("")
    """"" when pinyin is ready; else why not yet (dictionary loading / unavailable)."""

    def __init__(self, engine: SessionEngine, **kwargs: Any) -> None:
        super().__init__(engine, **kwargs)
        self.ask_indicators = True
        self.ask_callback = True
        self._keyboard: Any = None

    def _dictionary(self) -> Any:
        source = getattr(self.engine, "rating_dictionary", None)
        return source() if source is not None else None

    def update(self, engine: SessionEngine) -> None:
        """Fill from the selection and the dictionary."""
        d = self._dictionary()
        names = {lv.level.value: (lv.en if self.en else lv.zh) for lv in d.levels} if d else {}
        self.levels = [
            {
                "level": name,
                "face": i,
                "text": names.get(name) or self.tr("rating." + LEVEL_KEYS[i]),
                "selected": name == self.level,
            }
            for i, name in enumerate(LEVELS)
        ]
        self.needs_tags = bool(self.level) and is_bad(self.level)
        self.dictionary_version = str(d.version) if d else ""
        if d is not None:
            offered = d.reasons_by_level.get(self.level, []) if self.level else []
            self.tags = [
                {
                    "code": r.code,
                    "text": r.en if self.en else r.zh,
                    "selected": r.code in self.chosen,
                }
                for r in offered
            ]
            self.reasons_title = (
                self.tr("rating.choose_tags" if self.needs_tags else "rating.choose_good")
                if offered
                else ""
            )
            self.indicators = (
                [
                    {
                        "code": i.code,
                        "text": i.en if self.en else i.zh,
                        "choices": [
                            {
                                "code": i.code,
                                "value": name,
                                "text": self.tr("rating.short." + LEVEL_KEYS[k]),
                                "selected": self.scores.get(i.code, self.level) == name,
                            }
                            for k, name in enumerate(LEVELS)
                        ],
                    }
                    for i in d.indicators
                    if i.code != "overall"
                ]
                if self.level and self.ask_indicators and not engine.elderly
                else []
            )  # 长辈模式: simple
        else:
            cat = engine.catalogue
            tags = cat.rating_tags if cat else ()
            self.tags = (
                [
                    {
                        "code": tg.code,
                        "text": tg.en if self.en else tg.zh,
                        "selected": tg.code in self.chosen,
                    }
                    for tg in tags
                ]
                if self.needs_tags
                else []
            )
            self.reasons_title = self.tr("rating.choose_tags") if self.needs_tags else ""
            self.indicators = []
        self.offer_callback = self.needs_tags and self.ask_callback and d is not None
        self.offer_real_name = (
            d is not None and bool(self.level) and engine.session.holder is not None
        )
        self.phone_shown = (
            self.phone if self.panel == "phone" else (mask_phone(self.phone) if self.phone else "")
        )
        phone_ok = not self.consent or bool(PHONE_RE.fullmatch(self.phone))
        self.can_submit = (
            bool(self.level) and (not self.needs_tags or bool(self.chosen)) and phone_ok
        )
        if self.level and self.needs_tags and not self.chosen:
            self.error_text = self.tr("rating.need_tag")
        elif self.consent and not phone_ok:
            self.error_text = self.tr("rating.phone_incomplete")
        else:
            self.error_text = ""
        if self.panel == "comment":
            self._ime_show()

    def choose(self, level: str) -> None:
        """Tap a face (the overall level)."""
        if level != self.level:
            self.chosen = []
        self.level = level
        if not is_bad(level):
            self.consent, self.phone = False, ""
            if self.panel == "phone":
                self.panel = ""
        self.engine.touch()
        self.update(self.engine)

    def score(self, indicator: str, level: str) -> None:
        """Tap one level of an indicator row."""
        self.scores = {**self.scores, indicator: level}
        self.engine.touch()
        self.update(self.engine)

    def toggle_tag(self, code: str) -> None:
        """Tap a reason."""
        self.chosen = (
            [c for c in self.chosen if c != code] if code in self.chosen else self.chosen + [code]
        )
        self.engine.touch()
        self.update(self.engine)

    def toggle_real_name(self) -> None:
        """实名评价 (off by default: a rating is anonymous unless the citizen chooses)."""
        self.real_name = not self.real_name
        self.engine.touch()
        self.update(self.engine)

    # --- callback phone (差评 only, after consent) ---------------------------------------
    def toggle_consent(self) -> None:
        """同意回访: the phone keypad opens; unticking forgets the number."""
        self.consent = not self.consent
        if self.consent:
            self.panel = "phone"
        else:
            self.phone, self.panel = "", ""
        self.engine.touch()
        self.update(self.engine)

    def phone_key(self, k: str) -> None:
        """A key of the phone keypad (a digit, or its 退格 / 清空 label)."""
        k = {self.tr("form.backspace"): "back", self.tr("form.clear"): "clear"}.get(k, k)
        if k == "back":
            self.phone = self.phone[:-1]
        elif k == "clear":
            self.phone = ""
        elif k.isdigit() and len(self.phone) < 11:
            self.phone += k
        if len(self.phone) == 11 and PHONE_RE.fullmatch(self.phone):
            self.panel = ""
        self.engine.touch()
        self.update(self.engine)

    # --- comment through the pinyin input method -------------------------------------------
    @property
    def keyboard(self) -> Any:
        """kiosk.ime.Keyboard, built on first use."""
        if self._keyboard is None:
            from kiosk.ime import Keyboard

            self._keyboard = Keyboard()
        return self._keyboard

    def open_panel(self, panel: str) -> None:
        """Show the comment input ("comment"), the phone keypad ("phone") or neither ("")."""
        if self.panel == "comment" and panel != "comment":
            self._commit()
        self.panel = panel if panel != self.panel else ""
        if self.panel == "comment":
            self.keyboard.index.warm()
        self.engine.touch()
        self.update(self.engine)

    def key(self, k: str) -> None:
        """A key of the comment input method."""
        self._apply(self.keyboard.press(k))

    def candidate(self, slot: int) -> None:
        """A candidate on the input method's bar."""
        self._apply(self.keyboard.choose(int(slot)))

    def _apply(self, edit: object) -> None:
        text = self.comment
        if getattr(edit, "clear", False):
            text = ""
        if getattr(edit, "delete", 0):
            text = text[: -edit.delete]  # type: ignore[attr-defined]
        self.comment = (text + getattr(edit, "insert", ""))[:MAX_COMMENT]
        self.engine.touch()
        self.update(self.engine)

    def _commit(self) -> None:
        kb = self.keyboard
        if kb.composer.letters:
            self._apply(kb.press("mode:" + kb.mode))
        kb.reset()

    def _ime_show(self) -> None:
        kb = self.keyboard
        self.ime_mode = kb.mode
        self.ime_rows = kb.rows()
        self.ime_bar = [{"text": c.text, "slot": i} for i, c in enumerate(kb.bar())]
        self.ime_composing = kb.composing()
        self.ime_status = (
            ""
            if kb.dictionary is not None or kb.mode != "pinyin"
            else self.tr("ime.unavailable" if kb.index.error else "ime.loading")
        )

    # --- done ----------------------------------------------------------------------------
    def submit(self) -> None:
        """提交评价."""
        if self.panel == "comment":
            self._commit()
        d = self._dictionary()
        try:
            if d is not None:
                scores = (
                    {"overall": self.level, **self.scores}
                    if self.ask_indicators and not self.engine.elderly
                    else {}
                )
                self.engine.rate(
                    self.level,
                    list(self.chosen),
                    self.comment,
                    indicators=scores,
                    callback_phone=self.phone if self.consent else "",
                    real_name=self.real_name and self.offer_real_name,
                )
            else:
                self.engine.rate(self.level, list(self.chosen), self.comment)
        except RatingRefused:
            self.error_text = self.tr("rating.need_tag")
            return
        self._forget()

    def skip(self) -> None:
        """跳过."""
        self.engine.skip_rating()
        self._forget()

    def _forget(self) -> None:
        if self._keyboard is not None:
            self._keyboard.reset()
        self.wipe()  # the phone and the comment leave memory with the rating

    def wipe(self) -> None:
        """Session ended: forget everything typed, the input method's run too."""
        if self._keyboard is not None:
            self._keyboard.reset()
        super().wipe()


class DoneViewModel(ScreenViewModel):
    """Thank you and take your card and receipt."""

    message = StringProperty("")
    reminder = StringProperty("")

    def update(self, engine: SessionEngine) -> None:
        """Fill from the session end."""
        self.message = self.tr("done.rated" if engine.session.rating_level else "done.thanks")
        # 取走凭条 only when something printed; the card has its own large reminder
        self.reminder = (
            self.tr("done.take_receipt") if engine.session.print_state == "printed" else ""
        )

    def home(self) -> None:
        """返回首页."""
        self.engine.end("done")

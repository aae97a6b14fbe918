"""View-model of the form: typed fields, keypads, choice lists, a date picker and the pinyin input method."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty

from kiosk import clock as terminal_clock
from kiosk.catalogue.validators import USCC_ALPHABET
from kiosk.central_api import CASE_REF_MAX_LEN, case_ref_alphabet
from kiosk.ui.viewmodels.base import ScreenViewModel, masked_value

if TYPE_CHECKING:
    from kiosk.catalogue.model import Field
    from kiosk.session.engine import SessionEngine

DIGITS = list("123456789")
CASE_KEYS = list(case_ref_alphabet())
"""Every character a case number or a terminal's provisional number can hold (the contract)."""
USCC_KEYS = list(USCC_ALPHABET)
KEYPADS = {
    "phone": "digits",
    "number": "digits",
    "id_number": "id",
    "case_no": "alnum",
    "uscc": "alnum",
    "text": "ime",
}
MAX_LEN = {"phone": 11, "id_number": 18, "uscc": 18, "number": 12, "case_no": CASE_REF_MAX_LEN}


class FormViewModel(ScreenViewModel):
    """Rows of fields, the active one, and the input panel that fits its type."""

    title = StringProperty("")
    rows = ListProperty()
    active = StringProperty("")
    active_label = StringProperty("")
    panel = StringProperty("")
    """"digits", "id", "alnum", "choice", "date", "none"."""
    keys = ListProperty()
    options = ListProperty()
    year = NumericProperty(2000)
    month = NumericProperty(1)
    day = NumericProperty(1)
    date_text = StringProperty("")
    has_errors = BooleanProperty(False)
    message = StringProperty("")
    # on-screen input method (text fields): kiosk.ime.Keyboard shown through these
    ime_rows = ListProperty()
    ime_bar = ListProperty()
    ime_composing = StringProperty("")
    ime_mode = StringProperty("pinyin")
    ime_pages = NumericProperty(1)
    ime_page = NumericProperty(0)
    ime_status = StringProperty("")
    """"" when ready; else why pinyin is not offered yet (dictionary loading / unavailable)."""

    def __init__(self, engine: SessionEngine, **kwargs: object) -> None:
        super().__init__(engine, **kwargs)
        from kiosk.ime import Keyboard

        self.keyboard = Keyboard()
        self.keyboard.index.on_ready.append(self._ime_loaded)

    def _ime_loaded(self) -> None:
        from kiosk.ui.marshal import to_ui

        to_ui(lambda: self.update(self.engine) if self.panel == "ime" else None)()

    def _fields(self) -> tuple[Field, ...]:
        return self.engine.form_fields

    def _editable(self, f: Field) -> bool:
        return not (f.prefill and self.engine.session.holder is not None)

    def update(self, engine: SessionEngine) -> None:
        """Fill from the form state."""
        it = engine.item
        if it is None:
            self.wipe()
            return
        self.title = it.name(engine.lang)
        fields = self._fields()
        if any(f.type == "text" for f in fields):
            self.keyboard.index.warm()  # the dictionary loads while the citizen fills the rest
        if not self.active or self.active not in [f.name for f in fields]:
            values = engine.session.values  # start where something is missing (defaults set)
            first = next(
                (f for f in fields if self._editable(f) and not values.get(f.name)),
                next((f for f in fields if self._editable(f)), None),
            )
            self.active = first.name if first else ""
        values, errors = engine.session.values, engine.session.errors
        rows = []
        for f in fields:
            raw = values.get(f.name, "")
            shown = self._display(f, raw)
            err = errors.get(f.name)
            label = f.label_en if self.en else f.label_zh
            if not f.required:
                label += self.tr("form.optional")
            rows.append(
                {
                    "name": f.name,
                    "label": label,
                    "value": shown
                    or (
                        (f.hint_en if self.en else f.hint_zh)
                        or self.tr("form.choose" if f.type in ("choice", "date") else "form.tap")
                    ),
                    "empty": not shown,
                    "error": (err[1] if self.en else err[0]) if err else "",
                    "active": f.name == self.active,
                    "locked": not self._editable(f),
                }
            )
        self.rows = rows
        self.has_errors = bool(errors)
        self.message = self.tr("form.fix") if errors else ""
        self._panel()

    def _display(self, f: Field, raw: str) -> str:
        if not raw:
            return ""
        if f.type == "choice":
            opt = f.option(raw)
            return (opt.en if self.en else opt.zh) if opt else raw
        if f.prefill and self.engine.session.holder is not None:
            return masked_value("name" if f.prefill == "id_card.name" else f.type, raw)
        return raw

    def _panel(self) -> None:
        f = next((x for x in self._fields() if x.name == self.active), None)
        if f is None or not self._editable(f):
            self.panel, self.keys, self.options, self.active_label = "none", [], [], ""
            return
        self.active_label = f.label_en if self.en else f.label_zh
        raw = self.engine.session.values.get(f.name, "")
        if f.type == "text":
            self.panel = "ime"
            self.keys, self.options = [], []
            self._ime_show()
        elif f.type == "choice":
            self.panel = "choice"
            self.options = [
                {"value": o.value, "text": o.en if self.en else o.zh, "selected": o.value == raw}
                for o in f.options
            ]
            self.keys = []
        elif f.type == "date":
            self.panel = "date"
            self._date_from(raw, f)
        else:
            self.panel = KEYPADS.get(f.type, "digits")
            if self.panel == "alnum":
                self.keys = CASE_KEYS if f.type == "case_no" else USCC_KEYS
            elif self.panel == "id":
                self.keys = DIGITS + ["X", "0"]
            else:
                self.keys = DIGITS + (["."] if f.decimals else [""]) + ["0"]

    def _ime_show(self) -> None:
        kb = self.keyboard
        idx = kb.dictionary  # starts loading in the background on first need
        self.ime_mode = kb.mode
        self.ime_rows = kb.rows()
        self.ime_bar = [{"text": c.text, "slot": i} for i, c in enumerate(kb.bar())]
        self.ime_pages, self.ime_page = kb.pages(), kb.page
        self.ime_composing = kb.composing()
        self.ime_status = (
            ""
            if idx is not None or kb.mode != "pinyin"
            else self.tr("ime.unavailable" if kb.index.error else "ime.loading")
        )

    def _date_from(self, raw: str, f: Field) -> None:
        try:
            d = dt.date.fromisoformat(raw)
        except ValueError:
            d = terminal_clock.today()
        self.year, self.month, self.day = d.year, d.month, d.day
        self.date_text = d.isoformat()

    # ---- actions ----

    def focus(self, name: str) -> None:
        """The citizen tapped a field."""
        if name != self.active:
            self._ime_commit()
        self.active = name
        self.engine.touch()
        self.update(self.engine)

    def key(self, k: str) -> None:
        """A keypad key: a character, "back" or "clear" (text fields: the input method's keys)."""
        f = next((x for x in self._fields() if x.name == self.active), None)
        if f is None or not k:
            return
        raw = self.engine.session.values.get(f.name, "")
        if f.type == "text":
            self._ime_apply(f, self.keyboard.press(k))
            return
        if k == "back":
            raw = raw[:-1]
        elif k == "clear":
            raw = ""
        elif len(raw) < MAX_LEN.get(f.type, 40):
            raw += k
        self.engine.set_value(f.name, raw)

    def candidate(self, slot: int) -> None:
        """A candidate on the input method's bar was tapped."""
        f = next((x for x in self._fields() if x.name == self.active), None)
        if f is not None and f.type == "text":
            self._ime_apply(f, self.keyboard.choose(int(slot)))

    def _ime_apply(self, f: Field, edit: object) -> None:
        raw = self.engine.session.values.get(f.name, "")
        if getattr(edit, "clear", False):
            raw = ""
        if getattr(edit, "delete", 0):
            raw = raw[: -edit.delete]  # type: ignore[attr-defined]
        raw = (raw + getattr(edit, "insert", ""))[: f.max_length or 500]
        if raw != self.engine.session.values.get(f.name, ""):
            self.engine.set_value(f.name, raw)
        else:
            self.engine.touch()
            self.update(self.engine)

    def _ime_commit(self) -> None:
        """Leaving a text field keeps a half-typed pinyin run as letters (nothing is lost)."""
        f = next((x for x in self._fields() if x.name == self.active), None)
        if f is not None and f.type == "text" and self.keyboard.composer.letters:
            self._ime_apply(f, self.keyboard.press("mode:" + self.keyboard.mode))
        self.keyboard.reset()

    def wipe(self) -> None:
        """Session ended: forget the pinyin run too."""
        self.keyboard.reset()
        super().wipe()

    def choose(self, value: str) -> None:
        """A choice option was tapped; go on to the next empty field."""
        self.engine.set_value(self.active, value)
        self._advance()

    def date_step(self, part: str, delta: int) -> None:
        """Turn year / month / day up or down; the value is always a real date."""
        y, m, d = self.year, self.month, self.day
        if part == "year":
            y = max(1900, min(2100, y + delta))
        elif part == "month":
            m = (m - 1 + delta) % 12 + 1
        else:
            d += delta
        last = (dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)).day
        d = (d - 1) % last + 1 if part == "day" else min(d, last)
        self.engine.set_value(self.active, dt.date(y, m, d).isoformat())

    def _advance(self) -> None:
        values = self.engine.session.values
        nxt = next(
            (f for f in self._fields() if self._editable(f) and not values.get(f.name)), None
        )
        if nxt is not None:
            self.active = nxt.name
        self.update(self.engine)

    def leave_field(self) -> None:
        """Check the active field now (message next to it)."""
        if self.active:
            self.engine.check_field(self.active)
            self.update(self.engine)

    def next(self) -> None:
        """下一步: validate all; errors appear next to their fields."""
        self._ime_commit()
        self.engine.submit_form()
        errors = self.engine.session.errors
        if errors:
            self.active = next(iter(errors))
            self.update(self.engine)

    def back(self) -> None:
        """上一步."""
        self.engine.back()

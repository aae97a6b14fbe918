"""Small reusable widgets (their look is in assets/kv/widgets.kv): data-driven repeater, QR."""

from __future__ import annotations

from typing import Any

from kivy.factory import Factory
from kivy.graphics.texture import Texture
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.image import Image
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.uix.stacklayout import StackLayout

from kiosk.typography import linebreak as _linebreak

_linebreak.install()  # every wrapped label breaks Chinese lines by 避头尾 (kiosk.typography)


class Repeater(GridLayout):
    """A grid that shows one `viewclass` widget per dict in `data`. Views are updated in place
    or rebuilt, never recycled through a cache, so no old personal data lingers off screen."""

    viewclass = StringProperty("")
    data = ListProperty()
    grid_rows = NumericProperty(1)
    """Rows per page a layout may use for sizing (the grid itself grows as needed)."""

    def on_data(self, *_: object) -> None:
        """Rebuild the children from `data`."""
        self._rebuild()

    def on_viewclass(self, *_: object) -> None:
        """Rebuild with the new view class."""
        self._rebuild()

    def _rebuild(self) -> None:
        if not self.viewclass:
            self.clear_widgets()
            return
        cls = Factory.get(self.viewclass)
        views = self.children[::-1]  # Kivy keeps children last-added first
        if len(views) == len(self.data) and all(type(v) is cls for v in views):
            # same shape: update in place (only changed texts are re-rendered)
            for view, entry in zip(views, self.data):
                for key, value in entry.items():
                    if getattr(view, key) != value:
                        setattr(view, key, value)
            return
        self.clear_widgets()
        for entry in self.data:
            self.add_widget(cls(**entry))


class FlowRepeater(StackLayout):
    """Like Repeater, but the views flow left to right and wrap onto new lines."""

    viewclass = StringProperty("")
    data = ListProperty()

    on_data = Repeater.on_data
    on_viewclass = Repeater.on_viewclass
    _rebuild = Repeater._rebuild


class FieldList(ScrollView):
    """The form's fields: scrolls the active one (by `name`) into view when it changes."""

    active = StringProperty("")

    def add_widget(self, widget: object, *args: object, **kwargs: object) -> None:
        """The rows' grid: keep the active row in view when its height changes too."""
        super().add_widget(widget, *args, **kwargs)
        widget.bind(height=self.on_active)  # type: ignore[attr-defined]

    def on_active(self, *_: object) -> None:
        """Scroll once the rows are laid out."""
        from kivy.clock import Clock

        Clock.unschedule(self._show_active)
        Clock.schedule_once(self._show_active, 0.05)  # after the rows' layout settled

    def _show_active(self, _dt: float) -> None:
        grid = self.children[0] if self.children else None
        row = next(
            (r for r in (grid.children if grid else ()) if getattr(r, "name", None) == self.active),
            None,
        )
        room = (grid.height - self.height) if grid is not None else 0
        if row is None or room <= 0:
            self.scroll_y = 1.0
            return
        pad = 12
        bottom = self.scroll_y * room  # the viewport in the rows' coordinates
        assert grid is not None  # room > 0 needs a grid
        y = row.y - grid.y
        if y < bottom:
            bottom = y - pad
        elif y + row.height > bottom + self.height:
            bottom = y + row.height + pad - self.height
        self.scroll_y = min(1.0, max(0.0, bottom / room))


class ImePanel(BoxLayout):
    """The on-screen pinyin keyboard of the form (look in form.kv, logic in kiosk.ime)."""

    vm = ObjectProperty(None, allownone=True, rebind=True)
    """Set by the form screen's rule after this widget's own rule ran: rebind its bindings."""


class OfferButton(Button):
    """One item a card placed on the home screen can serve (look in card_offer.kv)."""

    code = StringProperty("")


class ImeCandidate(Button):
    """One candidate on the input method's bar (look in form.kv)."""

    slot = NumericProperty(0)


class QrImage(Image):
    """Shows `payload` as a QR code (black on white, nearest-neighbour scaling)."""

    payload = StringProperty("")

    def on_payload(self, *_: object) -> None:
        """Render the new payload into the texture (an empty payload clears it)."""
        if not self.payload:
            self.texture = None
            return
        import qrcode

        qr = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
        qr.add_data(self.payload)
        qr.make(fit=True)
        matrix = qr.get_matrix()
        n = len(matrix)
        buf = bytearray()
        for row in reversed(matrix):  # textures start at the bottom
            for cell in row:
                v = 0 if cell else 255
                buf += bytes((v, v, v, 255))
        tex = Texture.create(size=(n, n), colorfmt="rgba")
        tex.blit_buffer(bytes(buf), colorfmt="rgba", bufferfmt="ubyte")
        tex.mag_filter = "nearest"
        tex.min_filter = "nearest"
        self.texture = tex


# ---- views built by Repeater: properties only; their look is in widgets.kv / the screen .kv ----


class ItemTile(ButtonBehavior, BoxLayout):
    """One item on the home screen."""

    code = StringProperty("")
    name = StringProperty("")
    dept = StringProperty("")
    glyph = StringProperty("")
    tint = ListProperty([0.07, 0.42, 0.78, 1])
    reason = StringProperty("")
    available = BooleanProperty(True)


class Chip(ButtonBehavior, Label):
    """A selectable chip: category filter, choice option, reason tag."""

    code = StringProperty("")
    value = StringProperty("")
    selected = BooleanProperty(False)


class FieldRow(ButtonBehavior, BoxLayout):
    """One form field: label, value (or hint), error message next to it."""

    name = StringProperty("")
    label = StringProperty("")
    value = StringProperty("")
    empty = BooleanProperty(True)
    error = StringProperty("")
    active = BooleanProperty(False)
    locked = BooleanProperty(False)


class KVRow(BoxLayout):
    """A label: value line (confirm screen, receipt on screen)."""

    label = StringProperty("")
    value = StringProperty("")


class FitLabel(Label):
    """A wrapped label that shrinks its font until the text fits its box, never cutting it
    (hall and department names: "Municipal Human Resources a…" told a foreigner nothing).
    Set `base_font_size` (not font_size) and a height; it wraps at its width."""

    base_font_size = NumericProperty(30)
    min_scale = NumericProperty(0.55)
    # Kivy's own Label properties (untyped library), declared for the type checker only.
    text_size: Any
    font_size: Any
    """The font never gets smaller than base_font_size × min_scale (then the text may overflow)."""

    def __init__(self, **kwargs: object) -> None:
        from kivy.clock import Clock

        self._fit_trigger = Clock.create_trigger(self._fit, -1)
        super().__init__(**kwargs)
        self.fbind("text", self._fit_trigger)
        self.fbind("size", self._fit_trigger)
        self.fbind("base_font_size", self._fit_trigger)
        self._fit_trigger()

    def _fit(self, *_: object) -> None:
        if self.width <= 1 or self.height <= 1:
            return
        if tuple(self.text_size) != (self.width, None):
            self.text_size = (self.width, None)
        size = float(self.base_font_size)
        floor = size * self.min_scale
        while True:
            if self.font_size != size:
                self.font_size = size
            self.texture_update()
            if self.texture_size[1] <= self.height or size <= floor:
                break
            size = max(floor, size * 0.9)
        self._trigger_texture.cancel()  # rendered just now: not again next frame


class PayLine(BoxLayout):
    """One line of a payment's breakdown: its label, its amount on the right (payment.kv)."""

    label = StringProperty("")
    value = StringProperty("")


class TextLine(Label):
    """A wrapped line of text in a list."""


class StatusChip(Label):
    """A device or network indicator."""

    ok = BooleanProperty(True)


class TableRow(BoxLayout):
    """One row of a result table: one label per cell."""

    cells = ListProperty()
    header = BooleanProperty(False)
    alert = BooleanProperty(False)
    """A row the citizen must notice (欠缴, 异常 …): tinted, bold."""
    total = BooleanProperty(False)
    """The totals row."""

    def __init__(self, **kwargs: object) -> None:
        cells = kwargs.pop("cells", None)
        super().__init__(**kwargs)
        if cells is not None:
            self.cells = cells

    def on_cells(self, *_: object) -> None:
        """Rebuild the cell labels."""
        from kivy.factory import Factory as F

        views = self.children[::-1]
        if len(views) == len(self.cells):
            # in place: a rebuilt widget leaves its kv bindings on `app` behind until
            # the next change of app.scale/app.hc, so churn would grow memory
            for view, c in zip(views, self.cells):
                view.text = str(c)
                view.bold = self.header or self.alert or self.total
            return
        self.clear_widgets()
        for c in self.cells:
            self.add_widget(F.TableCell(text=str(c), bold=self.header or self.alert or self.total))

    def on_alert(self, *_: object) -> None:
        """Bold cells for a row that needs attention."""
        for view in self.children:
            view.bold = self.header or self.alert or self.total

    on_total = on_alert


class FaceButton(ButtonBehavior, BoxLayout):
    """One of the five 好差评 faces."""

    level = StringProperty("")
    face = NumericProperty(0)
    text = StringProperty("")
    selected = BooleanProperty(False)


class Layers(FloatLayout):
    """Stacked children of which only the visible ones (opacity > 0) are in the tree.

    A hidden layer is taken out (kept in `hidden_layers`, bindings still live) so it neither
    takes touches nor costs drawing time; it is put back in its place when it shows again.
    Kivy's `disabled` would not do: a disabled widget swallows every touch on its area."""

    def __init__(self, **kwargs: object) -> None:
        self.layers: list[object] = []
        self.hidden_layers: list[object] = []
        super().__init__(**kwargs)

    def add_widget(self, widget: object, *args: object, **kwargs: object) -> None:
        """Register a layer (bottom first) and show it if it is visible."""
        if widget in self.layers:  # re-adding a known layer (from _sync)
            super().add_widget(widget, *args, **kwargs)
            return
        self.layers.append(widget)
        widget.bind(opacity=self._sync)  # type: ignore[attr-defined]
        super().add_widget(widget, *args, **kwargs)
        self._sync()

    def _sync(self, *_: object) -> None:
        shown = [w for w in self.layers if w.opacity > 0]  # type: ignore[attr-defined]
        if shown == self.children[::-1]:
            return
        for w in list(self.children):
            super().remove_widget(w)
        for w in shown:
            super().add_widget(w)
        self.hidden_layers = [w for w in self.layers if w not in shown]


class Overlay(FloatLayout):
    """A layer over every screen showing its view-model while `vm.visible`, modal then."""

    vm = ObjectProperty(None, allownone=True)

    def on_touch_down(self, touch: object) -> bool:
        """Modal while visible, transparent to touches otherwise."""
        if not (self.vm and self.vm.visible):
            return False
        super().on_touch_down(touch)
        return True


class CountdownOverlay(Overlay):
    """ "还需要更多时间吗？" on top of every screen, modal while shown (look in app.kv)."""


class HelpOverlay(Overlay):
    """The 求助 panel over every screen, modal while shown (look in app.kv)."""


class RemoveCardOverlay(Overlay):
    """ "请取走身份证" over everything while a card is left on the reader (look in card_offer.kv);
    modal while shown, plays the chime each time it appears."""

    def on_vm(self, *_: object) -> None:
        """Follow the reminder count (the chime)."""
        if self.vm is not None:
            self.vm.bind(sounds=self._chime)

    def _chime(self, *_: object) -> None:
        from kiosk.ui.sound import play_chime

        if self.vm is not None and self.vm.visible:
            play_chime()


class DevDock(BoxLayout):
    """The demo dock (look in app.kv)."""

    vm = ObjectProperty(None, allownone=True)

    def on_touch_down(self, touch: object) -> bool:
        """Only while shown."""
        if not (self.vm and self.vm.visible):
            return False
        return super().on_touch_down(touch)


class ScreenStack(FloatLayout):
    """Shows exactly one of its screens at a time (a ScreenManager without transitions: a
    screen change is one frame, and never leaves two screens drawn on top of each other)."""

    current = StringProperty("")

    def __init__(self, **kwargs: object) -> None:
        self.screens: list[object] = []
        super().__init__(**kwargs)

    def add_screen(self, screen: object) -> None:
        """Register a screen (shown when `current` names it)."""
        self.screens.append(screen)
        if screen.name == self.current:  # type: ignore[attr-defined]
            self.on_current()

    def has_screen(self, name: str) -> bool:
        """Whether a screen of that name was added."""
        return any(s.name == name for s in self.screens)  # type: ignore[attr-defined]

    @property
    def current_screen(self) -> object | None:
        """The screen on display."""
        return self.children[0] if self.children else None

    def on_current(self, *_: object) -> None:
        """Swap the displayed screen."""
        screen = next((s for s in self.screens if s.name == self.current), None)  # type: ignore[attr-defined]
        if screen is None or screen is self.current_screen:
            return
        self.clear_widgets()
        self.add_widget(screen)


class ModalLayer(FloatLayout):
    """A full-screen layer that takes every touch while `shown` (maintenance, PIN pad)."""

    vm = ObjectProperty(None, allownone=True)
    shown = BooleanProperty(False)
    lang = StringProperty("zh_CN")

    def on_touch_down(self, touch: object) -> bool:
        """Modal while shown, transparent to touches otherwise."""
        if not self.shown:
            return False
        super().on_touch_down(touch)
        return True


class HoldLabel(FitLabel):
    """A label that fires `on_hold` when pressed for `hold_s` seconds without moving away
    (the hidden way into maintenance: nobody presses a hall name for five seconds by chance)."""

    hold_s = NumericProperty(5.0)
    __events__ = ("on_hold",)

    def __init__(self, **kwargs: object) -> None:
        self._hold: object = None
        super().__init__(**kwargs)

    def on_touch_down(self, touch: object) -> bool:
        """Start the hold timer on a touch inside the label."""
        if self.collide_point(*touch.pos):  # type: ignore[attr-defined]
            from kivy.clock import Clock

            self._cancel()
            touch.ud[self] = True  # type: ignore[attr-defined]
            self._hold = Clock.schedule_once(lambda _dt: self._fire(touch), self.hold_s)
        return super().on_touch_down(touch)

    def on_touch_move(self, touch: object) -> bool:
        """Moving off the label cancels the hold."""
        if touch.ud.get(self) and not self.collide_point(*touch.pos):  # type: ignore[attr-defined]
            self._cancel()
        return super().on_touch_move(touch)

    def on_touch_up(self, touch: object) -> bool:
        """Lifting the finger before `hold_s` cancels the hold."""
        if touch.ud.get(self):  # type: ignore[attr-defined]
            self._cancel()
        return super().on_touch_up(touch)

    def _cancel(self) -> None:
        if self._hold is not None:
            self._hold.cancel()  # type: ignore[attr-defined]
            self._hold = None

    def _fire(self, _touch: object) -> None:
        self._hold = None
        self.dispatch("on_hold")

    def on_hold(self) -> None:
        """Default handler (bound in .kv)."""


class PinPadLayer(ModalLayer):
    """The maintenance PIN pad (look in maintenance.kv)."""


class MaintenanceLayer(ModalLayer):
    """The maintenance screen (look in maintenance.kv)."""


class MaintDeviceRow(BoxLayout):
    """One device on the maintenance screen (look in maintenance.kv)."""

    name = StringProperty("")
    state = StringProperty("")
    detail = StringProperty("")
    ok = BooleanProperty(True)


class IndicatorRow(BoxLayout):
    """One indicator of the 好差评 screen (服务效率 …) with its five level chips (rating.kv)."""

    code = StringProperty("")
    text = StringProperty("")
    choices = ListProperty()


class RatingCandidate(Button):
    """A candidate on the 好差评 comment's input-method bar (rating.kv)."""

    slot = NumericProperty(0)

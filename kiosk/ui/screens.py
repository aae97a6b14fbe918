"""One Screen class per session state; each shows its view-model `vm` (layout in assets/kv/)."""
from __future__ import annotations

from kivy.properties import BooleanProperty, ObjectProperty
from kivy.uix.screenmanager import Screen


class _VMScreen(Screen):
    vm = ObjectProperty(None, allownone=True)


class HomeScreen(_VMScreen):
    """Item tiles, filter, clock, indicators, help."""


class ItemScreen(_VMScreen):
    """What the item does and what it needs."""


class IdentifyScreen(_VMScreen):
    """Place the ID card / scan a QR."""


class FormScreen(_VMScreen):
    """Typed fields with keypads, choices and a date picker."""


class ConfirmScreen(_VMScreen):
    """Check before sending."""


class WorkingScreen(_VMScreen):
    """Waiting for central."""


class ResultScreen(_VMScreen):
    """Query table, case number or error."""


class PrintingScreen(_VMScreen):
    """Printing, printed, or the receipt on screen."""


class RatingScreen(_VMScreen):
    """好差评."""


class DoneScreen(_VMScreen):
    """Thanks."""


class PaymentScreen(_VMScreen):
    """Amount, QR, 付款码 hint, countdown; then paid / expired / refunded."""

    portrait = BooleanProperty(True)


class OutOfServiceScreen(_VMScreen):
    """Not serving now."""


SCREENS: dict[str, type[_VMScreen]] = {
    "home": HomeScreen, "item": ItemScreen, "identify": IdentifyScreen, "form": FormScreen,
    "confirm": ConfirmScreen, "working": WorkingScreen, "result": ResultScreen,
    "printing": PrintingScreen, "rating": RatingScreen, "done": DoneScreen,
    "out_of_service": OutOfServiceScreen, "payment": PaymentScreen,
}

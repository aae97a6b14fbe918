"""One Screen class per session state; each shows its view-model `vm` (layout in assets/kv/)."""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, ObjectProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

import kiosk.ui.guide_widgets  # noqa: F401  (registers FlowChart for zhinan.kv)


class _VMScreen(Screen):
    vm = ObjectProperty(None, allownone=True)


class HomeScreen(_VMScreen):
    """Item tiles, filter, clock, indicators, help."""


class CardOfferScreen(_VMScreen):
    """A card was placed on the home screen: what it can serve."""


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


class FaceSection(BoxLayout):
    """One part of the face screen; a hidden part is out of reach of every touch."""

    shown = BooleanProperty(False)

    def on_touch_down(self, touch: Any) -> bool:
        return bool(self.shown) and super().on_touch_down(touch)

    def on_touch_up(self, touch: Any) -> bool:
        return bool(self.shown) and super().on_touch_up(touch)


class FaceScreen(_VMScreen):
    """人证比对: consent, live preview (mirrored, like a mirror), challenge, verdict.

    Frames reach this screen only through its view-model on the UI thread; the texture is
    blanked and dropped as soon as the view-model lets go of the frame."""

    preview_texture = ObjectProperty(None, allownone=True)

    def on_vm(self, _inst: Any, vm: Any) -> None:
        if vm is not None:
            vm.bind(frame_seq=self._show)

    def _show(self, *_: Any) -> None:
        import numpy as np
        from kivy.graphics.texture import Texture

        frame = self.vm.preview if self.vm is not None else None
        tex = self.preview_texture
        if frame is None:
            if tex is not None:  # overwrite the pixels before letting go of the texture
                tex.blit_buffer(
                    bytes(tex.width * tex.height * 3), colorfmt="rgb", bufferfmt="ubyte"
                )
                self.preview_texture = None
            return
        h, w = frame.shape[:2]
        if tex is None or tex.size != (w, h):
            tex = Texture.create(size=(w, h), colorfmt="rgb")
        # Kivy textures start at the bottom row; mirrored so the citizen sees a mirror image
        tex.blit_buffer(
            np.ascontiguousarray(frame[::-1, ::-1]).tobytes(), colorfmt="rgb", bufferfmt="ubyte"
        )
        self.preview_texture = None
        self.preview_texture = tex


class GuideScreen(_VMScreen):
    """我要办什么: roots, questions with big answer buttons, breadcrumbs (issue 23)."""


class ZhinanScreen(_VMScreen):
    """办事指南 with its flow chart (kiosk.ui.guide_widgets.FlowChart); printable."""


class PolicyScreen(_VMScreen):
    """The policy library: category chips, search with the input method, policies."""


SCREENS: dict[str, type[_VMScreen]] = {
    "home": HomeScreen,
    "card_offer": CardOfferScreen,
    "item": ItemScreen,
    "identify": IdentifyScreen,
    "form": FormScreen,
    "confirm": ConfirmScreen,
    "working": WorkingScreen,
    "result": ResultScreen,
    "printing": PrintingScreen,
    "rating": RatingScreen,
    "done": DoneScreen,
    "out_of_service": OutOfServiceScreen,
    "payment": PaymentScreen,
    "face": FaceScreen,
    "guide": GuideScreen,
    "zhinan": ZhinanScreen,
    "policy": PolicyScreen,
}

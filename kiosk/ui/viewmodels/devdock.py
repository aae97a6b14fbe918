"""The demo dock (F12, demo config only): drives the running simulators and the network."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import Any

from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, StringProperty

log = logging.getLogger(__name__)

CARDS = {"mainland": "mainland", "hmt": "hk_mo_tw", "foreigner": "foreign_2023"}


class DevDockViewModel(EventDispatcher):
    """Buttons that act on `drivers.sim.running[...]` exactly as a citizen's hand would."""

    visible = BooleanProperty(False)
    network_up = BooleanProperty(True)
    paper = BooleanProperty(True)
    last = StringProperty("")
    face_person = StringProperty("astronaut")
    camera_plugged = BooleanProperty(True)

    def __init__(
        self,
        set_network: Callable[[bool], None] | None = None,
        pay_phone: Callable[[], str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._set_network = set_network
        self._pay_phone = pay_phone

    @staticmethod
    def _sim(kind: str) -> Any:
        from drivers.sim import running

        return running.get(kind)

    def toggle(self) -> None:
        """Show or hide the dock (F12)."""
        self.visible = not self.visible

    def place_card(self, kind: str) -> None:
        """Put a demo card (mainland, hmt, foreigner) on the simulated reader."""
        sim = self._sim("idcard")
        if sim is None:
            self.last = "no idcard simulator"
            return
        sim.remove()
        sim.insert(CARDS[kind])
        self.last = f"card: {kind}"

    def unreadable_card(self) -> None:
        """Put a card whose ID number fails its check digit (the reader refuses it)."""
        from drivers.sim.idcard import DEMO_MAINLAND

        sim = self._sim("idcard")
        if sim is None:
            return
        bad = DEMO_MAINLAND.id_number[:-1] + ("1" if DEMO_MAINLAND.id_number[-1] != "1" else "2")
        sim.remove()
        sim.insert(dataclasses.replace(DEMO_MAINLAND, id_number=bad))
        self.last = "card: unreadable"

    def remove_card(self) -> None:
        """Take the card away."""
        sim = self._sim("idcard")
        if sim is not None:
            sim.remove()

    def scan(self, text: str) -> None:
        """Scan a code on the simulated scanner."""
        sim = self._sim("scanner")
        if sim is not None:
            sim.scan(text)
            self.last = f"scan: {text}"

    def toggle_sscard(self) -> None:
        """Insert the demo 社保卡 into the simulated PC/SC reader, or pull it out."""
        sim = self._sim("sscard")
        if sim is None:
            self.last = "no sscard simulator"
            return
        if sim.inserted:
            sim.remove()
            self.last = "sscard out"
        else:
            sim.insert("demo")
            self.last = "sscard in"

    def show_app_code(self, kind: str = "e_sscard") -> None:
        """出示电子社保卡: the embedded sandbox mints a fresh demo code, the scanner reads it."""
        import requests
        from kivy.app import App

        app = App.get_running_app()
        sandbox = getattr(getattr(app, "services", None), "sandbox", None)
        sim = self._sim("scanner")
        if sandbox is None or sim is None:
            self.last = "no sandbox / scanner"
            return
        try:
            code = requests.post(
                sandbox.url + "/sandbox/identity/codes", json={"kind": kind}, timeout=5
            ).json()["code"]
        except (requests.RequestException, ValueError, KeyError) as exc:
            self.last = f"no code: {type(exc).__name__}"
            return
        sim.scan(code)
        self.last = f"scan: {kind} code"  # the code itself is never shown or logged

    def toggle_paper(self) -> None:
        """Take the paper away / put it back."""
        sim = self._sim("printer")
        if sim is None:
            return
        self.paper = not self.paper
        sim.paper = "ok" if self.paper else "out"
        self.last = "paper in" if self.paper else "paper out"

    def pay_with_phone(self) -> None:
        """用手机支付: the sandbox pays the order on screen, as a phone scanning its QR would."""
        self.last = self._pay_phone() if self._pay_phone is not None else "no payments"

    def show_payment_code(self) -> None:
        """出示付款码: a demo 付款码 read by the simulated scanner (the sandbox accepts it)."""
        from kiosk.payment.demo import DEMO_PAYMENT_CODE

        sim = self._sim("scanner")
        if sim is not None:
            sim.scan(DEMO_PAYMENT_CODE)
            self.last = "scan: payment code"  # the code itself is never shown or logged

    def toggle_network(self) -> None:
        """Cut / restore the network to central."""
        self.network_up = not self.network_up
        if self._set_network is not None:
            self._set_network(self.network_up)
        self.last = "network up" if self.network_up else "network cut"

    # ---- camera (人证比对) ----

    def face_act(self, action: str = "") -> None:
        """The person in front of the camera does what the screen asks (or `action`)."""
        sim = self._sim("camera")
        if sim is None:
            self.last = "no camera simulator"
            return
        if not action:
            from kivy.app import App

            app = App.get_running_app()
            flow = app.engine.session.face if app is not None and app.engine else None
            challenge = getattr(getattr(flow, "challenge", None), "value", "blink")
            action = {"turn_left": "left", "turn_right": "right"}.get(challenge, "blink")
        import threading

        # building the frames takes about a second: not on the UI thread
        threading.Thread(target=sim.perform, args=(action,), daemon=True).start()
        self.last = f"camera: {action}"

    def toggle_face_person(self) -> None:
        """Someone else (Grace Hopper's photo) steps in front of the camera, or back."""
        sim = self._sim("camera")
        if sim is None:
            return
        self.face_person = "grace_hopper" if self.face_person == "astronaut" else "astronaut"
        import threading

        threading.Thread(target=sim.set_source, args=(self.face_person,), daemon=True).start()
        self.last = f"camera: {self.face_person}"

    def toggle_camera(self) -> None:
        """Pull the camera's USB cable / plug it back in."""
        sim = self._sim("camera")
        if sim is None:
            return
        self.camera_plugged = not self.camera_plugged
        (sim.replug if self.camera_plugged else sim.unplug)()
        self.last = "camera plugged in" if self.camera_plugged else "camera unplugged"

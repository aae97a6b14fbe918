"""Wiring voice into the running app: the controller, the speaker thread, the voice panel and
the 语音导办 band (assets/kv/voice.kv), the touch hook of 双击确认, the keypad and the headphone
poll. kiosk.ui.app calls build() before the first screen, attach() after the first frame and
close() on stop."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.properties import ObjectProperty
from kivy.uix.floatlayout import FloatLayout

from kiosk.voice.controller import VoiceController
from kiosk.voice.guide import Guide
from kiosk.voice.jack import Headphones
from kiosk.voice.player import Speaker
from kiosk.voice.tts import Synthesizer

log = logging.getLogger(__name__)

HEADPHONE_POLL_S = 2.0


class VoicePanel(FloatLayout):
    """The voice settings over the screen: modal while open."""

    voice = ObjectProperty(None, allownone=True)

    def on_touch_down(self, touch: Any) -> bool:
        if not (self.voice and self.voice.panel_open):
            return False
        super().on_touch_down(touch)
        return True


class GuideBand(FloatLayout):
    """语音导办's big buttons along the bottom; touches elsewhere reach the screen."""

    voice = ObjectProperty(None, allownone=True)
    guide = ObjectProperty(None, allownone=True)

    def on_touch_down(self, touch: Any) -> bool:
        if not (self.voice and self.voice.guide):
            return False
        return bool(super().on_touch_down(touch))


def cache_dir(cfg: Any) -> Path:
    """Where phrases are cached (in the data dir, 0700)."""
    path = cfg.resolve(cfg.voice.cache_dir, base="data")
    assert path is not None
    return Path(path)


def build(app: Any) -> VoiceController:
    """The controller for the app's engine (before the first screen is built: kv binds to it)."""
    cfg = app.cfg
    vc = cfg.voice
    speaker = Speaker(Synthesizer(cache_dir(cfg), binary=vc.engine or None))
    voice = VoiceController(
        app.engine,
        speaker,
        vms=app.vm,
        headphones=Headphones(vc.headphones),
        default_volume=vc.volume,
        elderly_speaks=vc.elderly_speaks,
        enabled_default=vc.enabled,
        earcons=vc.earcons,
    )
    voice.guide_nav = Guide(app, voice)
    voice.poll_headphones()
    return voice


def attach(app: Any, voice: VoiceController) -> None:
    """After the first frame: the panel and band over the screens, touch/key hooks, polling."""
    from kivy.core.window import Window
    from kivy.factory import Factory

    from kiosk.ui.app import load_kv

    load_kv(["voice"])
    guide = voice.guide_nav
    band = Factory.GuideBand(voice=voice, guide=guide)
    panel = Factory.VoicePanel(voice=voice)
    app._root.add_widget(band)
    app._root.add_widget(panel)
    guide.own = (panel, band)
    app._root.bind(on_touch_down=guide.intercept_touch)
    Window.bind(on_keyboard=guide.on_key)
    app._events.append(Clock.schedule_interval(voice.poll_headphones, HEADPHONE_POLL_S))


def close(voice: VoiceController | None) -> None:
    """Unhook the keypad and stop the speaker thread."""
    if voice is None:
        return
    from kivy.core.window import Window

    if voice.guide_nav is not None:
        Window.unbind(on_keyboard=voice.guide_nav.on_key)
    voice.speaker.close()

"""When the terminal speaks: the screen's prompt on every screen change (长辈模式, the 语音
toggle or audio-guided mode), the countdown warning, labels in 双击确认 mode; volume and modes
reset when the session ends. Runs on the UI thread; the Speaker does the work elsewhere."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.ui import i18n
from kiosk.voice import earcons, prompts
from kiosk.voice.jack import Headphones
from kiosk.voice.player import Speaker
from kiosk.voice.spoken import holds_personal
from kiosk.voice.tts import Voice

log = logging.getLogger(__name__)

VOLUME_STEP = 0.1
HISTORY = 200


class VoiceController(EventDispatcher):
    """Speaks for the session engine; its properties drive the 语音 button and panel."""

    enabled = BooleanProperty(False)
    """The citizen's 语音 toggle (长辈模式 and audio-guided mode speak regardless)."""
    speaks = BooleanProperty(False)
    """Whether prompts are spoken now."""
    volume = NumericProperty(0.8)
    headphones = BooleanProperty(False)
    read_mine_allowed = BooleanProperty(False)
    """读出我的信息 is offered only with headphones in."""
    double_tap = BooleanProperty(False)
    """双击确认: a first tap reads a button's label, a second one acts (accessibility mode)."""
    guide = BooleanProperty(False)
    """Audio-guided mode (语音导办): linear focus with big buttons or the keypad."""
    panel_open = BooleanProperty(False)
    last_text = StringProperty("")
    """The last phrase spoken (never a personal one: those show as "")."""
    lang = StringProperty("zh_CN")

    def __init__(
        self,
        engine: Any,
        speaker: Speaker,
        *,
        vms: Any = None,
        headphones: Headphones | None = None,
        default_volume: float = 0.8,
        elderly_speaks: bool = True,
        enabled_default: bool = False,
        earcons: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.engine = engine
        self.speaker = speaker
        self.vms = vms
        self.jack = headphones or Headphones("absent")
        self.default_volume = default_volume
        self.elderly_speaks = elderly_speaks
        self.enabled_default = enabled_default
        self.earcons = earcons
        self.guide_nav: Any = None
        """kiosk.voice.guide.Guide once the app is attached (focus reset on a new screen)."""
        self._sounds: dict[str, bool] = {}
        self.history: list[tuple[str, str]] = []
        """(screen, phrase) spoken, newest last; personal phrases are recorded as "<personal>"."""
        self.withheld = 0
        self._screen = ""
        self._phase = ""
        self._reminder = False
        self._countdown = False
        self._ended = engine.sessions_ended
        self._elderly = engine.elderly
        self.enabled = enabled_default
        self.volume = speaker.volume = default_volume
        self.bind(volume=lambda *_: setattr(self.speaker, "volume", self.volume))
        engine.subscribe(self.on_engine)
        self._update_speaks()

    # ---- what the engine does ----

    def on_engine(self, engine: Any) -> None:
        """After every engine change (UI thread)."""
        if engine.sessions_ended != self._ended:
            self._ended = engine.sessions_ended
            self.reset()
        self.lang = engine.lang
        self._update_speaks()
        screen = engine.state.value
        elderly_now = engine.elderly and not self._elderly
        self._elderly = engine.elderly
        self._earcons(engine)
        phase = prompts.phase(screen, engine)
        if screen != self._screen or phase != self._phase or elderly_now:
            if screen != self._screen and self.guide_nav is not None:
                self.guide_nav.reset()
            self._screen, self._phase = screen, phase
            self._countdown = False
            if self.speaks:
                self.say_prompt()
        reminder = getattr(self.vms, "remove_card", None) if self.vms is not None else None
        if reminder is not None:  # 请取走身份证: said as well as shown (and chimed)
            if reminder.visible and not self._reminder and self.speaks:
                self.say(f"{reminder.text}。{reminder.detail}", what="remove_card")
            self._reminder = bool(reminder.visible)
        showing = engine.countdown_remaining is not None
        if showing and not self._countdown and self.speaks:
            self.say(prompts.countdown(engine), what="countdown")
        self._countdown = showing

    def _earcons(self, engine: Any) -> None:
        """Card read, scan read, error, printing done: one short sound each, as it happens."""
        s = engine.session
        now = {
            "card_read": s.holder is not None,
            "scan_read": bool(s.qr_token),
            "print_done": s.print_state == "printed",
            "error": bool(s.outcome is not None and s.outcome.error) or s.print_state == "failed",
        }
        if self.earcons:
            for name, on in now.items():
                if on and not self._sounds.get(name):
                    self.speaker.play_file(earcons.path(name))
        self._sounds = now

    def _update_speaks(self) -> None:
        self.speaks = bool(
            self.enabled or self.guide or (self.elderly_speaks and self.engine.elderly)
        )
        self.read_mine_allowed = self.headphones

    def say_prompt(self) -> None:
        """Speak the current screen's prompt (重听)."""
        text = prompts.prompt(self.engine.state.value, self.engine, self.vms)
        self.say(text, what=self.engine.state.value)

    # ---- speaking ----

    def voice(self) -> Voice:
        """The voice for the engine's language; slower in 长辈模式."""
        return Voice(self.engine.lang, slow=bool(self.engine.elderly))

    def say(
        self,
        text: str,
        *,
        what: str = "",
        personal: bool = False,
        on_started: Callable[[float], None] | None = None,
    ) -> bool:
        """Speak a phrase unless it carries personal data the citizen did not ask to hear."""
        if not text:
            return False
        if holds_personal(text, self.engine.personal_data()) and not (personal and self.headphones):
            self.withheld += 1
            log.warning(
                "voice: a phrase for %s was withheld: it carries personal data", what or "?"
            )
            return False
        self.history = (self.history + [(what, "<personal>" if personal else text)])[-HISTORY:]
        self.last_text = "" if personal else text
        self.speaker.say(text, self.voice(), keep=not personal, on_started=on_started)
        return True

    def read_mine(self) -> bool:
        """读出我的信息: the holder's name and ID number, into the headphones only."""
        if not self.headphones:
            self.say(i18n.t("voice.read_mine_needs_headphones", self.engine.lang), what="read_mine")
            return False
        return self.say(prompts.read_mine(self.engine), what="read_mine", personal=True)

    def label_tapped(self, label: str) -> None:
        """双击确认: the first tap on a button speaks its label."""
        self.say(i18n.t("voice.tap_again", self.engine.lang, label=label), what="label")

    # ---- the citizen's controls ----

    def toggle(self) -> None:
        """The 语音 button: voice on/off (turning it on speaks the screen at once)."""
        self.enabled = not self.enabled
        self._update_speaks()
        if self.speaks:
            self.say_prompt()
        else:
            self.speaker.stop()
        self.engine.touch()

    def open_panel(self) -> None:
        """The 语音 button: voice on (the screen spoken at once) and its settings open (volume,
        双击确认, 语音导办, 读出我的信息)."""
        self.panel_open = True
        self.engine.touch()
        if not self.speaks:
            self.enabled = True
            self._update_speaks()
            text = prompts.prompt(self.engine.state.value, self.engine, self.vms)
            self.say(i18n.t("voice.opened", self.engine.lang) + text, what=self.engine.state.value)

    def close_panel(self) -> None:
        """Close the voice settings."""
        self.panel_open = False

    def louder(self) -> None:
        """Volume up one step (and say so, at the new volume)."""
        self.volume = round(min(1.0, self.volume + VOLUME_STEP), 2)
        self._say_volume()

    def softer(self) -> None:
        """Volume down one step."""
        self.volume = round(max(0.1, self.volume - VOLUME_STEP), 2)
        self._say_volume()

    def _say_volume(self) -> None:
        self.engine.touch()
        self.say(
            i18n.t("voice.volume_now", self.engine.lang, n=int(round(self.volume * 100))),
            what="volume",
        )

    def toggle_double_tap(self) -> None:
        """双击确认 on/off."""
        self.double_tap = not self.double_tap
        self.engine.touch()
        self.say(
            i18n.t(
                "voice.double_tap_on" if self.double_tap else "voice.double_tap_off",
                self.engine.lang,
            ),
            what="double_tap",
        )

    def set_guide(self, on: bool) -> None:
        """语音导办 on/off."""
        self.guide = bool(on)
        self.panel_open = False
        self._update_speaks()
        self.engine.touch()
        if self.guide:
            self.say(i18n.t("voice.guide_on", self.engine.lang), what="guide")

    def poll_headphones(self, *_: object) -> None:
        """Every few seconds: headphones in → offer 语音导办 (spoken); out → modes off."""
        now = self.jack.present()
        if now == self.headphones:
            return
        self.headphones = now
        self._update_speaks()
        if now:
            self.say(i18n.t("voice.headphones_in", self.engine.lang), what="headphones")
        else:
            self.guide = False
            self._update_speaks()

    def reset(self) -> None:
        """The session ended: volume, toggle and modes back to the terminal's defaults."""
        self.speaker.stop()
        self.enabled = self.enabled_default
        self.volume = self.default_volume
        self.double_tap = self.guide = self.panel_open = False
        self.last_text = ""
        self._update_speaks()
        log.debug("voice reset for the next session")

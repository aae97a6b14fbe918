"""Voice on the real app: every screen's prompt spoken (real espeak-ng, WAV checked), a print
item finished by audio alone (语音导办 with headphones), 双击确认, the countdown warning,
读出我的信息 only into headphones, and volume and modes reset when the session ends."""

from __future__ import annotations

import time
from typing import Any

from kiosk.session.states import State
from kiosk.voice.jack import Headphones
from tests.kiosk.ui.harness import KioskTestCase
from tests.kiosk.voice.audio import assert_speech

PRINT_ITEM = "RS-0101"  # 社保参保缴费证明打印: ID card, A4 certificate


class FakeClock:
    def __init__(self) -> None:
        self.t = time.monotonic()

    def __call__(self) -> float:
        return self.t


class VoiceFlowTest(KioskTestCase):
    """The kiosk speaking, on the simulators and the sandbox."""

    def spoken(self, screen: str | None = None) -> list[str]:
        return [t for w, t in self.app.voice.history if screen is None or w == screen]

    def assert_wav(self, text: str) -> None:
        """The phrase was synthesised by the real engine into the cache, as audible speech."""
        v = self.app.voice
        assert v.speaker.idle(20), "speaker still busy"
        assert text in self.spoken(), f"never asked to speak: {text!r}"
        path = v.speaker.synth.cached(text, v.voice())
        if path is None:
            # A newer screen's prompt replaced this one before its turn (the player keeps only
            # the newest): synthesise the same phrase with the same engine to check it is speech.
            path = v.speaker.synth.speak_to_file(text, v.voice())
        assert_speech(path, 0.8, 40.0)

    def press_guide(self, label: str) -> None:
        """Tap one of the 语音导办 band's big buttons (by touch, like the citizen)."""
        band = next(w for w in self.root.children if type(w).__name__ == "GuideBand")
        self.tap(next(w for w in band.walk() if getattr(w, "text", None) == label))

    def choose(self, wanted: str, limit: int = 40) -> None:
        """Listen through the focus list with 下一项 until `wanted` is read, then 确认."""
        for _ in range(limit):
            self.press_guide("下一项")
            if wanted in self.spoken("guide")[-1]:
                self.press_guide("确认")
                self.frames(3)
                return
        raise AssertionError(f"{wanted!r} never read; last: {self.spoken('guide')[-3:]}")

    def test_print_item_by_audio_alone_speaks_every_screen(self) -> None:
        self.start_app()
        eng, v, sims = self.engine, self.app.voice, self.sims()
        sims["idcard"].remove()
        self.wait_until(lambda: not eng.card.left and not eng.card.probing, what="card taken")
        v.jack = Headphones("present")
        v.poll_headphones()
        assert v.headphones and "耳机" in self.spoken("headphones")[-1]
        eng.set_elderly(True)
        self.frames(3)
        home = self.spoken("home")[-1]
        assert home.startswith("欢迎使用")
        self.assert_wav(home)
        v.set_guide(True)
        self.frames(3)
        item = eng.catalogue.item(PRINT_ITEM)
        for _ in range(4):  # the tile may be on a later page: 下一页 is in the list too
            if item.name_zh in [t["name"] for t in self.app.vm.home.tiles]:
                break
            self.choose("下一页")
        self.choose(item.name_zh)
        assert eng.state == State.ITEM
        assert self.spoken("guide")[-1].startswith("第1项，")  # 语音导办 lists the items first
        assert self.spoken("item")[-1].startswith(item.name_zh)
        self.choose("开始办理")
        assert eng.state == State.IDENTIFY
        assert "身份证" in self.spoken("identify")[-1]
        sims["idcard"].insert("mainland")
        self.wait_until(lambda: eng.state != State.IDENTIFY, what="card read")
        if eng.state == State.FACE:  # not this item; kept in case the catalogue asks for it
            eng.face_passed("FV-VOICE")
            eng.face_continue()
        self.frames(3)
        personal = list(eng.personal_data())
        assert personal, "the card's data is in the session"
        for _ in range(6):
            if eng.state == State.FORM:
                assert "填写" in self.spoken("form")[-1]
                self.choose("下一步")
            elif eng.state == State.CONFIRM:
                self.choose(self.app.vm.confirm.confirm_text)
            elif eng.state == State.WORKING:
                self.wait_until(lambda: eng.state != State.WORKING, timeout=15, what="central")
            else:
                break
        if eng.state == State.RESULT:  # a receipt item: the result first, then 打印
            self.assert_wav(self.spoken("result")[-1])
            self.choose("打印")
        assert eng.state == State.PRINTING, (eng.state, eng.session.errors)
        self.wait_until(
            lambda: eng.session.print_state in ("printed", "failed"), timeout=30, what="printer"
        )
        self.frames(3)
        assert eng.session.print_state == "printed"
        assert self.spoken("printing")[0] == "正在打印，请稍候。"
        printed = self.spoken("printing")[-1]
        assert printed.startswith("打印完成"), self.spoken("printing")
        self.assert_wav(printed)
        self.choose("完成")
        assert eng.state == State.RATING
        self.assert_wav(self.spoken("rating")[-1])
        self.choose("非常满意")
        self.choose("提交评价")
        assert eng.state == State.DONE
        self.assert_wav(self.spoken("done")[-1])
        screens = {w for w, _ in v.history}
        assert {"home", "item", "identify", "form", "printing", "rating", "done"} <= screens
        # no personal data was spoken (nor synthesised) by default
        said = " ".join(self.spoken())
        for p in personal:
            assert p not in said
        assert v.withheld == 0

    def test_voice_button_speaks_and_volume_and_modes_reset(self) -> None:
        self.start_app()
        eng, v = self.engine, self.app.voice
        assert not v.speaks and not eng.elderly
        self.tap("语音")
        self.frames(3)
        assert v.speaks and v.panel_open
        assert self.spoken("home")[-1].startswith("语音已打开。欢迎使用")
        self.tap("音量 ＋")
        self.tap("音量 ＋")
        assert v.volume == 1.0 and v.speaker.volume == 1.0
        assert self.spoken("volume")[-1] == "音量百分之100。"
        self.find("音量 100%")
        self.tap(self.app.t("voice.double_tap_button"))
        assert v.double_tap
        self.tap("关闭")
        assert not v.panel_open
        eng.select(eng.catalogue.item(PRINT_ITEM).code)
        self.frames(3)
        assert eng.state == State.ITEM
        self.tap("开始办理")  # 双击确认: the first tap reads the label
        assert eng.state == State.ITEM
        assert self.spoken("label")[-1] == "开始办理。再按一次确认。"
        self.tap("开始办理")
        assert eng.state == State.IDENTIFY
        eng.cancel()
        self.frames(3)
        assert v.volume == 0.8 and v.speaker.volume == 0.8
        assert not v.enabled and not v.double_tap and not v.guide and not v.speaks
        self.find("语音")

    def test_countdown_warning_is_spoken(self) -> None:
        clock = FakeClock()
        self.start_app(clock=clock)
        eng = self.engine
        eng.set_elderly(True)
        eng.select(eng.catalogue.item(PRINT_ITEM).code)
        self.frames(3)
        clock.t += eng.state_timeout() + 1
        self.app.vm.tick()
        self.frames(3)
        assert eng.countdown_remaining is not None
        warning = self.spoken("countdown")[-1]
        assert warning.startswith("您还需要更多时间吗？") and "秒后将结束办理" in warning
        self.assert_wav(warning)

    def test_read_mine_only_with_headphones_and_never_cached(self) -> None:
        self.start_app()
        eng, v, sims = self.engine, self.app.voice, self.sims()
        sims["idcard"].remove()
        self.wait_until(lambda: not eng.card.left and not eng.card.probing, what="card taken")
        eng.select(eng.catalogue.item(PRINT_ITEM).code)
        eng.proceed()
        sims["idcard"].insert("mainland")
        self.wait_until(lambda: eng.session.holder is not None, what="card read")
        v.toggle()
        assert not v.read_mine()  # no headphones: refused, and said why
        assert "耳机" in self.spoken("read_mine")[-1]
        idno = eng.session.holder.id_number
        # a prompt that would carry the ID number is withheld, and never synthesised
        misses = v.speaker.synth.misses
        assert not v.say(f"您的身份证号是{idno}", what="test")
        assert v.withheld == 1 and v.speaker.synth.misses == misses
        v.jack = Headphones("present")
        v.poll_headphones()
        assert v.speaker.idle(20)
        cache: Any = v.speaker.synth.cache_dir
        before = set(cache.glob("*.wav"))
        assert v.read_mine()
        assert self.spoken("read_mine")[-1] == "<personal>" and v.last_text == ""
        assert v.speaker.idle(20)
        assert set(cache.glob("*.wav")) == before  # the personal phrase left no file behind
        eng.cancel()
        self.frames(2)
        assert not v.headphones or v.read_mine_allowed  # headphones stay; modes reset
        assert not v.guide and v.volume == 0.8

    def test_keypad_drives_the_guide_and_the_volume(self) -> None:
        from kivy.core.window import Window

        self.start_app()
        eng, v = self.engine, self.app.voice
        v.jack = Headphones("present")
        v.poll_headphones()
        v.set_guide(True)
        Window.dispatch("on_keyboard", 262, 0, "6", [])  # keypad 6: next
        first = self.spoken("guide")[-1]
        assert first.startswith("第1项，") and eng.catalogue is not None
        Window.dispatch("on_keyboard", 270, 0, "+", [])  # keypad +: louder
        assert v.volume == 0.9
        Window.dispatch("on_keyboard", 261, 0, "5", [])  # keypad 5: confirm
        self.frames(3)
        assert eng.state == State.ITEM
        eng.cancel()
        self.frames(2)
        assert v.volume == 0.8 and not v.guide

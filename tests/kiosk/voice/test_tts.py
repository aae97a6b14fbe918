"""The real speech engine (espeak-ng, installed by make): WAV content, cache, file modes."""

from __future__ import annotations

import stat
from pathlib import Path

from kiosk.voice.tts import Synthesizer, Voice
from tests.kiosk.voice.audio import assert_speech


def test_mandarin_phrase_is_speech_and_cached(tmp_path: Path) -> None:
    synth = Synthesizer(tmp_path / "voice-cache")
    assert synth.available(), "espeak-ng missing: make setup installs it"
    text = "请把身份证放在读卡区。"
    path = synth.speak_to_file(text, Voice("zh_CN"))
    f = assert_speech(path, 1.0, 8.0)
    assert synth.misses == 1
    again = synth.speak_to_file(text, Voice("zh_CN"))
    assert again == path and synth.hits == 1 and synth.misses == 1  # a repeat costs nothing
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    slow = synth.speak_to_file(text, Voice("zh_CN", slow=True))
    assert slow != path and assert_speech(slow)["duration_s"] > f["duration_s"] * 1.1


def test_english_voice(tmp_path: Path) -> None:
    synth = Synthesizer(tmp_path)
    assert_speech(synth.speak_to_file("Place your ID card on the reader.", Voice("en")), 1.0, 8.0)


def test_personal_phrase_never_reaches_the_cache(tmp_path: Path) -> None:
    synth = Synthesizer(tmp_path / "c")
    path = synth.speak_to_file("姓名张三", Voice("zh_CN"), keep=False)
    try:
        assert tmp_path not in path.parents and stat.S_IMODE(path.stat().st_mode) == 0o600
        assert_speech(path, 0.5)
        assert not list((tmp_path / "c").glob("*")) if (tmp_path / "c").exists() else True
    finally:
        path.unlink(missing_ok=True)


def test_missing_engine_is_a_clear_error(tmp_path: Path) -> None:
    import pytest

    from kiosk.voice.errors import EngineMissing

    synth = Synthesizer(tmp_path, binary=str(tmp_path / "no-espeak"))
    with pytest.raises(EngineMissing, match="espeak-ng"):
        synth.speak_to_file("你好", Voice())

"""Every screen's prompt, in both languages, through the real engine: written for the ear (no
symbols the engine would spell out), audible, and of a length a citizen waits for."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from kiosk.ui import i18n
from kiosk.voice import prompts
from kiosk.voice.tts import Synthesizer, Voice
from tests.kiosk.voice.audio import assert_speech

ITEM = SimpleNamespace(
    name=lambda lang: (
        "社保缴费明细查询" if lang != "en" else "Social insurance contribution details"
    )
)


def engine(lang: str, **session: object) -> SimpleNamespace:
    s = SimpleNamespace(**{"outcome": None, "print_state": "", "holder": None, **session})
    return SimpleNamespace(
        lang=lang, item=ITEM, session=s, payment=None, countdown_remaining=20, state=None
    )


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synthesizer:
    return Synthesizer(tmp_path_factory.mktemp("voice-cache"))


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@pytest.mark.parametrize("screen", prompts.SCREENS)
def test_every_screen_has_a_spoken_prompt(screen: str, lang: str, synth: Synthesizer) -> None:
    vms = SimpleNamespace(out_of_service=SimpleNamespace(reason_text=""))
    text = prompts.prompt(screen, engine(lang), vms)
    assert text and "{" not in text, text
    assert not re.search(r"[<>_*#@/\\|]", text), f"symbols the engine would read out: {text}"
    if lang == "zh_CN":
        assert re.search(r"[\u4e00-\u9fff]", text)
    slow = lang == "zh_CN"  # 长辈模式's rate for Mandarin, the normal rate for English
    f = assert_speech(synth.speak_to_file(text, Voice(lang, slow=slow)), 0.8, 25.0)
    assert f["duration_s"] <= 25.0


def test_case_number_prompt_reads_digits() -> None:
    out = SimpleNamespace(
        error="",
        submitted=SimpleNamespace(case_no="610900-20261125-000001", provisional=False),
        answer=None,
    )
    text = prompts.prompt("result", engine("zh_CN", outcome=out))
    assert "六一零九零零， 二零二六一一二五， 零零零零零一" in text
    assert "610900" not in text


def test_countdown_and_keys_exist_in_both_languages() -> None:
    for lang in ("zh_CN", "en"):
        keys = {k for k in i18n.table(lang) if k.startswith("voice.")}
        assert {"voice.countdown", "voice.read_mine", "voice.guide_item"} <= keys
    assert i18n.table("zh_CN").keys() & {k for k in i18n.table("en") if k.startswith("voice.")} == {
        k for k in i18n.table("en") if k.startswith("voice.")
    }
    assert "22" in prompts.countdown(SimpleNamespace(lang="zh_CN", countdown_remaining=21.6))


def test_prompt_files_are_cached_once(synth: Synthesizer, tmp_path: Path) -> None:
    text = prompts.prompt("home", engine("zh_CN"))
    before = synth.misses
    synth.speak_to_file(text, Voice("zh_CN"))
    synth.speak_to_file(text, Voice("zh_CN"))
    assert synth.misses - before <= 1

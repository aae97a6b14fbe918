"""The pinyin input method without a window: dictionary, composition, keyboard keys, cache."""

from __future__ import annotations

import os
import pickle
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.ime import Keyboard, candidates
from kiosk.ime import index as ix
from kiosk.ime.index import LazyIndex, PinyinIndex, toneless


@pytest.fixture(scope="module")
def idx() -> PinyinIndex:
    got = ix.shared.wait(120)
    assert got is not None, ix.shared.error
    return got


def kb_for(idx: PinyinIndex) -> Keyboard:
    return Keyboard(index=LazyIndex(lambda: idx))


def typed(kb: Keyboard, keys: str) -> str:
    out = ""
    kb.index.wait(5)
    for k in keys:
        out += kb.press(k).insert
    return out


@given(
    st.sampled_from(
        sorted(
            {
                r
                for v in __import__("pypinyin").pinyin_dict.pinyin_dict.values()
                for r in v.split(",")
            }
        )
    )
)
def test_every_reading_becomes_plain_letters(reading: str) -> None:
    plain = toneless(reading)
    assert plain.isascii() and plain.isalpha(), (reading, plain)


def test_common_words_come_first(idx: PinyinIndex) -> None:
    assert candidates(idx, "shebao")[0].text == "社保"
    assert candidates(idx, "nihao")[0].text == "你好"
    assert candidates(idx, "zhong")[0].text == "中"
    assert "绿" in [c.text for c in candidates(idx, "lv")[:3]]  # ü typed as v
    assert "路灯" in [c.text for c in candidates(idx, "ludeng")[:3]]
    assert all(len(c.text) == 1 or c.consumes for c in candidates(idx, "zh"))  # half a syllable


def test_a_long_run_is_chosen_piece_by_piece(idx: PinyinIndex) -> None:
    kb = kb_for(idx)
    assert typed(kb, "ludengbuliang") == ""
    assert kb.composing() == "lu'deng'bu'liang"
    text = ""
    for word in ("路灯", "不", "亮"):
        slot = [c.text for c in kb.all_candidates()].index(word)
        kb.page = slot // 7
        text += kb.choose(slot % 7).insert
    assert text == "路灯不亮" and kb.composer.letters == ""


def test_keys_space_punctuation_backspace_and_modes(idx: PinyinIndex) -> None:
    kb = kb_for(idx)
    assert typed(kb, "nihao") == ""
    assert kb.press("space").insert == "你好"  # space takes the first candidate
    typed(kb, "shebao")
    assert kb.press("，").insert == "社保，"  # punctuation too, then itself
    typed(kb, "ab")
    assert kb.press("back").delete == 0 and kb.composer.letters == "a"  # the run loses a letter
    kb.press("back")
    assert kb.press("back").delete == 1  # then the field's text does
    typed(kb, "xyz")
    assert kb.press("mode:latin").insert == "xyz"  # switching keeps what was typed
    assert kb.rows()[0][0] == "Q" and typed(kb, "Q") == "Q" and kb.press("space").insert == " "
    kb.press("mode:symbols")
    assert "，" in kb.rows()[1] and typed(kb, "12") == "12"
    assert kb.press("clear").clear


def test_candidate_bar_pages(idx: PinyinIndex) -> None:
    kb = kb_for(idx)
    typed(kb, "shi")
    first = [c.text for c in kb.bar()]
    assert len(first) == 7 and kb.pages() > 1
    kb.press("next")
    assert [c.text for c in kb.bar()] != first and kb.page == 1
    kb.press("prev")
    kb.press("prev")
    assert kb.page == 0


def test_while_the_dictionary_loads_or_fails_letters_still_type() -> None:
    def broken() -> PinyinIndex:
        raise OSError("disk gone")

    kb = Keyboard(index=LazyIndex(broken))
    kb.index.wait(5)
    assert kb.index.error == "disk gone"
    assert typed(kb, "ab") == "ab" and kb.all_candidates() == []


def test_not_built_before_first_use() -> None:
    calls = []
    lazy = LazyIndex(lambda: calls.append(1) or PinyinIndex())
    assert calls == []
    lazy.wait(5)
    assert calls == [1]
    lazy.warm()
    lazy.wait(5)
    assert calls == [1]  # once per process


def test_cache_is_private_and_a_damaged_one_is_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, idx: PinyinIndex
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    built = []
    # the real build takes seconds and is covered above (shared index); count calls here
    monkeypatch.setattr(ix, "build", lambda: built.append(1) or idx)
    first = ix.load()
    path = ix.cache_path()
    assert built == [1] and first.exact("shebao")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert ix.load().exact("shebao") and built == [1]  # from the cache
    path.write_bytes(b"\x80\x05garbage")
    assert ix.load().exact("shebao") and built == [1, 1]  # damaged: rebuilt, not fatal
    assert pickle.loads(path.read_bytes()).exact("shebao")
    os.chmod(path, 0o600)

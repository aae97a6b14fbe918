"""Headphone jack bits (sysfs bitmaps, the EVIOCGSW number) and the shipped earcons."""

from __future__ import annotations

import wave
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from kiosk.voice import earcons
from kiosk.voice.jack import SW_HEADPHONE_INSERT, Headphones, eviocgsw, jack_devices, switch_bits
from tests.kiosk.voice.audio import speech_figures


def test_eviocgsw_matches_linux_input_h() -> None:
    assert eviocgsw(1) == 0x8001451B
    assert eviocgsw(3) == 0x8003451B


@given(st.sets(st.integers(0, 127)))
def test_switch_bitmap_round_trip(bits: set[int]) -> None:
    words = [sum(1 << (b - 64 * i) for b in bits if 64 * i <= b < 64 * (i + 1)) for i in range(2)]
    text = " ".join(f"{w:x}" for w in reversed(words))
    assert switch_bits(text) == bits


def test_jack_found_in_sysfs(tmp_path: Path) -> None:
    # the layout the kernel gives an HDA codec's "Headphone" jack input device
    for n, caps in (("event3", "14"), ("event4", "0")):
        d = tmp_path / n / "device" / "capabilities"
        d.mkdir(parents=True)
        (d / "sw").write_text(caps + "\n")
    assert [p.name for p in jack_devices(tmp_path)] == ["event3"]
    assert SW_HEADPHONE_INSERT in switch_bits("14")


def test_config_flag_decides_without_a_jack(tmp_path: Path) -> None:
    assert Headphones("present", tmp_path).present() is True
    assert Headphones("absent", tmp_path).present() is False
    auto = Headphones("auto", tmp_path)
    assert auto.present() is False and auto.source == "config"


def test_shipped_earcons_are_what_the_code_makes(tmp_path: Path) -> None:
    for name in earcons.EARCONS:
        fresh = earcons.write(name, tmp_path)
        assert fresh.read_bytes() == earcons.path(name).read_bytes(), name
        with wave.open(str(fresh)) as w:
            assert w.getnchannels() == 1 and w.getframerate() == earcons.RATE
        f = speech_figures(fresh)
        assert 0.05 <= f["duration_s"] <= 0.6 and f["peak"] > 0.2, (name, f)
    assert "CC0" in (earcons.SOUNDS_DIR / "LICENSE").read_text()


def test_no_sound_card_means_dummy_output(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    from kiosk.voice import output

    cards = tmp_path / "cards"
    cards.write_text("--- no soundcards ---\n")
    assert not output.has_sound_card(cards)
    cards.write_text(" 0 [PCH            ]: HDA-Intel - HDA Intel PCH\n")
    assert output.has_sound_card(cards)
    assert not output.has_sound_card(tmp_path / "missing")

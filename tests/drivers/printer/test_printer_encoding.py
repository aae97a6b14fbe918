"""Chinese text for the printer: exact GB18030 bytes, placeholders, column widths, wrapping."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from drivers.printer.encoding import (
    PLACEHOLDER,
    encode_line,
    sanitize,
    text_width,
    wrap,
)


def test_fullwidth_punctuation_alone_exact_bytes() -> None:
    # python-escpos 3.1 turns this into b"????"; it must be GB18030.
    assert encode_line("（，。：）").data == bytes.fromhex("a3a8 a3ac a1a3 a3ba a3a9")


def test_chinese_line_exact_bytes() -> None:
    assert encode_line("办件编号：A1").data == bytes.fromhex("b0ec bcfe b1e0 bac5 a3ba 4131")


def test_python_escpos_magic_encode_pitfall() -> None:
    """What plain python-escpos 3.1 sends for punctuation only: '?' and no FS & — why we encode ourselves."""
    from escpos.printer import Dummy

    d = Dummy()
    d.text("（，：）")
    assert b"\x1c&" not in d.output
    assert b"\xa3\xa8" not in d.output


def test_rare_character_replaced_visibly() -> None:
    line = encode_line("王堃𠮷")
    assert line.replaced == 2
    assert line.data == "王".encode("gb18030") + PLACEHOLDER.encode("gb18030") * 2
    assert PLACEHOLDER.encode("gb18030") == b"\xa1\xf5"


def test_control_bytes_cannot_inject_commands() -> None:
    text, n = sanitize("A\x1b@\x1dV\x00B\tC")
    assert n == 3 and "\x1b" not in text and "\x1d" not in text and "\x00" not in text
    assert text == f"A{PLACEHOLDER}@{PLACEHOLDER}V{PLACEHOLDER}B C"


def test_width_counts_cjk_as_two() -> None:
    assert text_width("abc") == 3
    assert text_width("回执") == 4
    assert text_width("（1）") == 5


def test_wrap_keeps_punctuation_off_line_start() -> None:
    assert wrap("证明打印（个人）", 16) == ["证明打印（个人）"]
    assert wrap("社保参保缴费证明打印（个人）", 26) == ["社保参保缴费证明打印（个", "人）"]


def test_wrap_breaks_ascii_at_space() -> None:
    assert wrap("hello world again", 12) == ["hello world", "again"]


def test_wrap_rejects_tiny_width() -> None:
    with pytest.raises(ValueError):
        wrap("x", 1)


def test_receipt_logs_count_not_text(caplog: pytest.LogCaptureFixture) -> None:
    from drivers.printer.receipt import Receipt, render

    with caplog.at_level(logging.WARNING):
        out = render(Receipt("回执", (("姓名", "王堃"),)))
    assert out.replaced == 1
    assert "1 character" in caplog.text and "堃" not in caplog.text and "王" not in caplog.text


_text = hs.text(
    alphabet=hs.sampled_from(list("abc XYZ0189-:/办件编号回执（，。：）查询中心堃𠮷·") + ["\n"]),
    max_size=80,
)


@settings(max_examples=150, deadline=None)
@given(_text, hs.integers(2, 48))
def test_wrap_property(text: str, width: int) -> None:
    clean, _ = sanitize(text.replace("\n", " "))
    lines = wrap(clean, width)
    assert all(text_width(line) <= width for line in lines)
    # nothing lost but spaces at line breaks
    assert "".join(lines).replace(" ", "") == clean.replace(" ", "")


@settings(max_examples=150, deadline=None)
@given(hs.text(max_size=40))
def test_encode_never_fails_and_round_trips_printable(text: str) -> None:
    line = encode_line(text)
    decoded = line.data.decode("gb18030")
    assert len(decoded) == len(text)
    assert line.replaced == sum(
        1 for a, b in zip(text, decoded) if a != b and not (a == "\t" and b == " ")
    )
    line.data.decode("gb2312")  # every byte pair sent is a GB2312 code point: in the printer font


def test_middle_dot_and_dash_print_as_their_gb2312_code_points() -> None:
    """· (U+00B7, minority names: 买买提·艾力) and — are GB2312 A1A4 / A1AA, not □."""
    line = encode_line("买买提·艾力—")
    assert line.replaced == 0
    assert (
        line.data == "买买提".encode("gb2312") + b"\xa1\xa4" + "艾力".encode("gb2312") + b"\xa1\xaa"
    )

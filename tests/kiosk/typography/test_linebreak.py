"""避头尾 line breaking: properties over generated Chinese text, and what a real label shows."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.typography.linebreak import NO_END, NO_START, break_lines, break_paragraph, has_cjk

HAN = st.sampled_from("政务服务自助终端打印证明社保缴费查询办理请选择险种身份证安康市")
CLOSE = st.sampled_from("，。、；：？！）」")


def measure(s: str) -> float:
    """Full-width characters 2 units, the rest 1 (like a CJK font next to Latin)."""
    return float(sum(2 if ord(c) > 0x2E7F else 1 for c in s))


@st.composite
def phrases(draw: st.DrawFn) -> str:
    """Chinese phrases with punctuation, brackets and Latin words as government UI has them."""
    parts = []
    for _ in range(draw(st.integers(1, 12))):
        word = "".join(draw(st.lists(HAN, min_size=1, max_size=6)))
        kind = draw(st.integers(0, 5))
        if kind == 0:
            word = "（" + word + "）"
        elif kind == 1:
            word = word + " " + draw(st.sampled_from(["12345", "ID", "2025-11", "App"])) + " "
        parts.append(word + (draw(CLOSE) if draw(st.booleans()) else ""))
    return "".join(parts)


def _squash(s: str) -> str:
    return s.replace(" ", "")


@settings(max_examples=300, deadline=None)
@given(phrases(), st.integers(8, 40))
def test_breaks_keep_every_character_and_fit(text: str, width: int) -> None:
    lines = break_paragraph(text, width, measure)
    assert _squash("".join(lines)) == _squash(text)
    for line in lines:
        assert line == line.strip(" ")
        # a line may only overflow by hanging closing punctuation, or when it is one
        # unbreakable piece (a long Latin word)
        body = line.rstrip("".join(NO_START) + " ")
        assert measure(body) <= width or " " not in body and not has_cjk(body[:-1])


@settings(max_examples=300, deadline=None)
@given(phrases(), st.integers(8, 40))
def test_no_line_starts_with_closing_or_ends_with_opening(text: str, width: int) -> None:
    lines = break_paragraph(text, width, measure)
    for i, line in enumerate(lines):
        if i > 0:
            assert line[0] not in NO_START, lines
        if i < len(lines) - 1:
            assert line[-1] not in NO_END, lines


@st.composite
def sentences(draw: st.DrawFn) -> str:
    """Chinese words, each maybe followed by one closing punctuation mark."""
    return "".join(
        "".join(w) + p
        for w, p in draw(
            st.lists(
                st.tuples(
                    st.lists(HAN, min_size=1, max_size=6), st.sampled_from(["", "，", "。", "、"])
                ),
                min_size=1,
                max_size=10,
            )
        )
    )


@settings(max_examples=300, deadline=None)
@given(sentences(), st.integers(8, 40))
def test_last_line_is_never_one_lone_character(text: str, width: int) -> None:
    # (with brackets around one character the rules can contradict: 避头尾 then wins)
    lines = break_paragraph(text, width, measure)
    if len(lines) > 1:
        visible = [c for c in lines[-1] if c not in NO_START and not c.isspace()]
        assert len(visible) >= 2, lines


@given(st.lists(phrases(), min_size=1, max_size=4), st.integers(8, 40))
def test_newlines_are_kept(paragraphs: list[str], width: int) -> None:
    lines = break_lines("\n".join(paragraphs), width, measure)
    assert len(lines) >= len(paragraphs)


def test_known_cases() -> None:
    # the examples: a lone 印, a line starting with a comma
    assert break_lines("社保参保缴费证明打印", 18, measure) == ["社保参保缴费证明", "打印"]
    assert break_lines("请拨打热线，谢谢", 10, measure) == ["请拨打热", "线，谢谢"]
    assert break_lines("夜间请拨打 12345 热线", 12, measure) == ["夜间请拨打", "12345 热线"]
    assert break_lines("需要（本人）身份证", 8, measure)[0][-1] != "（"

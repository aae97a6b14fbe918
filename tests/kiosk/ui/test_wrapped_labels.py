"""Every wrapped Kivy label breaks Chinese lines by 避头尾 (kiosk.typography installed on Label)."""

from __future__ import annotations

from kivy.uix.label import Label

import kiosk.ui.widgets  # noqa: F401  (installs the line breaking)
from kiosk.typography.linebreak import NO_START

TEXT = "夜间或节假日请点击求助查看大厅值班电话，或拨打政务服务便民热线12345。工作时间请到服务大厅咨询台找工作人员帮助。"


def lines(label: Label) -> list[str]:
    return ["".join(w.text for w in line.words) for line in label._label._cached_lines]


def rendered(width: int, plain: bool = False) -> list[str]:
    lbl = Label(text=TEXT, font_size=30, text_size=(width, None))
    if plain:
        Label._kiosk_plain_texture_update(lbl)
    else:
        lbl.texture_update()
    return [ln for ln in lines(lbl) if ln]


def test_wrapped_labels_obey_the_rules_where_kivy_alone_does_not() -> None:
    kivy_broke_a_rule = False
    for width in range(120, 700, 9):
        ours = rendered(width)
        assert "".join(ours) == TEXT
        assert all(ln[0] not in NO_START for ln in ours[1:]), (width, ours)
        assert len(ours[-1]) >= 2, (width, ours)
        plain = rendered(width, plain=True)
        kivy_broke_a_rule |= any(ln[0] in NO_START for ln in plain[1:]) or len(plain[-1]) < 2
    assert kivy_broke_a_rule  # the rules are ours: Kivy's own wrapping breaks them somewhere


def test_latin_text_keeps_kivys_word_wrapping() -> None:
    lbl = Label(text="Please take your card and receipt", font_size=30, text_size=(200, None))
    lbl.texture_update()
    assert lbl._label.text == lbl.text

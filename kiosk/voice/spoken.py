"""Text written for the ear: numbers read digit by digit where people read them so (案件号,
身份证号), amounts in 元/角/分, and the guard that keeps personal data out of the speaker."""

from __future__ import annotations

import re
from collections.abc import Iterable

ZH_DIGITS = dict(zip("0123456789", "零一二三四五六七八九", strict=True))
ZH_LETTERS = {"X": "叉"}
"""The ID number's check character X is read 叉 (as staff at a counter read it)."""

ID_NUMBER = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])")
PHONE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


def digits(value: str, lang: str = "zh_CN") -> str:
    """Read a number character by character: 610900-2026 → 六一零九零零，二零二六."""
    groups = [g for g in re.split(r"[\s\-_/]+", value.strip()) if g]
    out = []
    for g in groups:
        if lang == "en":
            out.append(" ".join(("ex" if c in "Xx" else c) for c in g))
        else:
            out.append("".join(ZH_DIGITS.get(c, ZH_LETTERS.get(c.upper(), c)) for c in g))
    return ("， " if lang != "en" else ", ").join(out)


def amount(fen: int, lang: str = "zh_CN") -> str:
    """An amount as people say it: 12元5角 / 12 yuan 50 fen (espeak reads the numbers)."""
    yuan, rest = divmod(abs(int(fen)), 100)
    jiao, f = divmod(rest, 10)
    if lang == "en":
        s = f"{yuan} yuan" + (f" {rest} fen" if rest else "")
        return s
    s = (
        f"{yuan}元"
        + (f"{jiao}角" if jiao else ("零" if f and yuan else ""))
        + (f"{f}分" if f else "")
    )
    return s


def year_digits(text: str, lang: str = "zh_CN") -> str:
    """Years read digit by digit in Mandarin (2026年 → 二零二六年), as people say them."""
    if lang == "en":
        return text
    return re.sub(r"([12][0-9]{3})(?=年)", lambda m: digits(m.group(1)), text)


def spoken_forms(value: str) -> set[str]:
    """The ways a personal value could appear in a phrase: as written and read out by digits."""
    forms = {value}
    if any(c.isdigit() for c in value):
        forms |= {digits(value), digits(value, "en"), value.replace("-", "")}
    return {f for f in forms if len(f) >= 2}


def holds_personal(text: str, personal: Iterable[str]) -> bool:
    """Whether `text` carries personal data: a value of the session, an ID or phone number."""
    if ID_NUMBER.search(text) or PHONE.search(text):
        return True
    return any(form in text for v in personal if v for form in spoken_forms(v))


def clean_for_ear(text: str) -> str:
    """Screen text → speakable text: line breaks and bullets become pauses."""
    text = re.sub(r"[\r\n]+", "。", text)
    text = re.sub(r"[•·▪]", "，", text)
    return re.sub(r"\s{2,}", " ", text).strip()

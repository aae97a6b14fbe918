"""Money as integer fen (分): formatting as ¥400.00 and parsing back; never a float."""

from __future__ import annotations

import re

from kiosk.payment.errors import AmountError

_AMOUNT_RE = re.compile(r"(-?)[¥￥]?([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]{1,2}))?")


YUAN = "¥"
PRINTED_YUAN = "￥"
"""Receipt printers' fonts are GB2312, which has only the full-width yuan sign (U+FFE5)."""


def format_fen(fen: int, *, symbol: bool = True, grouping: bool = False, sign: str = YUAN) -> str:
    """400_00 → "¥400.00" (grouping: "¥1,234.50"); negative amounts get a leading minus."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"fen must be an int, got {type(fen).__name__}")
    minus = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    whole = f"{yuan:,}" if grouping else str(yuan)
    return f"{minus}{sign if symbol else ''}{whole}.{cents:02d}"


def parse_yuan(text: str) -> int:
    """ "¥400.00", "400", "1,234.5" → fen; AmountError for anything else (no floats involved)."""
    if not isinstance(text, str):
        raise AmountError("an amount must be text")
    m = _AMOUNT_RE.fullmatch(text.strip())
    if not m:
        raise AmountError(f"not an amount in yuan: {text[:40]!r}")
    sign, whole, frac = m.groups()
    fen = int(whole.replace(",", "")) * 100 + int((frac or "0").ljust(2, "0"))
    return -fen if sign else fen

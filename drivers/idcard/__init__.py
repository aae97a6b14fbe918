"""Second-generation ID card reader (GA 467 SAM serial protocol): frames, card records, reader."""

from __future__ import annotations

from drivers.idcard.card import CardType, IdCard, is_valid_id_number, parse_text
from drivers.idcard.errors import IdCardError
from drivers.idcard.reader import IdCardReader, ReaderState

__all__ = [
    "CardType",
    "IdCard",
    "IdCardError",
    "IdCardReader",
    "ReaderState",
    "is_valid_id_number",
    "parse_text",
]

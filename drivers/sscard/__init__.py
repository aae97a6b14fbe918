"""社会保障卡 (social security card) over PC/SC: the SSSE application's public records."""

from __future__ import annotations

from drivers.sscard.card import SSCard
from drivers.sscard.errors import SSCardError
from drivers.sscard.reader import ReaderState, SSCardReader, open_transport, read_card

__all__ = ["ReaderState", "SSCard", "SSCardError", "SSCardReader", "open_transport", "read_card"]

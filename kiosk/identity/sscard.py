"""The 社保卡 reader (drivers.sscard) as an event source of the session."""

from __future__ import annotations

import logging
import time
from typing import Any

from kiosk.session.ports import (
    CardHolder,
    CardRead,
    CardUnreadable,
    DeviceState,
    EventSink,
    SSCardSlot,
)

log = logging.getLogger(__name__)

#: Card faults (driver error class) → CardUnreadable.reason → identify problem.
CARD_PROBLEMS = {
    "UnknownCardError": "sscard_unknown",
    "PinRequiredError": "sscard_pin",
    "CardRemovedError": "sscard_removed",
    "MuteCardError": "sscard_mute",
    "CardDataError": "sscard_unreadable",
    "StatusError": "sscard_unreadable",
}


def holder_from_sscard(card: Any) -> CardHolder:
    """drivers.sscard SSCard → the session's CardHolder (method sscard)."""
    valid = card.valid_until.isoformat() if card.valid_until else ""
    return CardHolder(
        name=card.name,
        id_number=card.id_number,
        card_type="mainland",
        sex=card.sex_text,
        valid_to=valid,
        method="sscard",
    )


class SSCardSource:
    """drivers.sscard.SSCardReader (poll thread) → CardRead / CardUnreadable / DeviceState."""

    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self._inserted_at: float | None = None
        """time.monotonic() of the current card's insertion (None: the slot is empty)."""

    def start(self, sink: EventSink) -> None:
        """Attach the callbacks and start polling."""
        from drivers.sscard.errors import NoReaderError, ServiceError
        from drivers.sscard.reader import ReaderState

        def on_card(card: Any) -> None:
            sink(CardRead(holder_from_sscard(card)))

        def on_error(exc: Exception) -> None:
            if isinstance(exc, (NoReaderError, ServiceError)):
                sink(DeviceState("sscard", False, "unreachable"))
            else:
                sink(CardUnreadable(CARD_PROBLEMS.get(type(exc).__name__, "sscard_unreadable")))

        def on_state(old: Any, new: Any) -> None:
            if old is ReaderState.DISCONNECTED and new is not ReaderState.DISCONNECTED:
                sink(DeviceState("sscard", True))
            if new in (ReaderState.IDLE, ReaderState.DISCONNECTED):
                if self._inserted_at is not None:
                    sink(SSCardSlot(False))
                self._inserted_at = None
            elif self._inserted_at is None:
                self._inserted_at = time.monotonic()
                sink(SSCardSlot(True))

        self.reader.on_card(on_card)
        self.reader.on_error(on_error)
        self.reader.on_state(on_state)
        self.reader.start()

    def reread(self) -> None:
        """Read a card left in the slot again (a new session wants it)."""
        self.reader.rearm()

    def wake(self, within_s: float) -> None:
        """Read the card in the slot again if it went in less than `within_s` seconds ago."""
        at = self._inserted_at
        if at is not None and time.monotonic() - at <= within_s:
            self.reader.rearm()

    def stop(self) -> None:
        """Stop polling, release PC/SC."""
        self.reader.close()

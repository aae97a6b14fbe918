"""The card on the reader drives the session: a card placed on the home screen offers what it
can serve, a card left lying there is read when an item needs it, and after a session a card
still on the reader brings a large "请取走身份证" reminder (with a sound) until it is taken.

GA 467 readers halt a card once read, so it is unseen until re-armed (IdCardReader.rearm); the
engine calls `rearm` through the `CardReader` port given by the app, and `CardPresence` events
report what the reader then sees.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.catalogue.model import Catalogue, Item

log = logging.getLogger(__name__)

PROBE_S = 3.0
"""After a session, how long a presence report counts as "the card is still there"."""


@dataclass
class CardWatch:
    """What the engine knows of the card lying on the reader."""

    rearm: Callable[[bool], None] | None = None
    """The reader's re-arm (read again, or only report presence); None without a reader."""
    probe_until: float = 0.0
    left: bool = False
    """A card used in the session is still on the reader: remind the citizen to take it."""
    reminders: int = 0
    """How many times the reminder (and its sound) started — the UI plays the sound on each."""
    asked: int = -1
    """The session (engine.sessions_ended at the time) whose card was last asked about."""

    def wake_for_item(self) -> None:
        """An item needs a card: read one already lying there."""
        self.left = False
        if self.rearm is not None:
            self.rearm(True)

    def session_ended(self, used_card: bool, now: float, session: int) -> None:
        """Ask the reader whether the card used is still there (once per session: at the
        goodbye screen, or when the session ends another way)."""
        if session == self.asked:
            return
        self.asked = session
        if used_card and self.rearm is not None and not self.left:
            self.probe_until = now + PROBE_S
            self.rearm(False)

    def presence(self, present: bool, now: float) -> bool:
        """A presence report; True when the reminder appeared or went."""
        if present and now <= self.probe_until and not self.left:
            self.left, self.probe_until = True, 0.0
            self.reminders += 1
            log.info("card left on the reader after the session: reminder shown")
            return True
        if not present and self.left:
            self.left = False
            log.info("card taken away")
            return True
        return False

    def dismiss(self) -> None:
        """The citizen closed the reminder (the card stays unread until taken or re-armed)."""
        self.left = False

    @property
    def probing(self) -> bool:
        """Waiting for the reader's answer after a session (a card read now is not an offer)."""
        return self.probe_until > 0.0


def items_for_card(
    catalogue: Catalogue | None, unavailable: Callable[[Item], str], card_type: str
) -> list[Item]:
    """Items a card placed on the home screen can serve now (identified by ID card)."""
    if catalogue is None:
        return []
    return [i for i in catalogue.enabled_items() if "id_card" in i.auth and not unavailable(i)]

"""The states of one citizen session and their named groups."""

from __future__ import annotations

from enum import Enum


class State(Enum):
    """Where a session is; each state has one screen of the same name."""

    HOME = "home"
    CARD_OFFER = "card_offer"
    """A card was placed on the home screen: the items it can serve."""
    ITEM = "item"
    IDENTIFY = "identify"
    FORM = "form"
    CONFIRM = "confirm"
    WORKING = "working"
    RESULT = "result"
    PRINTING = "printing"
    RATING = "rating"
    DONE = "done"
    PAYMENT = "payment"
    OUT_OF_SERVICE = "out_of_service"
    FACE = "face"
    """人证比对 after the card (consent, live capture, challenge, verdict): kiosk.identity.flow."""
    GUIDE = "guide"
    """我要办什么: the guidance tree (kiosk.guide.browse), nothing personal."""
    ZHINAN = "zhinan"
    """办事指南 of an item or an off-terminal service, with its flow chart."""
    POLICY = "policy"
    """The policy library: category chips, keyword search."""


IDLE = frozenset({State.HOME, State.OUT_OF_SERVICE})
"""No session in progress: nothing personal may be held."""
CITIZEN_WAIT = frozenset(
    {
        State.CARD_OFFER,
        State.ITEM,
        State.IDENTIFY,
        State.FORM,
        State.CONFIRM,
        State.RESULT,
        State.PRINTING,
        State.RATING,
        State.DONE,
        State.FACE,
        State.GUIDE,
        State.ZHINAN,
        State.POLICY,
    }
)
"""Waiting for the citizen: inactivity brings the countdown overlay, then the session ends."""
BUSY = frozenset({State.WORKING})
"""Waiting for central: its own timeout turns into an error result, never a hang."""
PAYING = frozenset({State.PAYMENT})
"""A payment order is on screen: its own clock (the order's expiry) rules, see kiosk.payment."""
IN_SESSION = CITIZEN_WAIT | BUSY | PAYING
"""A session is in progress (personal data may be held)."""
FACE_STEP = frozenset({State.FACE})
"""The camera may be on: frames live in memory only and are wiped when the state is left."""
BROWSE = frozenset({State.GUIDE, State.ZHINAN, State.POLICY})
"""Browsing the guidance (issue 23): idle brings the countdown like any screen, but nothing
personal is held, and an item or bundle may be started from here."""

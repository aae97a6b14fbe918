"""Cards the identify step refuses, and which message a card problem gets.

A card past its `valid_to` date (in the terminal's time zone, kiosk.clock; the date itself is
still valid) is refused; 长期 never expires. A card that is present but cannot be read gets its
own message, not "no card".
"""

from __future__ import annotations

import datetime as dt

from kiosk import clock
from kiosk.session.ports import CardHolder

LONG_TERM = "长期"
#: CardUnreadable.reason (the driver's error class) → identify problem (i18n identify.<key>).
UNREADABLE_PROBLEMS = {"CardReadFailed": "read_failed"}


def card_refusal(holder: CardHolder, epoch: float) -> str:
    """ "expired" when the card is past its validity on the terminal's date, else ""."""
    valid_to = holder.valid_to
    if not valid_to or valid_to == LONG_TERM:
        return ""
    try:
        last_day = dt.date.fromisoformat(valid_to)
    except ValueError:
        return ""  # the driver already refused undecodable dates
    return "expired" if last_day < clock.today(epoch) else ""


def unreadable_problem(reason: str) -> str:
    """The identify problem for a CardUnreadable event's reason."""
    if reason.startswith("sscard_"):
        return reason  # kiosk.identity.sscard already named the 社保卡's problem
    return UNREADABLE_PROBLEMS.get(reason, "unreadable")

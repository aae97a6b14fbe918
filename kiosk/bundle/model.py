"""What a bundle submission produced: the bundle number and each item's outcome."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.session.ports import Submitted


@dataclass(frozen=True)
class ItemOutcome:
    """One item of a submitted bundle: its case number, or why central did not accept it."""

    item_code: str
    name: str
    case_no: str = ""
    accepted: bool = True
    status: str = ""
    message: str = ""
    next_step: str = ""


@dataclass(frozen=True)
class BundleSubmitted(Submitted):
    """A bundle accepted by central (`case_no` is the bundle number) or queued (provisional)."""

    items: tuple[ItemOutcome, ...] = ()

    @property
    def cases(self) -> tuple[ItemOutcome, ...]:
        """The items with a case number of their own (what a rating is bound to)."""
        return tuple(i for i in self.items if i.accepted and i.case_no)

    @property
    def refused(self) -> tuple[ItemOutcome, ...]:
        """The items central did not accept."""
        return tuple(i for i in self.items if not i.accepted)

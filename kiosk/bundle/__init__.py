"""一件事一次办 at the terminal: one identification, shared fields once, the items in sequence,
one request to central, one combined receipt and one rating bound to every case."""

from __future__ import annotations

from kiosk.bundle.model import BundleSubmitted, ItemOutcome

__all__ = ["BundleSubmitted", "ItemOutcome"]

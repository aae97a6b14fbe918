"""Errors of the session engine."""

from __future__ import annotations

from kiosk.errors import KioskError


class SessionError(KioskError):
    """Base class of every session error."""


class InvalidTransition(SessionError):
    """An action that the current state does not allow (a UI bug, never a citizen's fault)."""


class RatingRefused(SessionError):
    """A rating that breaks the rules: 差评 without a reason tag, or a second rating of a case."""


class IntakeRefused(SessionError):
    """The terminal cannot accept a new request now (queue damaged, disk full): not a network fault."""

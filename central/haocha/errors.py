"""Errors of the 好差评 package."""

from __future__ import annotations


class HaochaError(Exception):
    """Root of this package's errors."""


class BadTransition(HaochaError):
    """A follow-up step the workflow does not allow."""


class CalendarGap(HaochaError):
    """The holiday calendar does not cover a year a deadline falls in."""

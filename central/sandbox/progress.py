"""Simulated progress of an `apply` case (the sandbox's stand-in for the department system)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kiosk import central_api as api

PROGRESS = (
    (600, api.CaseState.ACCEPTED, "已受理"),
    (3600, api.CaseState.IN_PROGRESS, "审核中"),
    (86400, api.CaseState.COMPLETED, "已办结"),
)
"""(seconds after receipt, state, note)."""


def due_events(case: Mapping[str, Any], now: float) -> list[tuple[str, float, str]]:
    """The simulated steps of an apply case that are due at `now`."""
    if case["kind"] != "apply":
        return []
    return [
        (s.value, case["received_at"] + dt, note)
        for dt, s, note in PROGRESS
        if case["received_at"] + dt <= now
    ]

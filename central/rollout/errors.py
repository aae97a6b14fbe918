"""Errors of the staged rollout."""

from __future__ import annotations

from central.errors import CentralError


class RolloutError(CentralError):
    """A rollout step is not possible (unknown version, wrong state, older than published)."""

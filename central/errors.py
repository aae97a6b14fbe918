"""Root exception of the central package."""
from __future__ import annotations


class CentralError(Exception):
    """Base class of every error the reference central service raises on purpose."""

"""Root exception of the drivers package."""

from __future__ import annotations


class DriverError(Exception):
    """Base class of every error a driver raises on purpose."""


class TransportError(DriverError):
    """A device URL could not be opened or the connection broke."""

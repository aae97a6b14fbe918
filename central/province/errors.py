"""Errors of province forwarding."""

from __future__ import annotations


class ProvinceError(Exception):
    """Root of this package's errors."""


class Retryable(ProvinceError):
    """The province did not take it this time (5xx, timeout, no connection): try again later."""


class Rejected(ProvinceError):
    """The province refused the fields (4xx): sending the same again cannot succeed."""


class MappingError(ProvinceError):
    """A value has no provincial code (configuration to fix)."""

"""Root exception of the central package, and the API error that becomes a JSON answer."""

from __future__ import annotations


class CentralError(Exception):
    """Base class of every error the reference central service raises on purpose."""


class StorageError(CentralError):
    """The service database cannot be opened or used."""


class ApiError(CentralError):
    """An error answer: HTTP status, stable machine code, human message (JSON ErrorBody)."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


class BundleRejected(CentralError):
    """A catalogue bundle failed verification (signature, trust, expiry or schema)."""


class NotNewer(CentralError):
    """A published catalogue version must be above the newest one already published."""


class PublishError(CentralError):
    """`kiosk central publish` failed; the message says why, for a technician."""

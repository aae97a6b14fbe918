"""Typed errors of the central client: what went wrong, and whether trying again can help."""

from __future__ import annotations

from kiosk.errors import KioskError


class CentralClientError(KioskError):
    """Root of every error the central client raises."""


class NetworkError(CentralClientError):
    """No answer: DNS, refused or reset connection, TLS failure, connect or read timeout."""


class CentralTimeout(NetworkError):
    """The connect or read timeout expired (the request may or may not have been processed)."""


class HTTPStatusError(CentralClientError):
    """Central answered with an error status; `code` is the JSON error code when there is one."""

    def __init__(
        self, status: int, code: str, message: str, retry_after: float | None = None
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after
        super().__init__(f"HTTP {status} {code}: {message}")


class AuthError(HTTPStatusError):
    """401: bad signature, unknown terminal or clock skew over 300 s."""


class Rejected(HTTPStatusError):
    """4xx other than 401: central refuses this request (validation, conflict, rate limit…)."""


class ServerError(HTTPStatusError):
    """5xx: central failed; the same request may succeed later."""


class ProtocolError(CentralClientError):
    """Central answered 2xx/304 but the body is not what the contract says."""

"""Settings of one central app: sandbox or production, contract transition, limits."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    """What create_app's keyword arguments decide (defaults: the embedded sandbox/demo)."""

    sandbox: bool = True
    """Serve the simulated back ends (query answers, payments platform, face, case progress) and
    the /sandbox routes. Off in production (`kiosk central serve --no-sandbox`)."""
    accept_v1_signatures: bool | None = None
    """Accept v1.0 signatures (Idempotency-Key not signed) during the transition to v1.1.
    None: the sandbox's choice (on with the sandbox, off without)."""
    case_check: bool = True
    """Case numbers carry the 4-digit keyed check group (REGION-YYYYMMDD-SEQ-CHECK)."""
    offline_after_s: float = 180.0
    max_body_bytes: int = 64 * 1024
    max_catalogue_bytes: int = 4 * 1024 * 1024
    idempotency_retention_days: float = 90.0
    payment_ttl_s: float = 300.0

    @property
    def v1_signatures(self) -> bool:
        """Whether v1.0 signatures are accepted."""
        return self.sandbox if self.accept_v1_signatures is None else self.accept_v1_signatures

"""Settings of 好差评 and province forwarding, read from the environment of `kiosk central serve`."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from central.haocha.errors import HaochaError

ENV_PREFIX = "KIOSK_HAOCHA_"


class HaochaSettings(BaseModel):
    """One field per KIOSK_HAOCHA_<NAME> variable (e.g. KIOSK_HAOCHA_PROVINCE_URL)."""

    province_url: str = ""
    """Base URL of the provincial 好差评 platform; empty: ratings queue up, nothing is sent."""
    province_app_id: str = ""
    """Our access id at the province (sent as X-App-Id)."""
    province_secret_file: str = ""
    """File holding the HMAC secret the province issued (hex); requests are signed with it."""
    province_timeout_s: float = Field(10.0, gt=0, le=120)
    forward_interval_s: float = Field(2.0, gt=0, le=3600)
    """How often the forwarder looks for due rows."""
    lease_s: float = Field(60.0, gt=0, le=3600)
    """A worker's claim on a row; after it a crashed worker's row is taken by another."""
    backoff_base_s: float = Field(2.0, gt=0)
    backoff_cap_s: float = Field(600.0, gt=0)
    details_grace_s: float = Field(30.0, ge=0)
    """A rating with no details record (an older terminal) is forwarded after this wait."""
    followup_working_days: int = Field(10, ge=1, le=60)
    """差评 deadline in working days (provinces: 5–15)."""
    departments_file: str = ""
    """JSON object: department name (as in the catalogue) → its unified social credit code;
    default: the demo codes of the default catalogue's departments."""
    key_file: str = ""
    """Only when 好差评 runs without central's Storage: a server key file (64 hex digits).
    Inside central the server key (central.storage.keys) seals rater and callback phone."""
    database_url: str = ""
    """SQLAlchemy URL; default: the service's SQLite file."""
    forward: bool = True
    """Run the forwarder thread inside the service process."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> HaochaSettings:
        """Settings from KIOSK_HAOCHA_* variables; HaochaError naming a bad one."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {
            name: env[ENV_PREFIX + name.upper()]
            for name in cls.model_fields
            if ENV_PREFIX + name.upper() in env
        }
        if "forward" in values:
            values["forward"] = str(values["forward"]).strip().lower() not in (
                "0",
                "false",
                "no",
                "",
            )
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise HaochaError(
                f"{ENV_PREFIX}{str(first['loc'][0]).upper()}: {first['msg']}"
            ) from None

    def departments(self) -> dict[str, str] | None:
        """The department → credit code table from departments_file (None: not configured)."""
        if not self.departments_file:
            return None
        try:
            data = json.loads(Path(self.departments_file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise HaochaError(f"{self.departments_file}: departments unusable: {exc}") from None
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise HaochaError(f"{self.departments_file}: expected {{name: credit code}}")
        return data

    def province_secret(self) -> bytes:
        """The province HMAC secret; empty when not configured."""
        if not self.province_secret_file:
            return b""
        try:
            return bytes.fromhex(
                Path(self.province_secret_file).read_text(encoding="ascii").strip()
            )
        except (OSError, ValueError) as exc:
            raise HaochaError(
                f"{self.province_secret_file}: province secret unusable: {exc}"
            ) from None

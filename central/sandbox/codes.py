"""Sandbox stand-in for the platforms behind app codes (电子社保卡, 医保电子凭证, 秦务员/i安康).

A demo code is `SBX1.<kind>.<payload>.<mac>`: payload = base64url of JSON {sub, name, iat,
exp, jti}, mac = HMAC-SHA256 under a key made fresh by each sandbox process (so a code from
another run, or one edited by hand, is forged). Codes live 120 s and work once: used code ids
are held in memory until they would have expired anyway (a lease list, not a table: the
sandbox is one process; production asks the issuing platform, which keeps its own).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from drivers.privacy import mask_id_number
from kiosk import central_api as api

CODE_TTL_S = 120.0
PREFIX = "SBX1"
ISSUERS = {
    "e_sscard": "国家社会保险公共服务平台（电子社保卡）",
    "medical": "国家医保服务平台（医保电子凭证）",
    "gov_app": "陕西政务服务平台（秦务员）",
}
ASSURANCE = {"e_sscard": "high", "medical": "high", "gov_app": "substantial"}


@dataclass(frozen=True)
class DemoHolder:
    """A fictional holder the sandbox's platforms know."""

    name: str
    id_number: str
    region_code: str = "610900"
    revoked: bool = False


DEMO_HOLDERS = {
    "demo": DemoHolder("王小明", "610902199101010010"),
    "elder": DemoHolder("赵建国", "330106197007070047", "330100"),
    "revoked": DemoHolder("李晓红", "330106198503030022", "330100", revoked=True),
}


class CodeRefused(Exception):
    """The platform refuses the code; `code` is one of central_api.CODE_ERRORS."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CodeSandbox:
    """Mints and checks demo codes; one instance per central process."""

    def __init__(self, clock: Callable[[], float] = time.time, ttl_s: float = CODE_TTL_S) -> None:
        self.clock = clock
        self.ttl_s = ttl_s
        self._key = secrets.token_bytes(32)
        self._used: dict[str, float] = {}
        self._lock = threading.Lock()

    def _mac(self, text: str) -> str:
        return _b64(hmac.new(self._key, text.encode("ascii"), hashlib.sha256).digest()[:16])

    def mint(self, kind: str, holder: str = "demo", issued_ago_s: float = 0.0) -> str:
        """A demo code of `kind` for demo holder `holder` (issued `issued_ago_s` ago)."""
        if kind not in api.CODE_KINDS:
            raise ValueError(f"unknown code kind {kind!r}")
        h = DEMO_HOLDERS[holder]
        iat = self.clock() - issued_ago_s
        claims = {
            "sub": h.id_number,
            "name": h.name,
            "iat": int(iat),
            "exp": int(iat + self.ttl_s),
            "jti": secrets.token_hex(8),
            "hld": holder,
        }
        body = f"{PREFIX}.{kind}.{_b64(json.dumps(claims, ensure_ascii=False).encode())}"
        return f"{body}.{self._mac(body)}"

    def identify(self, code: str, kind: str | None = None) -> api.CodeIdentity:
        """Check a scanned code; CodeRefused says why not."""
        parts = code.strip().split(".")
        if len(parts) != 4 or parts[0] != PREFIX or parts[1] not in api.CODE_KINDS:
            raise CodeRefused("code_invalid", "not a code any configured platform issued")
        body = ".".join(parts[:3])
        if not hmac.compare_digest(self._mac(body), parts[3]):
            raise CodeRefused("code_invalid", "signature does not verify (forged or altered)")
        if kind is not None and kind != parts[1]:
            raise CodeRefused("code_invalid", f"a {parts[1]} code, not {kind}")
        try:
            claims = json.loads(_unb64(parts[2]))
            holder = DEMO_HOLDERS[claims["hld"]]
            jti, exp = str(claims["jti"]), float(claims["exp"])
        except (ValueError, KeyError, TypeError):
            raise CodeRefused("code_invalid", "payload unreadable") from None
        now = self.clock()
        if now > exp:
            raise CodeRefused("code_expired", "the code has expired; refresh it in the app")
        if holder.revoked:
            raise CodeRefused("code_revoked", "this identity has been revoked by its platform")
        with self._lock:
            self._used = {j: e for j, e in self._used.items() if e >= now}
            if jti in self._used:
                raise CodeRefused("code_used", "this code was used already")
            self._used[jti] = exp
        k = parts[1]
        return api.CodeIdentity(
            holder=api.CodeHolder(
                name=holder.name,
                id_number=holder.id_number,
                id_number_masked=mask_id_number(holder.id_number),
                region_code=holder.region_code,
            ),
            assurance=ASSURANCE[k],  # type: ignore[arg-type]
            kind=k,  # type: ignore[arg-type]
            issuer=ISSUERS[k],  # type: ignore[arg-type]
            identity_id="CI-" + secrets.token_hex(10),
        )

"""HTTP client of the provincial platform: signed JSON POSTs, daily counts."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import requests

from central.province.errors import Rejected, Retryable

EVALUATIONS = "/api/v1/evaluations"
RECTIFICATIONS = "/api/v1/rectifications"
DAILY = "/api/v1/evaluations/daily"


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """hex(HMAC-SHA256(secret, timestamp + "\\n" + sha256_hex(body)))."""
    msg = (timestamp + "\n" + hashlib.sha256(body).hexdigest()).encode()
    return hmac.new(secret, msg, hashlib.sha256).hexdigest()


class ProvinceClient:
    """POST evaluations / rectifications; GET the province's daily counts."""

    def __init__(self, base_url: str, app_id: str, secret: bytes, timeout_s: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.app_id = app_id
        self.secret = secret
        self.timeout_s = timeout_s
        self.http = requests.Session()

    def _headers(self, body: bytes) -> dict[str, str]:
        ts = str(int(time.time()))
        return {
            "Content-Type": "application/json; charset=utf-8",
            "X-App-Id": self.app_id,
            "X-Timestamp": ts,
            "X-Signature": sign(self.secret, ts, body),
        }

    def post(self, path: str, payload: dict[str, Any]) -> str:
        """Send one message; the province's acknowledgement id. Retryable or Rejected."""
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        try:
            resp = self.http.post(
                self.base_url + path, data=body, headers=self._headers(body), timeout=self.timeout_s
            )
        except requests.Timeout:
            raise Retryable("timeout") from None
        except requests.RequestException as exc:
            raise Retryable(f"no connection ({type(exc).__name__})") from None
        answer = _json(resp)
        if resp.status_code >= 500 or resp.status_code in (401, 403, 408, 429):
            raise Retryable(f"HTTP {resp.status_code} {str(answer.get('code', ''))[:20]}")
        if resp.status_code >= 400:
            raise Rejected(
                f"HTTP {resp.status_code} {str(answer.get('code', ''))[:20]}: "
                f"{str(answer.get('msg', ''))[:200]}"
            )
        if answer.get("code") not in ("0", "DUPLICATE"):
            raise Retryable(f"unexpected answer {str(answer.get('code'))[:20]}")
        return str(answer.get("evaluationId", ""))[:80]

    def daily(self, day: str) -> set[str]:
        """The projectNos the province holds for one day (YYYYMMDD). Retryable on failure."""
        body = b""
        try:
            resp = self.http.get(
                self.base_url + DAILY,
                params={"day": day},
                headers=self._headers(body),
                timeout=self.timeout_s,
            )
        except requests.RequestException as exc:
            raise Retryable(f"no connection ({type(exc).__name__})") from None
        if resp.status_code != 200:
            raise Retryable(f"HTTP {resp.status_code}")
        data = _json(resp)
        return {str(p) for p in data.get("projectNos", [])}


def _json(resp: requests.Response) -> dict[str, Any]:
    try:
        data = resp.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}

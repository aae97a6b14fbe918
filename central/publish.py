"""Staff side of publishing: PUT a signed bundle to /v1/admin/catalogue with a bearer token."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import requests

from central.errors import PublishError
from kiosk.central_api import CatalogueAccepted

log = logging.getLogger(__name__)


def _detail(resp: requests.Response) -> str:
    try:
        body = resp.json()
        return f"{body['error']}: {body['message']}"
    except (ValueError, KeyError, TypeError):
        return resp.text[:200] or resp.reason


def publish_bundle(
    bundle_path: str | Path, url: str, token: str, timeout: float = 30.0
) -> CatalogueAccepted:
    """Publish a bundle file; raise PublishError with a message a technician can act on."""
    path = Path(bundle_path)
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise PublishError(f"{path}: cannot read the bundle: {exc.strerror or exc}") from None
    try:
        json.loads(body)
    except ValueError:
        raise PublishError(f"{path}: not a JSON bundle") from None
    target = url.rstrip("/") + "/v1/admin/catalogue"
    try:
        resp = requests.put(
            target,
            data=body,
            timeout=timeout,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
    except requests.exceptions.RequestException as exc:
        raise PublishError(
            f"cannot reach the central service at {url}: "
            f"{type(exc).__name__} (network down, wrong URL or port?)"
        ) from None
    if resp.status_code == 200:
        try:
            return CatalogueAccepted.model_validate_json(resp.content)
        except ValueError:
            raise PublishError(f"{url}: unexpected answer to a publish (not this API?)") from None
    if resp.status_code == 401:
        raise PublishError(
            f"the service refused the staff token (401 {_detail(resp)}); "
            "create one with `kiosk central token add`"
        )
    if resp.status_code == 409:
        raise PublishError(
            f"not published: {_detail(resp)} — raise the catalogue version and sign again"
        )
    if resp.status_code == 422:
        raise PublishError(f"bundle rejected by the service: {_detail(resp)}")
    if resp.status_code == 413:
        raise PublishError(f"bundle too large for the service: {_detail(resp)}")
    raise PublishError(f"publish failed: HTTP {resp.status_code} {_detail(resp)}")

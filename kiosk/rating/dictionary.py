"""The rating dictionary on the terminal: the shipped default, replaced by central's (fetched
over the HMAC-signed channel with its ETag) and cached on disk so a restart offline keeps it."""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kiosk.central_api import RATING_DICTIONARY_PATH, RatingDictionary
from kiosk.rating.defaults import DEFAULT_DICTIONARY

log = logging.getLogger(__name__)

SHIPPED = RatingDictionary.model_validate(DEFAULT_DICTIONARY)


class DictionaryCache:
    """The active dictionary: never older than the shipped one, never downgraded."""

    def __init__(self, path: str | Path | None) -> None:
        self.path = Path(path) if path else None
        self._lock = threading.Lock()
        self._active = SHIPPED
        self._etag: str | None = None
        if self.path is not None and self.path.is_file():
            try:
                cached = json.loads(self.path.read_text(encoding="utf-8"))
                d = RatingDictionary.model_validate(cached["dictionary"])
                if d.version >= SHIPPED.version:
                    self._active, self._etag = d, cached.get("etag")
            except (OSError, ValueError, KeyError, TypeError, ValidationError) as exc:
                log.warning(
                    "cached rating dictionary %s unusable (%s); using the shipped one",
                    self.path,
                    type(exc).__name__,
                )

    def current(self) -> RatingDictionary:
        """The dictionary the rating screen is rendered from."""
        with self._lock:
            return self._active

    def install(self, body: bytes, etag: str | None = None) -> bool:
        """Take a dictionary from central if it is valid and newer; True when it replaced one."""
        try:
            d = RatingDictionary.model_validate_json(body)
        except ValidationError as exc:
            log.warning("rating dictionary from central rejected: %d problem(s)", exc.error_count())
            return False
        with self._lock:
            if d.version <= self._active.version:
                self._etag = etag or self._etag
                return False
            self._active, self._etag = d, etag
        self._save(d, etag)
        log.info("rating dictionary version %d installed", d.version)
        return True

    def _save(self, d: RatingDictionary, etag: str | None) -> None:
        if self.path is None:
            return
        data: dict[str, Any] = {"etag": etag, "dictionary": d.model_dump(mode="json")}
        tmp = self.path.with_suffix(".tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(data, f, ensure_ascii=False)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except OSError as exc:  # the dictionary stays active in memory
            log.warning("rating dictionary not cached to %s: %s", self.path, exc)

    def refresh(self, client: Any) -> bool:
        """GET the dictionary from central (If-None-Match); True when a newer one was installed."""
        headers = {"If-None-Match": self._etag} if self._etag else {}
        try:
            resp = client.request("GET", RATING_DICTIONARY_PATH, headers=headers)
        except Exception as exc:  # noqa: BLE001 - offline: the cached one stays
            log.info("rating dictionary refresh failed: %s", type(exc).__name__)
            return False
        if resp.status_code == 304:
            return False
        return self.install(resp.content, resp.headers.get("ETag"))

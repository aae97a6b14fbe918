"""The rating dictionary: the published one (highest version) or the shipped default."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine, func, insert, select

from central.haocha.errors import HaochaError
from central.haocha.tables import dictionaries
from kiosk import central_api as api
from kiosk.rating.defaults import DEFAULT_DICTIONARY


def _canonical(d: api.RatingDictionary) -> str:
    return json.dumps(
        d.model_dump(mode="json"), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )


def etag_of(body: str) -> str:
    """Strong ETag of a serialised dictionary."""
    return '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'


DEFAULT = api.RatingDictionary.model_validate(DEFAULT_DICTIONARY)


class Dictionaries:
    """Published dictionaries by version (the default is version 1 until one is published)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._cache: dict[int, api.RatingDictionary] = {DEFAULT.version: DEFAULT}

    def current(self) -> tuple[api.RatingDictionary, str, str]:
        """(dictionary, its JSON, ETag) of the highest version."""
        with self.engine.connect() as c:
            row = c.execute(
                select(dictionaries.c.body, dictionaries.c.etag)
                .order_by(dictionaries.c.version.desc())
                .limit(1)
            ).first()
        if row is None:
            body = _canonical(DEFAULT)
            return DEFAULT, body, etag_of(body)
        return self._parse(row.body), row.body, row.etag

    def version(self, version: int) -> api.RatingDictionary | None:
        """A dictionary by version (published or the default)."""
        if version in self._cache:
            return self._cache[version]
        with self.engine.connect() as c:
            body = c.execute(
                select(dictionaries.c.body).where(dictionaries.c.version == version)
            ).scalar()
        if body is None:
            return None
        return self._parse(body)

    def _parse(self, body: str) -> api.RatingDictionary:
        d = api.RatingDictionary.model_validate_json(body)
        self._cache[d.version] = d
        return d

    def publish(self, raw: Any, by: str, now: float) -> api.RatingDictionary:
        """Validate and store a new version (must be higher than the current)."""
        try:
            d = api.RatingDictionary.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in first.get("loc", ()))
            raise HaochaError(f"dictionary rejected: {loc}: {first.get('msg')}") from None
        body = _canonical(d)
        with self.engine.begin() as c:
            top = c.execute(select(func.max(dictionaries.c.version))).scalar() or DEFAULT.version
            if d.version <= top:
                raise HaochaError(f"dictionary version {d.version} is not newer than {top}")
            c.execute(
                insert(dictionaries).values(
                    version=d.version,
                    body=body,
                    etag=etag_of(body),
                    published_by=by,
                    published_at=now,
                )
            )
        self._cache[d.version] = d
        return d

"""Errors of the item catalogue: every reason a bundle is refused has its own class."""

from __future__ import annotations

from kiosk.errors import KioskError


class CatalogueError(KioskError):
    """Base class of every catalogue error; `reason` is a short machine-readable code."""

    reason = "catalogue_error"


class Malformed(CatalogueError):
    """The bundle is not a well-formed JSON bundle (bad UTF-8, bad JSON, wrong shape)."""

    reason = "malformed"


class Truncated(Malformed):
    """The bundle ends before the JSON does (a torn write or an interrupted download)."""

    reason = "truncated"


class UnknownKey(CatalogueError):
    """No signature of the bundle is by a trusted key id."""

    reason = "unknown_key"


class BadSignature(CatalogueError):
    """A signature by a trusted key id does not verify: the bytes were changed or the key is wrong."""

    reason = "bad_signature"


class Expired(CatalogueError):
    """The catalogue's expires_at is in the past."""

    reason = "expired"


class NotNewer(CatalogueError):
    """The version is not strictly higher than the active one (rollback or replay)."""

    reason = "not_newer"

    def __init__(self, version: int, active_version: int) -> None:
        self.version = version
        self.active_version = active_version
        super().__init__(
            f"version {version} is not newer than the active version {active_version} "
            "(rollback or replay refused)"
        )


class Invalid(CatalogueError):
    """The catalogue content breaks the schema; `problems` lists `path: message` lines."""

    reason = "invalid"

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        shown = "; ".join(self.problems[:5])
        more = f" (+{len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        super().__init__(f"{len(self.problems)} problem(s): {shown}{more}")


class KeyFileError(CatalogueError):
    """A key file cannot be read or is not an Ed25519 key."""

    reason = "key_file"


class StoreError(CatalogueError):
    """The catalogue store directory cannot be read or written."""

    reason = "store"


class UnknownItem(CatalogueError, KeyError):
    """No item with this code in the catalogue."""

    reason = "unknown_item"

    def __str__(self) -> str:
        return Exception.__str__(self)


class FieldValueError(CatalogueError, ValueError):
    """A citizen's input does not fit the field; carries a plain message in Chinese and English."""

    reason = "field_value"

    def __init__(self, zh: str, en: str) -> None:
        self.zh = zh
        self.en = en
        super().__init__(f"{zh} / {en}")

    def message(self, language: str = "zh_CN") -> str:
        """The message in the UI language ("zh_CN" or "en")."""
        return self.en if language == "en" else self.zh

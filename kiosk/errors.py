"""Root exception of the kiosk package."""

from __future__ import annotations


class KioskError(Exception):
    """Base class of every error the kiosk package raises on purpose."""


class ConfigError(KioskError):
    """The terminal configuration cannot be used; `problems` lists `field.path: message` lines."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: {len(problems)} problem(s): " + "; ".join(problems))

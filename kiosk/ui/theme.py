"""Colours: the normal theme and the high-contrast theme of 长辈模式."""

from __future__ import annotations

NORMAL = {
    "bg": (0.94, 0.96, 0.99, 1),
    "card": (1, 1, 1, 1),
    "bar": (0.07, 0.33, 0.64, 1),
    "on_bar": (1, 1, 1, 1),
    "primary": (0.07, 0.38, 0.75, 1),
    "pressed": (0.04, 0.25, 0.5, 1),
    "on_primary": (1, 1, 1, 1),
    "primary_text": (0.05, 0.27, 0.55, 1),
    "text": (0.12, 0.12, 0.14, 1),
    "muted": (0.38, 0.4, 0.45, 1),
    "line": (0.78, 0.82, 0.88, 1),
    "error": (0.78, 0.1, 0.1, 1),
    "ok": (0.08, 0.5, 0.22, 1),
    "warn": (0.7, 0.32, 0.0, 1),
    "accent": (0.0, 0.5, 0.45, 1),
    "header": (0.84, 0.89, 0.96, 1),
    "alert_bg": (1, 0.9, 0.88, 1),
    "total_bg": (0.93, 0.95, 0.98, 1),
}
HIGH_CONTRAST = {
    "bg": (0, 0, 0, 1),
    "card": (0.1, 0.1, 0.1, 1),
    "bar": (0, 0, 0, 1),
    "on_bar": (1, 1, 0, 1),
    "primary": (1, 0.86, 0, 1),
    "pressed": (1, 1, 1, 1),
    "on_primary": (0, 0, 0, 1),
    "primary_text": (1, 0.9, 0.2, 1),
    "text": (1, 1, 1, 1),
    "muted": (0.85, 0.85, 0.85, 1),
    "line": (1, 1, 1, 1),
    "error": (1, 0.45, 0.4, 1),
    "ok": (0.4, 1, 0.4, 1),
    "warn": (1, 0.6, 0.1, 1),
    "accent": (0.3, 0.9, 1, 1),
    "header": (0.28, 0.28, 0.28, 1),
    "alert_bg": (0.45, 0.05, 0.05, 1),
    "total_bg": (0.2, 0.2, 0.2, 1),
}
ELDERLY_SCALE = 1.5
"""Text scale in 长辈模式 (≥ 1.4 required)."""


def colour(name: str, high_contrast: bool = False) -> tuple[float, float, float, float]:
    """A theme colour by name."""
    return (HIGH_CONTRAST if high_contrast else NORMAL)[name]

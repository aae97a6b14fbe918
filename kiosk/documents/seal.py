"""The seal image on a document: the project's generated demo seal, or a shipped PNG.

The demo seal is drawn, not a picture of anyone's real seal: a red ring with the issuer's name,
a star and the words 演示专用章 (demo use only), so nobody can mistake a demo certificate for a
real one. A deployment ships its issuer's electronic-seal image as assets/seals/NAME.png.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from kiosk import resources
from kiosk.documents.errors import SealMissing

SEALS_DIR = resources.SEALS_DIR
RED = (0.80, 0.07, 0.07)
DEMO_WORDS = "演示专用章"


def seal_file(seal: str) -> Path:
    """The PNG of a "file:NAME.png" seal (SealMissing when it is not shipped)."""
    path = SEALS_DIR / seal.removeprefix("file:")
    if not path.is_file():
        raise SealMissing(f"seal image {path.name} is not in {SEALS_DIR}")
    return path


def draw_seal(c: Any, seal: str, issuer: str, cx: float, cy: float, r: float, font: str) -> None:
    """Draw the seal centred at (cx, cy) with radius r (points) on reportlab canvas `c`."""
    if seal != "demo":
        c.drawImage(
            str(seal_file(seal)),
            cx - r,
            cy - r,
            2 * r,
            2 * r,
            mask="auto",
            preserveAspectRatio=True,
        )
        return
    c.saveState()
    c.setStrokeColorRGB(*RED)
    c.setFillColorRGB(*RED)
    c.setFillAlpha(0.85)
    c.setStrokeAlpha(0.85)
    c.setLineWidth(r * 0.055)
    c.circle(cx, cy, r * 0.95, stroke=1, fill=0)
    _star(c, cx, cy, r * 0.26)
    # the issuer's name along the upper arc, reading left to right
    text = issuer[:18]
    n = max(len(text), 1)
    span = min(235.0, 24.0 * n)
    size = min(r * 0.26, 0.72 * r * math.radians(span / n) * 0.9)
    c.setFont(font, size)
    for i, ch in enumerate(text):
        angle = 90 + span / 2 - (span * (i + 0.5) / len(text))
        a = math.radians(angle)
        c.saveState()
        c.translate(cx + math.cos(a) * r * 0.70, cy + math.sin(a) * r * 0.70)
        c.rotate(angle - 90)
        c.drawCentredString(0, -size * 0.35, ch)
        c.restoreState()
    c.setFont(font, r * 0.19)
    c.drawCentredString(cx, cy - r * 0.55, DEMO_WORDS)
    c.restoreState()


def _star(c: Any, cx: float, cy: float, r: float) -> None:
    path = c.beginPath()
    for i in range(10):
        rad = r if i % 2 == 0 else r * 0.38
        a = math.radians(90 + i * 36)
        x, y = cx + math.cos(a) * rad, cy + math.sin(a) * rad
        if i == 0:
            path.moveTo(x, y)
        else:
            path.lineTo(x, y)
    path.close()
    c.drawPath(path, stroke=0, fill=1)

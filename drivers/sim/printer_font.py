"""Finding a CJK TrueType font for the printer simulator's PNG pages."""

from __future__ import annotations

import logging
import shutil
import subprocess
from functools import lru_cache

from PIL import ImageFont

log = logging.getLogger(__name__)

_PATTERNS = (
    ":lang=zh",
    ":lang=zh-cn",
    "WenQuanYi Micro Hei Mono",
    "Noto Sans Mono CJK SC",
    "Noto Sans CJK SC",
    "Droid Sans Fallback",
)
_KNOWN_FILES = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 1),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 1),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
)


def _has_cjk(path: str, index: int) -> bool:
    """True if the font draws two different ideographs differently (i.e. not as .notdef boxes)."""
    try:
        font = ImageFont.truetype(path, 24, index=index)
    except OSError:
        return False
    a, b = font.getmask("中"), font.getmask("国")
    return a.getbbox() is not None and bytes(a) != bytes(b)


def _fc_match(pattern: str) -> tuple[str, int] | None:
    if shutil.which("fc-match") is None:
        return None
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{file}\t%{index}", pattern],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    path, _, index = out.partition("\t")
    if not path:
        return None
    return path, int(index or 0)


@lru_cache(maxsize=1)
def cjk_font_file() -> tuple[str, int] | None:
    """(path, face index) of a font with Chinese glyphs, or None if there is none."""
    candidates = [c for c in (_fc_match(p) for p in _PATTERNS) if c] + list(_KNOWN_FILES)
    for path, index in candidates:
        if _has_cjk(path, index):
            log.debug("CJK font for rendering: %s#%d", path, index)
            return path, index
    log.warning("no CJK font found: simulated receipts will show boxes for Chinese text")
    return None


@lru_cache(maxsize=16)
def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The CJK font at `size` px (Pillow's default font if none is installed)."""
    found = cjk_font_file()
    if found is None:
        return ImageFont.load_default()
    return ImageFont.truetype(found[0], size, index=found[1])

"""Find a CJK font: the configured file, else what fontconfig knows for Chinese."""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)

# Preferred families first; any other font fontconfig lists for :lang=zh comes after.
PREFERRED = ("wqy-microhei", "wqy-zenhei", "NotoSansCJK", "NotoSansSC", "SourceHanSans", "droid")


def fontconfig_cjk_fonts() -> list[Path]:
    """Font files fontconfig says cover Chinese (`fc-list :lang=zh`), preferred ones first."""
    if shutil.which("fc-list") is None:
        return []
    try:
        out = subprocess.run(
            ["fc-list", ":lang=zh", "-f", "%{file}\n"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("fc-list failed: %s", exc)
        return []
    files = sorted({Path(line) for line in out.splitlines() if line.strip()})

    def rank(p: Path) -> int:
        for i, name in enumerate(PREFERRED):
            if name.lower() in p.name.lower():
                return i
        return len(PREFERRED)

    return sorted(files, key=rank)


def find_cjk_font(configured: Path | None = None) -> Path | None:
    """The configured font if it exists, else the best fontconfig match; None (logged) if neither."""
    if configured is not None:
        if configured.is_file():
            return configured
        log.error(
            "configured font_path %s does not exist; looking for a CJK font instead", configured
        )
    fonts = [p for p in fontconfig_cjk_fonts() if p.is_file()]
    if fonts:
        return fonts[0]
    log.error(
        "no CJK font found (fc-list :lang=zh is empty): Chinese text will show as boxes. "
        "Install fonts-wqy-microhei or set font_path in the terminal config."
    )
    return None

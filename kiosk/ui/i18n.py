"""Every user-visible string of the kiosk, by key, from assets/i18n/{zh_CN,en}.json."""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from pathlib import Path

from kiosk import resources

log = logging.getLogger(__name__)

I18N_DIR = resources.I18N_DIR
LANGUAGES = ("zh_CN", "en")


@lru_cache(maxsize=4)
def table(lang: str, directory: Path = I18N_DIR) -> dict[str, str]:
    """The key → text table of one language."""
    return json.loads((directory / f"{lang}.json").read_text(encoding="utf-8"))


def t(key: str, lang: str = "zh_CN", **kw: object) -> str:
    """The text of `key` in `lang`, formatted with `kw`; a missing key is logged and shown as is."""
    lang = lang if lang in LANGUAGES else "zh_CN"
    text = table(lang).get(key)
    if text is None:
        log.error("i18n: no %s text for %r", lang, key)
        return key
    return text.format(**kw) if kw else text

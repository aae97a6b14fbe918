"""ESC/POS receipt printer driver: receipts, Chinese text, status, print jobs.

The names below load their module on first use: importing python-escpos parses its 2 MB
printer-capabilities YAML (0.15–0.2 s), which must not delay the kiosk's first frame when only
the table/layout helpers of this package are needed.
"""

from __future__ import annotations

import importlib
import os
from typing import Any


def _escpos_cache() -> None:
    """python-escpos caches the parsed capabilities as a pickle in a fresh mkdtemp() per process
    unless told where; a private, stable directory makes every start after the first fast. Never
    a shared /tmp path (a pickle planted there would run as the kiosk): the user's cache dir,
    used only if we own it and nobody else can write to it; otherwise escpos's own default."""
    if "ESCPOS_CAPABILITIES_PICKLE_DIR" in os.environ:
        return
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    cache = os.path.join(base, "kiosk", "escpos")
    try:
        os.makedirs(cache, mode=0o700, exist_ok=True)
        st = os.stat(cache)
    except OSError:
        return
    if st.st_uid == os.getuid() and not st.st_mode & 0o022:
        os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = cache


_escpos_cache()

_EXPORTS = {
    "Layout": "receipt",
    "Receipt": "receipt",
    "render": "receipt",
    "PrintOutcome": "printer",
    "PrintResult": "printer",
    "ReceiptPrinter": "printer",
    "PrinterStatus": "status",
}


def __getattr__(name: str) -> Any:
    """Load `name` from its module on first use."""
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"drivers.printer.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'drivers.printer' has no attribute {name!r}")


# A literal list (not computed): linters, type checkers and `import *` read it without running code.
__all__ = [
    "Layout",
    "PrintOutcome",
    "PrintResult",
    "PrinterStatus",
    "ReceiptPrinter",
    "Receipt",
    "render",
]

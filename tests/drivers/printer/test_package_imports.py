"""drivers.printer loads python-escpos only when a printer is used, and caches its capabilities
privately (never in a shared /tmp path)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run(code: str, **env: str) -> str:
    full = {k: v for k, v in os.environ.items() if k != "ESCPOS_CAPABILITIES_PICKLE_DIR"}
    full.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()


def test_receipt_helpers_do_not_import_escpos() -> None:
    assert (
        run(
            "import sys, drivers.printer.table, kiosk.session.receipts; "
            "print('escpos' in sys.modules)"
        )
        == "False"
    )
    assert (
        run(
            "import sys; from drivers.printer import ReceiptPrinter; "
            "print('escpos' in sys.modules, ReceiptPrinter.__name__)"
        )
        == "True ReceiptPrinter"
    )


def test_capabilities_cached_in_a_private_dir(tmp_path: Path) -> None:
    code = "import os, drivers.printer.printer; print(os.environ.get('ESCPOS_CAPABILITIES_PICKLE_DIR', ''))"
    cache = tmp_path / "kiosk" / "escpos"
    assert run(code, XDG_CACHE_HOME=str(tmp_path)) == str(cache)
    assert [p.name.endswith(".capabilities.pickle") for p in cache.iterdir()] == [True]
    assert cache.stat().st_mode & 0o777 == 0o700
    os.chmod(cache, 0o777)  # writable by others: a planted pickle could run as the kiosk
    assert run(code, XDG_CACHE_HOME=str(tmp_path)) == ""


def test_all_names_every_lazy_export() -> None:
    import drivers.printer as pkg

    assert sorted(pkg.__all__) == sorted(pkg._EXPORTS)
    assert all(getattr(pkg, name).__name__ == name for name in pkg.__all__ if name != "render")

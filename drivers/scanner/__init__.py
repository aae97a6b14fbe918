"""Serial QR/barcode scanner driver (line mode)."""

from __future__ import annotations

from drivers.scanner.scanner import Scan, Scanner

__all__ = ["Scan", "Scanner"]

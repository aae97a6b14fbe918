"""ESC/POS receipt printer driver: receipts, Chinese text, status, print jobs."""
from __future__ import annotations

from drivers.printer.printer import PrintOutcome, PrintResult, ReceiptPrinter
from drivers.printer.receipt import Layout, Receipt, render
from drivers.printer.status import PrinterStatus

__all__ = ["Layout", "PrintOutcome", "PrintResult", "PrinterStatus", "Receipt", "ReceiptPrinter", "render"]

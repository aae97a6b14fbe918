"""sim://a4printer: the demo's A4 printer. Keeps each PDF in a private folder with a PNG preview.

Not a wire simulator: the real path is CUPS (tests run a private cupsd). This one lets the demo
terminal print a certificate anyone can open: `<dir>/doc-N.pdf` + `doc-N.png` (first page, via
poppler's pdftoppm). Options: `fault=` media_empty | door_open | offline | stopped | held |
toner_low (held: the job never completes and is cancelled on the timeout, like a held CUPS job),
`dir=` the output folder (default: DATA_DIR/a4printer), `keep=` how many documents to keep (20).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import threading
from pathlib import Path

from drivers.a4printer.status import A4Status, JobResult, JobState, PrinterState
from drivers.a4printer.url import A4Url

log = logging.getLogger(__name__)

FAULT_REASONS = {
    "media_empty": "media-empty-error",
    "door_open": "door-open-error",
    "offline": "offline-report",
    "toner_low": "toner-low-warning",
    "stopped": "paused",
}


class SimA4Printer:
    """In-process A4 printer for the demo (documents kept 0600 in a 0700 folder)."""

    def __init__(
        self, url: A4Url, *, job_timeout_s: float = 60.0, data_dir: str | None = None
    ) -> None:
        self.url = url
        self.fault = url.options.get("fault", "")
        base = url.options.get("dir") or os.path.join(data_dir or ".", "a4printer")
        self.dir = Path(base)
        self.keep = max(1, int(url.options.get("keep", "20") or 20))
        self.job_timeout_s = job_timeout_s
        self._lock = threading.Lock()
        self._next = 1
        self.last_pdf: Path | None = None
        self.last_png: Path | None = None

    def describe(self) -> str:
        """What this is, for logs and doctor."""
        return f"simulated A4 printer (documents in {self.dir})"

    def set_fault(self, fault: str) -> None:
        """Inject a fault ("" clears it): the demo dock and tests drive this."""
        self.fault = fault

    def status(self) -> A4Status:
        """Ready, or the injected fault as CUPS would report it."""
        reason = FAULT_REASONS.get(self.fault)
        state = (
            PrinterState.STOPPED
            if self.fault in ("stopped", "media_empty", "door_open", "offline")
            else PrinterState.IDLE
        )
        if self.fault == "offline":
            reason = "offline-error"
        return A4Status.from_attributes(int(state), [reason] if reason else [], True)

    def print_pdf(self, pdf: bytes, title: str = "document") -> JobResult:
        """Keep the PDF and its preview; completed unless a fault is injected."""
        with self._lock:
            st = self.status()
            if not st.can_print:
                return JobResult(0, None, st.value)
            job = self._next
            self._next += 1
            if self.fault == "held":
                return JobResult(job, JobState.CANCELED, "held")
            self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(self.dir, 0o700)
            pdf_path = self.dir / f"doc-{job}.pdf"
            fd = os.open(pdf_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(pdf)
            self.last_pdf = pdf_path
            self.last_png = self._preview(pdf_path)
            self._prune()
            log.info("sim a4printer: job %d kept as %s", job, pdf_path.name)
            return JobResult(job, JobState.COMPLETED, "", 1)

    def _preview(self, pdf_path: Path) -> Path | None:
        if shutil.which("pdftoppm") is None:
            log.warning("pdftoppm missing (poppler-utils): no preview of %s", pdf_path.name)
            return None
        out = pdf_path.with_suffix("")
        try:
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    "60",
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-singlefile",
                    str(pdf_path),
                    str(out),
                ],
                check=True,
                timeout=30,
                capture_output=True,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            log.warning("preview of %s failed: %s", pdf_path.name, exc)
            return None
        png = out.with_suffix(".png")
        if png.exists():
            os.chmod(png, 0o600)
            return png
        return None

    def _prune(self) -> None:
        docs = sorted(self.dir.glob("doc-*.pdf"), key=lambda p: p.stat().st_mtime)
        for old in docs[: -self.keep]:
            old.unlink(missing_ok=True)
            old.with_suffix(".png").unlink(missing_ok=True)

    def test_page(self, pdf: bytes) -> JobResult:
        """A technician's test page."""
        return self.print_pdf(pdf, "test page")

    def close(self) -> None:
        """Nothing to release."""

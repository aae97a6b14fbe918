"""CUPS over IPP through pycups (libcups): queue status, one job streamed, tracked to the end."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from drivers.a4printer.errors import A4PrinterError, PrinterUnreachable
from drivers.a4printer.status import A4Status, JobResult, JobState
from drivers.a4printer.url import A4Url

log = logging.getLogger(__name__)

PRINTER_ATTRS = [
    "printer-state",
    "printer-state-reasons",
    "printer-is-accepting-jobs",
    "printer-state-message",
    "printer-make-and-model",
]
JOB_ATTRS = ["job-state", "job-state-reasons", "job-media-sheets-completed"]
HTTP_CONTINUE = 100
"""What libcups returns while a document is being written (pycups exports no name for it)."""
POLL_S = 0.25
FAULT_GRACE_S = 5.0
"""A job waiting behind a fatal printer fault (media-empty, door-open, a held job) is given up
after this long: the citizen is told at once instead of a certificate coming out for the next
person once someone loads paper."""


_GLOBAL_LOCK = threading.Lock()


class CupsPrinter:
    """One CUPS queue. Thread-safe; every call opens its own IPP connection (libcups http_t is
    not shared between threads)."""

    def __init__(
        self,
        url: A4Url,
        *,
        job_timeout_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        fault_grace_s: float = FAULT_GRACE_S,
    ) -> None:
        self.url = url
        self.queue = url.queue
        self.job_timeout_s = job_timeout_s
        self.fault_grace_s = fault_grace_s
        self.clock, self.sleep = clock, sleep
        self._lock = threading.Lock()

    def describe(self) -> str:
        """Queue and server, for logs and doctor (no secrets in CUPS URLs)."""
        where = self.url.server or "default cupsd"
        return (
            f"CUPS queue {self.queue} on {where}{':' + str(self.url.port) if self.url.port else ''}"
        )

    def _connect(self) -> Any:
        import cups  # pycups: imported on first use (libcups only where an A4 printer is configured)

        try:
            if self.url.server is None:
                return cups.Connection()
            with _GLOBAL_LOCK:
                # pycups quirk: Create-Job & co. build their printer-uri from libcups' global
                # server and port, not the connection's, so cupsd on another port answers
                # "printer does not exist" unless the globals match this connection.
                cups.setServer(self.url.server)
                if self.url.port is not None:
                    cups.setPort(self.url.port)
                    return cups.Connection(host=self.url.server, port=self.url.port)
                return cups.Connection(host=self.url.server)
        except RuntimeError as exc:  # pycups raises RuntimeError("failed to connect to server")
            raise PrinterUnreachable(f"{self.describe()}: {exc}") from None

    def status(self) -> A4Status:
        """printer-state and printer-state-reasons; unreachable when cupsd does not answer."""
        import cups

        try:
            conn = self._connect()
            attrs = conn.getPrinterAttributes(self.queue, requested_attributes=PRINTER_ATTRS)
        except PrinterUnreachable:
            return A4Status(None, ("unreachable",), False, "cupsd did not answer", ("unreachable",))
        except cups.IPPError as exc:
            code, text = exc.args if len(exc.args) == 2 else (0, str(exc))
            if code == cups.IPP_NOT_FOUND:
                return A4Status(
                    None, ("not-found",), False, f"no queue {self.queue}", ("unreachable",)
                )
            return A4Status(None, (), False, f"IPP error {code}: {text}", ("unreachable",))
        reasons = attrs.get("printer-state-reasons") or []
        if isinstance(reasons, str):
            reasons = [reasons]
        return A4Status.from_attributes(
            attrs.get("printer-state"),
            reasons,
            bool(attrs.get("printer-is-accepting-jobs", True)),
            str(attrs.get("printer-state-message") or ""),
        )

    def print_pdf(self, pdf: bytes, title: str = "document") -> JobResult:
        """Send one PDF and wait for job-state = completed (else cancel it and say why)."""
        with self._lock:
            before = self.status()
            if not before.can_print:
                log.warning("%s cannot print now: %s", self.describe(), before.value)
                return JobResult(0, None, before.value)
            try:
                job_id = self._submit(pdf, title)
            except A4PrinterError as exc:
                return JobResult(0, None, exc.reason)
            return self._track(job_id)

    def _submit(self, pdf: bytes, title: str) -> int:
        import cups

        # cupsd 2.4.2 (Debian 12) dies with SIGSEGV on a Create-Job/Send-Document whose name has
        # a space; job names are also shown to anyone with lpstat: keep them to a safe token
        title = re.sub(r"[^A-Za-z0-9_.-]+", "_", title)[:60] or "document"
        conn = self._connect()
        try:
            # streamed (Create-Job + Send-Document): the certificate never touches this disk
            job_id = conn.createJob(self.queue, title[:60], {"media": "iso_a4_210x297mm"})
            conn.startDocument(self.queue, job_id, title[:60], "application/pdf", 1)
            for i in range(0, len(pdf), 65536):
                chunk = pdf[i : i + 65536]
                status = conn.writeRequestData(chunk, len(chunk))
                if status != HTTP_CONTINUE:
                    raise A4PrinterError(
                        f"sending the document failed (HTTP status {status})", "send_failed"
                    )
            conn.finishDocument(self.queue)
        except cups.IPPError as exc:
            code = exc.args[0] if exc.args else 0
            reason = (
                "not_accepting"
                if code in (cups.IPP_NOT_ACCEPTING, cups.IPP_NOT_POSSIBLE)
                else "rejected"
            )
            raise A4PrinterError(f"{self.describe()} refused the job: {exc}", reason) from None
        log.info("job %s sent to %s (%d bytes)", job_id, self.describe(), len(pdf))
        return int(job_id)

    def job_state(self, job_id: int) -> tuple[JobState | None, tuple[str, ...], int]:
        """(job-state, job-state-reasons, sheets completed); state None when not answered."""
        import cups

        try:
            attrs = self._connect().getJobAttributes(job_id, requested_attributes=JOB_ATTRS)
        except (PrinterUnreachable, cups.IPPError):
            return None, (), 0
        reasons = attrs.get("job-state-reasons") or []
        if isinstance(reasons, str):
            reasons = [reasons]
        try:
            state = JobState(attrs.get("job-state"))
        except ValueError:
            state = None
        return state, tuple(reasons), int(attrs.get("job-media-sheets-completed") or 0)

    def _track(self, job_id: int) -> JobResult:
        deadline = self.clock() + self.job_timeout_s
        fault_since: float | None = None
        state: JobState | None = None
        while True:
            state, reasons, sheets = self.job_state(job_id)
            if state == JobState.COMPLETED:
                log.info("job %s completed", job_id)
                return JobResult(job_id, state, "", sheets)
            if state in (JobState.CANCELED, JobState.ABORTED):
                log.warning("job %s ended %s (%s)", job_id, state.name.lower(), ",".join(reasons))
                return JobResult(job_id, state, state.name.lower())
            now = self.clock()
            blocked = ""
            if state == JobState.HELD:
                blocked = "held"
            elif state == JobState.STOPPED:
                blocked = "stopped"
            else:
                st = self.status()
                if st.fatal and st.value != "unreachable":
                    blocked = st.value  # live while our job waits: media-empty, door-open …
            if blocked:
                fault_since = now if fault_since is None else fault_since
                if now - fault_since >= self.fault_grace_s:
                    return self._give_up(job_id, state, blocked)
            else:
                fault_since = None
            if now >= deadline:
                return self._give_up(job_id, state, "timeout")
            self.sleep(POLL_S)

    def _give_up(self, job_id: int, state: JobState | None, reason: str) -> JobResult:
        """Cancel a job that will not complete now, so it never comes out for someone else."""
        import cups

        log.warning("job %s not completed (%s): cancelling it", job_id, reason)
        try:
            self._connect().cancelJob(job_id, purge_job=False)
        except (PrinterUnreachable, cups.IPPError) as exc:
            log.error("job %s could not be cancelled: %s", job_id, exc)
        # the job may have completed between the last poll and the cancel: CUPS has the last word
        final, _, sheets = self.job_state(job_id)
        if final == JobState.COMPLETED:
            return JobResult(job_id, final, "", sheets)
        return JobResult(job_id, final or state, reason)

    def test_page(self, pdf: bytes) -> JobResult:
        """Print a technician's test page (same path as a certificate)."""
        return self.print_pdf(pdf, "test page")

    def close(self) -> None:
        """Nothing held between calls."""

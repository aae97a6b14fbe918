"""The A4 document step of a `print` item: render → register the digest at central → print →
printed only when CUPS says job-state = completed.

The engine calls `job(engine)` on the UI thread (everything personal is copied out then) and runs
the returned callable off it; the outcome is a PrintOutcome like the receipt printer's.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from kiosk.documents.clock import local_time
from kiosk.documents.content import Verification, build_document
from kiosk.documents.errors import DocumentError
from kiosk.session.ports import CentralUnavailable, DeviceState, EventSink, PrintOutcome

log = logging.getLogger(__name__)

#: Printer reasons that make the A4 printer unusable until a technician acts (the item greys).
DEVICE_FAULTS = frozenset(
    {
        "media_empty",
        "door_open",
        "offline",
        "media_jam",
        "toner_empty",
        "stopped",
        "not_accepting",
        "unreachable",
    }
)
NOT_CONFIGURED = "not_configured"


class DocumentPrinting:
    """Prints certificates on the A4 printer and reports its state (a device event source)."""

    def __init__(
        self,
        printer: Any,
        central: Any,
        *,
        poll_s: float = 5.0,
        render: Callable[..., tuple[bytes, int]] | None = None,
    ) -> None:
        self.printer = printer
        """drivers.a4printer CupsPrinter / SimA4Printer, or None (no A4 printer configured)."""
        self.central = central
        self.poll_s = poll_s
        self._render = render
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_pdf_sha256 = ""
        self.reported: str | None = None
        """The last state the poller reported ("" ok, else the reason; None: not yet)."""

    # ---- engine hooks ----

    def owns(self, engine: Any) -> bool:
        """Whether the engine's current print is a document (a `print` item)."""
        item = engine.session.item
        return item is not None and item.kind == "print"

    def job(self, engine: Any) -> Callable[[], PrintOutcome]:
        """Copy what the document needs out of the session; the blocking work to run."""
        s = engine.session
        item = s.item
        answer = s.outcome.answer if s.outcome else None
        fields: dict[str, Any] = {}
        for f in item.fields:
            value = s.clean.get(f.name)
            opt = f.option(str(value)) if f.type == "choice" and value is not None else None
            fields[f.name] = (
                opt.zh if opt else (value.isoformat() if hasattr(value, "isoformat") else value)
            )
        holder = s.holder
        now = engine.wall_clock()
        session = {
            "holder_name": holder.name if holder else "",
            "holder_id_number": holder.id_number if holder else "",
            "terminal_id": engine.terminal_id,
            "hall_name": engine.hall_name,
            "case_no": s.service_id,
            "item_name": item.name_zh,
            "time": local_time(now).strftime("%Y-%m-%d %H:%M"),
        }
        return lambda: self.print_document(item, answer, fields, session)

    def after_failure(self, engine: Any) -> None:
        """A failed print greys print items while the printer itself is at fault."""
        if engine.session.print_reason in DEVICE_FAULTS:
            engine.devices["a4printer"] = engine.session.print_reason

    # ---- the work (off the UI thread) ----

    def print_document(
        self, item: Any, answer: Any, fields: dict[str, Any], session: dict[str, Any]
    ) -> PrintOutcome:
        """Render, register, print; `printed` only for a job CUPS completed."""
        if self.printer is None:
            return PrintOutcome(False, NOT_CONFIGURED)
        issued = getattr(answer, "document", None)
        if issued is None:
            # central issued no 核验码: a certificate nobody can verify is not printed
            log.warning("no document issued by central for %s", item.code)
            return PrintOutcome(False, "not_issued")
        try:
            pdf, pages = self.render(item, answer, fields, session, issued)
        except DocumentError as exc:
            log.error("document %s not rendered: %s", item.code, exc)
            return PrintOutcome(False, exc.reason)
        digest = hashlib.sha256(pdf).hexdigest()
        try:
            self.central.register_document(issued.code, digest, pages)
        except CentralUnavailable as exc:
            log.warning("document digest not registered (%s): not printing", exc)
            return PrintOutcome(False, "not_registered")
        self.last_pdf_sha256 = digest
        result = self.printer.print_pdf(pdf, title=f"{item.code} {issued.code[:5]}")
        if result.printed:
            log.info("document %s printed (job %s, %d page(s))", item.code, result.job_id, pages)
            return PrintOutcome(True)
        log.warning("document %s not printed: %s", item.code, result.reason)
        return PrintOutcome(False, result.reason or "not_completed")

    def render(
        self, item: Any, answer: Any, fields: dict[str, Any], session: dict[str, Any], issued: Any
    ) -> tuple[bytes, int]:
        """The PDF of this document and its page count."""
        from kiosk.documents.render import render_document

        expires = issued.expires_at
        expires_local = (
            local_time(expires.timestamp()).date().isoformat()
            if isinstance(expires, datetime)
            else str(expires)[:10]
        )
        issued_at = (
            local_time(issued.issued_at.timestamp()).strftime("%Y-%m-%d %H:%M")
            if isinstance(issued.issued_at, datetime)
            else session["time"]
        )
        doc = build_document(
            item,
            fields=fields,
            result=dict(answer.values),
            session=session,
            columns=answer.columns,
            rows=answer.rows,
            verification=Verification(issued.code, issued.verify_url, expires_local),
            issued_at=issued_at,
        )
        return (self._render or render_document)(doc)

    # ---- device state (EventSource) ----

    def start(self, sink: EventSink) -> None:
        """Report the A4 printer's state now and on every change (own thread)."""
        if self.printer is None:
            sink(DeviceState("a4printer", False, NOT_CONFIGURED))
            return

        def run() -> None:
            warm_up()
            last: str | None = None
            while not self._stop.is_set():
                try:
                    st = self.printer.status()
                    reason = "" if st.can_print else st.value
                except Exception:  # noqa: BLE001 - the poller must outlive any driver fault
                    log.exception("A4 printer status poll failed")
                    reason = "unreachable"
                if reason != last:
                    last = self.reported = reason
                    sink(DeviceState("a4printer", not reason, reason))
                self._stop.wait(self.poll_s if not reason else min(self.poll_s, 2.0))

        self._thread = threading.Thread(target=run, name="a4printer-status", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop polling."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        if self.printer is not None:
            self.printer.close()


def warm_up() -> None:
    """Load reportlab and the CJK font now (≈ 300 ms once), not when the first citizen prints."""
    try:
        from kiosk.documents.render import register_font

        register_font()
        import reportlab.platypus  # noqa: F401
    except Exception as exc:  # noqa: BLE001 - a print will report the real problem
        log.warning("document renderer not warmed up: %s", exc)

"""The session's ports implemented over the real drivers, central client and outbox.

Every callback here runs on a driver or worker thread; it only turns what happened into a
`kiosk.session.ports` event and hands it to the sink (which the UI marshals to its thread).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from kiosk import clock as terminal_clock
from kiosk.central_api import query_english
from kiosk.session.ports import (
    CardHolder,
    CardPresence,
    CardRead,
    CardUnreadable,
    CentralUnavailable,
    CodeScanned,
    DeviceState,
    EventSink,
    PrintOutcome,
    QueryAnswer,
    RatingRecord,
    ReceiptDoc,
    Submitted,
)

log = logging.getLogger(__name__)

CARD_TYPES = {
    "mainland": "mainland",
    "hk_mo_tw": "hmt",
    "foreign_2017": "foreigner",
    "foreign_2023": "foreigner",
}


def holder_from_card(card: Any) -> CardHolder:
    """drivers.idcard IdCard → the session's CardHolder (photo kept as opaque bytes)."""
    birth = card.birth_date.isoformat() if getattr(card, "birth_date", None) else ""
    return CardHolder(
        name=card.display_name,
        id_number=card.id_number,
        card_type=CARD_TYPES.get(card.card_type.json_name, "mainland"),  # type: ignore[arg-type]
        sex=card.sex_text,
        birth=birth,
        address=getattr(card, "address", ""),
        photo=card.photo,
        valid_to=_valid_to(getattr(card, "valid_to", None)),
    )


def _valid_to(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value or "")


class CardReaderSource:
    """drivers.idcard.IdCardReader (poll thread) → CardRead / CardUnreadable / DeviceState."""

    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self._sink: EventSink | None = None

    def start(self, sink: EventSink) -> None:
        """Attach the callbacks and start the reader's poll loop."""
        from drivers.idcard.errors import CardDataError, ProtocolError
        from drivers.idcard.reader import ReaderState

        self._sink = sink

        def on_card(card: Any) -> None:
            sink(CardRead(holder_from_card(card)))

        def on_error(exc: Exception) -> None:
            if isinstance(exc, (CardDataError, ProtocolError)) and not _is_link_error(exc):
                sink(CardUnreadable(type(exc).__name__))
            else:
                sink(DeviceState("idcard", False, type(exc).__name__))

        def on_state(old: Any, new: Any) -> None:
            if new in (ReaderState.IDLE, ReaderState.CARD_PRESENT, ReaderState.READING) and old in (
                ReaderState.DISCONNECTED,
                ReaderState.ERROR,
            ):
                sink(DeviceState("idcard", True))
            if new is ReaderState.CARD_PRESENT and old is ReaderState.IDLE:
                sink(CardPresence(True))
            elif new is ReaderState.IDLE and old in (ReaderState.CARD_PRESENT, ReaderState.READING):
                sink(CardPresence(False))

        self.reader.on_card(on_card)
        self.reader.on_error(on_error)
        self.reader.on_state(on_state)
        self.reader.start()

    def rearm(self, read: bool) -> None:
        """Wake a card left on the reader: read it again, or only report its presence."""
        self.reader.rearm(read)

    def stop(self) -> None:
        """Stop the poll loop and close the port."""
        self.reader.close()


def _is_link_error(exc: Exception) -> bool:
    from drivers.idcard.errors import ChecksumError

    return isinstance(exc, ChecksumError)


class ScannerSource:
    """drivers.scanner.Scanner (reader thread) → CodeScanned / DeviceState."""

    def __init__(self, scanner: Any) -> None:
        self.scanner = scanner

    def start(self, sink: EventSink) -> None:
        """Start the scanner, forward each scan and each loss / return of its port."""
        self.scanner.on_scan = lambda scan: sink(CodeScanned(scan.text))
        self.scanner.on_connection = lambda up: sink(
            DeviceState("scanner", up, "" if up else "unreachable")
        )
        try:
            self.scanner.start(retry=True)  # absent at boot: greyed now, picked up when plugged in
        except Exception as exc:  # noqa: BLE001 - a missing scanner greys items, never crashes
            log.warning("scanner unavailable: %s", exc)
            sink(DeviceState("scanner", False, "unreachable"))

    def stop(self) -> None:
        """Stop reading."""
        self.scanner.stop()


#: While the printer cannot print (unplugged, no paper…) its status is polled at least this
#: often, so a replugged printer is back on the home screen within the 5 s hot-plug budget
#: whatever `printer.poll_interval_s` says (that pace is for a healthy printer).
RECOVERY_POLL_S = 1.0


class PrinterPort:
    """drivers.printer.ReceiptPrinter as the session's Printer, plus a status poller."""

    def __init__(
        self, printer: Any, poll_s: float = 3.0, recovery_poll_s: float = RECOVERY_POLL_S
    ) -> None:
        self.printer = printer
        self.poll_s = poll_s
        self.recovery_poll_s = min(recovery_poll_s, poll_s)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last = ""

    def print_receipt(self, receipt: ReceiptDoc) -> PrintOutcome:
        """Print; `printed` only when the printer confirmed a good status before and after."""
        from drivers.printer.receipt import Receipt

        doc = Receipt(
            title=receipt.title, lines=receipt.lines, qr=receipt.qr, footer=receipt.footer
        )
        with self._lock:
            result = self.printer.print_receipt(doc)
        if result.printed:
            return PrintOutcome(True)
        status = result.after or result.before
        reason = (
            status.value if status is not None and status.value != "ok" else result.outcome.value
        )
        self._last = reason  # the engine now knows; the next good poll reports the recovery
        return PrintOutcome(False, reason)

    def start(self, sink: EventSink) -> None:
        """Poll the status every `poll_s` seconds (`recovery_poll_s` while bad); report changes."""

        def run() -> None:
            while not self._stop.is_set():
                try:
                    with self._lock:
                        st = self.printer.status()
                    reason = "" if st.can_print else st.value
                except Exception:  # noqa: BLE001 - the poller must outlive any driver fault
                    log.exception("printer status poll failed")
                    reason = "error"
                if reason != self._last or self._thread is None:
                    self._last = reason
                    sink(DeviceState("printer", not reason, reason))
                self._stop.wait(self.recovery_poll_s if reason else self.poll_s)

        self._thread = threading.Thread(target=run, name="printer-status", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop polling and close the link."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        with self._lock:
            self.printer.close()


class CentralPort:
    """The central client and the outbox as the session's Central port."""

    def __init__(
        self,
        client: Any,
        outbox: Any,
        region_code: str,
        *,
        wait_delivery_s: float = 3.0,
        clock: Callable[[], float] = time.time,
        on_call: Callable[[BaseException | None], None] | None = None,
    ) -> None:
        self.on_call = on_call
        """Told of every query / progress call's outcome (the sync worker: offline at once)."""
        self.client = client
        self.outbox = outbox
        self.region_code = region_code
        self.wait_delivery_s = wait_delivery_s
        self.clock = clock

    def _identity(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        holder = payload.get("_holder") or {}
        method = {"sscard": "sscard", "app_code": "app_code"}.get(
            holder.get("method", ""), "idcard"
        )
        return {
            "method": method if holder else "qr",
            "id_number": holder.get("id_number") or payload.get("id_number") or "",
            "name": holder.get("name", ""),
        }

    @staticmethod
    def _fields(payload: Mapping[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in payload.items() if not k.startswith("_")}

    def query(self, item_code: str, payload: Mapping[str, Any]) -> QueryAnswer:
        """POST /v1/queries/{item_code}."""
        from kiosk.central_errors import CentralClientError

        body = {
            "region_code": self.region_code,
            "identity": self._identity(payload),
            "params": {k: v for k, v in self._fields(payload).items() if k != "id_number"},
        }
        try:
            res = self.client.query(item_code, body)
        except CentralClientError as exc:
            self._report(exc)
            raise CentralUnavailable(type(exc).__name__) from exc
        self._report(None)
        title_en, columns_en, terms_en = query_english(res)
        return QueryAnswer(
            title=res.title,
            rows=tuple(tuple(r) for r in res.rows),
            columns=tuple(res.columns),
            printable=bool(res.printable),
            case_no=res.case_no,
            printable_lines=tuple(res.printable),
            values=dict(res.values),
            document=getattr(res, "document", None),
            title_en=title_en,
            columns_en=tuple(columns_en),
            terms_en=terms_en,
        )

    def register_document(self, code: str, sha256: str, pages: int) -> None:
        """PUT /v1/documents/{code}/digest (a document is printed only once this succeeded)."""
        from kiosk.central_errors import CentralClientError

        try:
            self.client.register_document(code, sha256, pages)
        except CentralClientError as exc:
            raise CentralUnavailable(type(exc).__name__) from exc

    def verify_face(self, payload: Mapping[str, Any]) -> Any:
        """POST /v1/identity/face (kiosk.central_api.FaceVerification) → FaceVerdict."""
        from kiosk.central_errors import CentralClientError

        try:
            return self.client.verify_face(dict(payload))
        except CentralClientError as exc:
            raise CentralUnavailable(type(exc).__name__) from exc

    def progress(self, case_no: str) -> QueryAnswer:
        """GET /v1/cases/{case_no}; a provisional number still in the outbox is answered locally."""
        from kiosk.central_errors import CentralClientError

        ref = self.outbox.lookup_case(case_no) or self._own_provisional(case_no)
        if ref is not None and not ref.case_no:
            return QueryAnswer(
                title=case_no,
                rows=((terminal_clock.strftime("%Y-%m-%d %H:%M", ref.created), "queued"),),
                columns=("time", "status"),
                printable=False,
                values={"queued": True},
            )
        number = ref.case_no if ref is not None and ref.case_no else case_no
        try:
            res = self.client.case(number)
        except CentralClientError as exc:
            self._report(exc)
            raise CentralUnavailable(type(exc).__name__) from exc
        self._report(None)
        rows = tuple(
            (terminal_clock.local(ev.at.timestamp()).strftime("%Y-%m-%d %H:%M"), ev.status.value)
            for ev in res.history
        )
        return QueryAnswer(
            title=res.case_no,
            rows=rows,
            columns=("time", "status"),
            printable=False,
            values={"status": res.status.value},
        )

    def _report(self, exc: BaseException | None) -> None:
        if self.on_call is not None:
            try:
                self.on_call(exc)
            except Exception:  # noqa: BLE001 - reporting must never break the citizen's query
                log.exception("connectivity report failed")

    def _own_provisional(self, typed: str) -> Any:
        """This terminal's provisional number typed upper-case (the keypad has no lower case)."""
        own = getattr(self.outbox, "terminal_id", "")
        if own and own != own.upper() and typed.upper().startswith(own.upper() + "-"):
            return self.outbox.lookup_case(own + typed[len(own) :])
        return None

    def submit(self, item_code: str, payload: Mapping[str, Any]) -> Submitted:
        """Queue the submission (on disk first), then wait briefly for central's case number."""
        body: dict[str, Any] = {
            "item_code": item_code,
            "region_code": self.region_code,
            "fields": self._fields(payload),
        }
        if payload.get("_anonymous"):
            body["anonymous"] = True  # 匿名: no identity leaves the terminal
        else:
            body["applicant"] = self._identity(payload)
        queued = self._enqueue("submission", body)
        deadline = time.monotonic() + self.wait_delivery_s
        while time.monotonic() < deadline:
            row = self.outbox.get(queued.id)
            if row is not None and row.case_no:
                return Submitted(row.case_no, provisional=False, status="received")
            if row is not None and row.state.value == "dead":
                raise CentralUnavailable(row.last_error or "refused")
            time.sleep(0.05)
        return Submitted(queued.provisional_no or "", provisional=True, status="queued")

    def submit_bundle(
        self, bundle_code: str, items: Any, payload: Mapping[str, Any], names: Mapping[str, str]
    ) -> Any:
        """一件事一次办 (issue 23): the items as one queued request (kiosk.bundle.delivery)."""
        from kiosk.bundle.delivery import submit_bundle

        return submit_bundle(self, bundle_code, items, payload, names)

    def rate(self, rating: RatingRecord) -> None:
        """Queue a rating; a skip is only logged (central records ratings, not refusals)."""
        if rating.skipped or rating.level is None:
            log.info("rating skipped for %s (%s)", rating.item_code, rating.reason)
            return
        from kiosk.rating.record import body

        self._enqueue(
            "rating",
            body(
                rating.service_id,
                rating.item_code,
                rating.level,
                rating.tags,
                rating.comment,
                rating.dictionary_version,
                dict(rating.indicators),
                rating.hall,
                rating.callback_phone,
                rating.rater,
            ),
        )

    def _enqueue(self, kind: str, body: dict[str, Any]) -> Any:
        """Queue on disk; a damaged queue or a full disk is IntakeRefused, never "network"."""
        from kiosk.outbox import OutboxClosed, OutboxError
        from kiosk.session.errors import IntakeRefused

        try:
            return self.outbox.enqueue(kind, body)
        except OutboxClosed:
            raise
        except OutboxError as exc:
            log.error("%s not accepted: %s", kind, exc)
            raise IntakeRefused(type(exc).__name__) from exc

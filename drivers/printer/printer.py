"""`ReceiptPrinter`: a python-escpos `Escpos` over our links, with status checks around every job."""

from __future__ import annotations

import enum
import logging
import time
from dataclasses import dataclass
from typing import Any

from escpos.escpos import Escpos

from drivers.printer import status as st
from drivers.printer.errors import PrinterConnectionError
from drivers.printer.receipt import Layout, Receipt, render
from drivers.printer.status import PrinterStatus, StatusTracker
from drivers.printer.transport import Link, open_link

log = logging.getLogger(__name__)
wire = logging.getLogger("kiosk.wire")
#: Writes longer than this are logged by size only: receipts carry personal data.
WIRE_HEX_MAX = 16

#: GS r 1: "transmit paper sensor status". Unlike DLE EOT it is executed in order, after all
#: data sent before it has been printed, so its reply tells us the receipt came out.
PRINTED_BARRIER = b"\x1dr\x01"
BARRIER_POLL_S = 0.2
#: How long an idle printer that can print gets to answer GS r 1 at connect. Answering printers
#: reply in milliseconds; one that stays silent has no GS r (many cheap clones), and its jobs are
#: then confirmed by status polling for at most NO_GS_R_CONFIRM_S instead of the full timeout.
GS_R_PROBE_S = 0.5
NO_GS_R_CONFIRM_S = 2.0
#: After a DLE EOT reply, bytes arriving within this gap are duplicates of it and are dropped.
STATUS_SETTLE_S = 0.02


class PrintOutcome(enum.Enum):
    """How a print job ended."""

    printed = "printed"
    not_ready = "not_ready"  # status before the job was bad: nothing sent
    failed = "failed"  # sent, but the status after the job is bad (e.g. paper ran out)
    unreachable = "unreachable"  # connection refused / lost


@dataclass(frozen=True)
class PrintResult:
    """The typed result of one print job."""

    outcome: PrintOutcome
    before: PrinterStatus
    after: PrinterStatus | None = None
    bytes_sent: int = 0
    replaced: int = 0
    message: str = ""
    confirmed: bool | None = None  # the printer answered the GS r barrier after the last line

    @property
    def printed(self) -> bool:
        """True only if the status was good before and after the job."""
        return self.outcome is PrintOutcome.printed


class ReceiptPrinter(Escpos):
    """An ESC/POS receipt printer on any printer URL (see `drivers.printer.transport.open_link`)."""

    def __init__(
        self,
        url: str,
        *,
        profile: str = "default",
        paper_mm: int = 80,
        chinese_mode: bool = True,
        baudrate: int = 115200,
        timeout_s: float = 1.0,
        status_attempts: int = st.MISSES_UNTIL_GONE,
        confirm_printed: bool = True,
        print_timeout_s: float = 30.0,
    ) -> None:
        # python-escpos types _device as a bool placeholder; here it is False or an open Link.
        self._device: Any = False
        self.layout = Layout(paper_mm, profile, chinese_mode)  # ReceiptError on a bad profile/width
        Escpos.__init__(self, profile=profile)
        self.url = url
        self.baudrate = baudrate
        self.timeout_s = timeout_s
        self.status_attempts = status_attempts
        self.confirm_printed = confirm_printed
        self.print_timeout_s = print_timeout_s
        self.tracker = StatusTracker()
        self.answers_gs_r: bool | None = None
        """Whether the printer answers GS r 1 (None: not asked yet on this connection)."""

    # -- python-escpos plumbing -------------------------------------------------------------
    def open(self) -> None:
        """Open the link (python-escpos calls this on first use of `device`)."""
        self._device = open_link(self.url, baudrate=self.baudrate, timeout=self.timeout_s)
        self.answers_gs_r = None  # another printer may be on the other end now

    def close(self) -> None:
        """Close the link; the next command reopens it."""
        link: Any = getattr(self, "_device", False)
        if link:
            link.close()
        self._device = False

    def _link(self) -> Link:
        if not self._device:
            self._device = False
            self.open()
        return self._device  # type: ignore[return-value]

    def _raw(self, msg: bytes) -> None:
        if wire.isEnabledFor(logging.DEBUG):
            shown = msg.hex(" ") if len(msg) <= WIRE_HEX_MAX else f"<{len(msg)} bytes>"
            wire.debug("printer >> %s", shown)
        try:
            self._link().write(msg)
        except PrinterConnectionError:
            self.close()
            raise

    def _read(self) -> bytes:
        return self._read_some(1, self.timeout_s)

    def _read_some(self, size: int, timeout: float) -> bytes:
        try:
            data = self._link().read(size, timeout)
        except PrinterConnectionError:
            self.close()
            raise
        if data:
            wire.debug("printer << %s", data.hex(" "))
        return data

    # -- status -----------------------------------------------------------------------------
    def poll_status(self) -> PrinterStatus:
        """One real-time poll (DLE EOT 1, 2, 4); no or bad reply → unknown. Raises on a broken link.

        Each reply is matched to its own query: input is flushed before each query, only a byte
        arriving after it with the fixed bits right (bits 1 and 4 set, 0 and 7 clear) counts, and
        bytes following it within STATUS_SETTLE_S (a printer that answers twice) are dropped, so
        a late or doubled answer is never taken for the answer to the next query.
        """
        replies: dict[int, bytes | None] = {}
        for n in st.QUERIES:
            reply = self._query_status(n)
            if reply is None:
                log.debug("DLE EOT %d: no valid reply", n)
                return PrinterStatus.unknown
            replies[n] = reply
        return st.decode(replies)

    def _discard(self) -> None:
        try:
            self._link().discard_input()
        except PrinterConnectionError:
            self.close()
            raise

    def _query_status(self, n: int) -> bytes | None:
        self._discard()
        self._raw(st.query(n))
        deadline = time.monotonic() + self.timeout_s
        while (left := deadline - time.monotonic()) > 0:
            data = self._read_some(1, left)
            if not data:
                return None
            if st.valid_reply(data):
                while self._read_some(8, STATUS_SETTLE_S):
                    pass  # a duplicate (or later garbage) of this very reply
                return data
            log.debug("DLE EOT %d: dropped stray byte 0x%02x", n, data[0])
        return None

    def status(self) -> PrinterStatus:
        """Poll until an answer (at most `status_attempts` polls, one once the printer is gone,
        so a poller notices its return quickly); a broken link gives unknown."""
        polled = PrinterStatus.unknown
        for _ in range(1 if self.tracker.gone else self.status_attempts):
            try:
                polled = self.poll_status()
            except PrinterConnectionError as exc:
                # once gone, say it once (the tracker warns), not on every poll while unplugged
                (log.debug if self.tracker.gone else log.warning)("printer status: %s", exc)
                polled = PrinterStatus.unknown
            self.tracker.update(polled)
            if polled is not PrinterStatus.unknown:
                break
        return polled

    # -- jobs -------------------------------------------------------------------------------
    def print_receipt(self, receipt: Receipt) -> PrintResult:
        """Print one receipt; `printed` only if the status is good before and after."""
        try:
            before = self._status_or_raise()
        except PrinterConnectionError as exc:
            return PrintResult(PrintOutcome.unreachable, PrinterStatus.unknown, message=str(exc))
        if not before.can_print:
            log.warning("receipt not printed: printer %s", before.value)
            return PrintResult(PrintOutcome.not_ready, before, message=f"printer {before.value}")
        rendered = render(receipt, self.layout)
        confirmed: bool | None = None
        try:
            if self.confirm_printed and self.answers_gs_r is None:
                self.answers_gs_r = self.probe_gs_r()
            self._raw(rendered.data)
            if self.confirm_printed:
                confirmed = self.wait_printed(self.print_timeout_s)
        except PrinterConnectionError as exc:
            log.warning("receipt failed: %s", exc)
            return PrintResult(
                PrintOutcome.unreachable, before, None, 0, rendered.replaced, str(exc)
            )
        after = self.status()
        sent = len(rendered.data)
        if not after.can_print:
            log.warning("receipt failed: printer %s after the job", after.value)
            return PrintResult(
                PrintOutcome.failed,
                before,
                after,
                sent,
                rendered.replaced,
                f"printer {after.value} after the job",
                confirmed,
            )
        if confirmed is False:
            return PrintResult(
                PrintOutcome.failed,
                before,
                after,
                sent,
                rendered.replaced,
                "printer stopped during the job",
                confirmed,
            )
        log.info("receipt printed (%d bytes, printer %s)", sent, after.value)
        return PrintResult(
            PrintOutcome.printed, before, after, sent, rendered.replaced, "", confirmed
        )

    def probe_gs_r(self) -> bool:
        """Ask an idle printer GS r 1 once: True if it answers within GS_R_PROBE_S."""
        self._discard()
        self._raw(PRINTED_BARRIER)
        deadline = time.monotonic() + GS_R_PROBE_S
        while (left := deadline - time.monotonic()) > 0:
            data = self._read_some(1, left)  # pyserial waits for `size` bytes: ask for one
            if data and data[0] & 0xF0 == 0:
                return True
        log.info(
            "printer does not answer GS r 1: receipts are confirmed by status polling "
            "(at most %.0f s) instead",
            NO_GS_R_CONFIRM_S,
        )
        return False

    def wait_printed(self, timeout_s: float) -> bool | None:
        """Wait until everything sent is printed: True when the GS r 1 barrier is answered,
        False if DLE EOT 2 reports a stop (paper end, cover, error) first, None on timeout.
        A printer known not to answer GS r is watched for NO_GS_R_CONFIRM_S only (then None).
        Replies are told apart by bit 4: set in DLE EOT, clear in GS r.
        """
        link = self._link()
        if self.answers_gs_r is False:
            timeout_s = min(timeout_s, NO_GS_R_CONFIRM_S)
        try:
            link.discard_input()
            self._raw(PRINTED_BARRIER)
            deadline = time.monotonic() + timeout_s
            while time.monotonic() < deadline:
                slot_end = time.monotonic() + BARRIER_POLL_S
                self._raw(st.query(2))
                while (left := slot_end - time.monotonic()) > 0:
                    data = self._read_some(8, left)
                    for byte in data:
                        if byte & 0xF0 == 0:
                            return True
                        if st.valid_reply(bytes((byte,))) and byte & (
                            st.COVER_OPEN_BIT | st.PAPER_STOP_BIT | st.ERROR_BIT
                        ):
                            log.warning("printer stopped during the job (status 0x%02x)", byte)
                            return False
        except PrinterConnectionError:
            self.close()
            raise
        log.info("no reply to GS r 1 within %.1f s: print not confirmed", timeout_s)
        return None

    def _status_or_raise(self) -> PrinterStatus:
        self._link()  # a refused connection is "unreachable", not a mere unknown status
        return self.status()

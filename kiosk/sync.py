"""Background sync worker: drains the outbox, sends heartbeats, refreshes the catalogue.

One thread. Rows of a kind go out strictly in queue order (the head row blocks the ones behind
it until it is delivered or dead); submissions before ratings, so a rating given offline for a
provisional case number goes out with central's number once its submission is delivered.
Threads other than the worker only call `wake`, `stop`, `state` and `add_listener`.
"""

from __future__ import annotations

import enum
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from kiosk import __version__
from kiosk.catalogue.errors import NotNewer
from kiosk.central_api import Command, DeviceState, DeviceStatus, Heartbeat
from kiosk.central_client import CentralClient
from kiosk.central_errors import AuthError, CentralClientError, Rejected
from kiosk.crypto import SealError
from kiosk.errors import KioskError
from kiosk.outbox import DeliveryLock, Kind, Outbox, OutboxClosed, OutboxError, Row, State
from kiosk.retry import DEFAULT_POLICY, RetryPolicy, Verdict

if TYPE_CHECKING:
    from kiosk.config import TerminalConfig

log = logging.getLogger(__name__)

MAX_WAIT_S = 30.0
"""Longest sleep of the worker between two passes (guards against a clock jump)."""
PURGE_INTERVAL_S = 3600.0


class SyncError(KioskError):
    """The sync worker cannot start (e.g. another process is already delivering)."""


class Connectivity(enum.Enum):
    """What the UI shows: can central be reached right now?"""

    UNKNOWN = "unknown"
    ONLINE = "online"
    OFFLINE = "offline"
    AUTH_FAILED = "auth_failed"


class Outcome(enum.Enum):
    """Result of one delivery attempt."""

    DELIVERED = "delivered"
    RETRY = "retry"
    DEAD = "dead"
    DEFERRED = "deferred"
    ABANDONED = "abandoned"


@dataclass
class PassReport:
    """What one or more delivery passes did."""

    delivered: int = 0
    retried: int = 0
    dead: int = 0
    deferred: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        """Count one outcome."""
        if outcome is Outcome.DELIVERED:
            self.delivered += 1
        elif outcome is Outcome.RETRY:
            self.retried += 1
        elif outcome is Outcome.DEAD:
            self.dead += 1
        elif outcome is Outcome.DEFERRED:
            self.deferred += 1


DeviceStates = Callable[[], dict[str, Any]]


class SyncWorker:
    """Delivers queued rows with capped exponential backoff and keeps central informed."""

    def __init__(
        self,
        outbox: Outbox,
        client: CentralClient,
        *,
        policy: RetryPolicy = DEFAULT_POLICY,
        heartbeat_interval_s: float = 60.0,
        device_states: DeviceStates = dict,
        catalogue_version: Callable[[], int] = lambda: 0,
        install_catalogue: Callable[[bytes], object] | None = None,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        delivery_lock: DeliveryLock | None = None,
        app_version: str = __version__,
        heartbeat_at_start: bool = True,
    ) -> None:
        self.outbox = outbox
        self.client = client
        self.policy = policy
        self.heartbeat_interval_s = heartbeat_interval_s
        self.device_states = device_states
        self.catalogue_version = catalogue_version
        self.install_catalogue = install_catalogue
        self.clock = clock
        self.rng = rng or random.Random()
        self.app_version = app_version
        self._lock_file = delivery_lock
        self._state = Connectivity.UNKNOWN
        self._listeners: list[Callable[[Connectivity], None]] = []
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._started_mono = time.monotonic()
        self._next_heartbeat = 0.0 if heartbeat_at_start else clock() + heartbeat_interval_s
        self._next_purge = 0.0
        self._catalogue_etag: str | None = None
        self.after_heartbeat: list[Callable[[CentralClient], object]] = []
        """Called with the client after each heartbeat central answered."""
        self.last_heartbeat_ok: float | None = None
        self.last_refresh_error = ""
        """Why the last catalogue refresh failed ("" if it did not)."""
        self._refresh_lock = threading.Lock()
        outbox.add_listener(self.wake)

    @classmethod
    def from_config(
        cls, cfg: TerminalConfig, outbox: Outbox, client: CentralClient, **kwargs: Any
    ) -> SyncWorker:
        """A worker with the config's heartbeat interval and the inter-process delivery lock
        (pass install_catalogue, catalogue_version, device_states as keyword arguments)."""
        kwargs.setdefault("heartbeat_interval_s", cfg.central.heartbeat_interval_s)
        kwargs.setdefault("delivery_lock", DeliveryLock(outbox.path))
        return cls(outbox, client, **kwargs)

    # -- state for the UI ----------------------------------------------------------------------

    @property
    def state(self) -> Connectivity:
        """Current connectivity."""
        return self._state

    def add_listener(self, callback: Callable[[Connectivity], None]) -> None:
        """Call `callback(state)` on every change, from the worker thread (marshal it to the UI)."""
        self._listeners.append(callback)

    def _set_state(self, state: Connectivity) -> None:
        if state is self._state:
            return
        previous, self._state = self._state, state
        log.info("central connectivity: %s → %s", previous.value, state.value)
        if state is Connectivity.ONLINE and previous is not Connectivity.UNKNOWN:
            # Back online: rows waiting out a long backoff go now, not in five minutes.
            try:
                self.outbox.wake_all()
            except OutboxClosed:
                pass
        for cb in list(self._listeners):
            try:
                cb(state)
            except Exception:
                log.exception("connectivity listener failed")

    def _state_from_error(self, exc: BaseException) -> None:
        if isinstance(exc, AuthError):
            self._set_state(Connectivity.AUTH_FAILED)
        elif isinstance(exc, Rejected):
            self._set_state(Connectivity.ONLINE)  # central answered, it just said no
        else:
            self._set_state(Connectivity.OFFLINE)

    def note_unreachable(self) -> None:
        """A probe or a call outside this worker could not reach central: offline now."""
        if self._state is not Connectivity.AUTH_FAILED:
            self._set_state(Connectivity.OFFLINE)

    def note_call(self, exc: BaseException | None) -> None:
        """A call made outside this worker (a query) answered or failed: the state follows now,
        not at the next heartbeat."""
        if exc is None:
            self._set_state(Connectivity.ONLINE)
        else:
            self._state_from_error(exc)

    def recheck(self) -> None:
        """Heartbeat at once (central looks reachable again)."""
        self._next_heartbeat = 0.0
        self._wake.set()

    # -- thread --------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the worker thread (takes the inter-process delivery lock if one was given)."""
        if self._thread is not None:
            return
        if self._lock_file is not None and not self._lock_file.acquire():
            raise SyncError(f"another process is delivering this outbox ({self._lock_file.path})")
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="kiosk-sync", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Make the worker look at the queue now (called after each enqueue)."""
        self._wake.set()

    def stop(self, timeout: float = 1.0) -> bool:
        """Stop the worker; True if it ended within `timeout` seconds.

        A request in flight is cut (its row stays pending and is sent again later with the same
        idempotency key, so central keeps one copy even if it had processed it).
        """
        self._stop.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        ended = True
        if thread is not None:
            # Cut a request in flight (it ends now instead of at its read timeout); repeat in
            # case the worker had just started another one.
            deadline = time.monotonic() + timeout
            while thread.is_alive() and time.monotonic() < deadline:
                self.client.abort()
                thread.join(min(0.05, max(0.0, deadline - time.monotonic())))
            ended = not thread.is_alive()
            if not ended:
                log.warning("sync worker still waiting for central; abandoned its request")
        if self._lock_file is not None:
            self._lock_file.release()
        return ended

    @property
    def running(self) -> bool:
        """True while the thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                next_at = self.run_once()
            except OutboxClosed:
                return
            except Exception:  # the worker must survive anything and try again later
                log.exception("sync pass failed")
                next_at = self.clock() + 5.0
            if self._stop.is_set():
                return
            self._wake.wait(max(0.0, min(next_at - self.clock(), MAX_WAIT_S)))

    # -- one pass ------------------------------------------------------------------------------

    def run_once(self) -> float:
        """Deliver every due row, heartbeat and purge when due; return when to look again."""
        now = self.clock()
        if now >= self._next_heartbeat or self._next_heartbeat > now + self.heartbeat_interval_s:
            self.heartbeat()  # (the second case: the wall clock jumped back)
        self.deliver_due()
        now = self.clock()
        if now >= self._next_purge or self._next_purge > now + PURGE_INTERVAL_S:
            self._next_purge = now + PURGE_INTERVAL_S
            self.outbox.purge(now)
        candidates = [self._next_heartbeat, self._next_purge]
        due = self.outbox.next_due_at()
        if due is not None:
            candidates.append(due)
        return min(candidates)

    def deliver_due(self, report: PassReport | None = None) -> PassReport:
        """Send due rows, kind by kind, each in queue order; stop a kind at its first failure."""
        report = report if report is not None else PassReport()
        for kind in (Kind.SUBMISSION, Kind.RATING):
            while not self._stop.is_set():
                row = self.outbox.head(kind)
                if row is None or not self._due(row):
                    break
                outcome = self.deliver(row, report)
                report.add(outcome)
                if outcome not in (Outcome.DELIVERED, Outcome.DEAD):
                    break
        return report

    def _due(self, row: Row) -> bool:
        """Due now; a wait longer than the cap means the wall clock jumped back (e.g. NTP fixed
        a terminal that booted without a working RTC): then it is due as well."""
        now = self.clock()
        return row.next_attempt_at <= now or row.next_attempt_at > now + self.policy.cap_s

    def deliver(self, row: Row, report: PassReport | None = None) -> Outcome:
        """One delivery attempt of one row; records the result in the outbox."""
        try:
            payload = self.outbox.payload(row)
        except SealError as exc:
            self.outbox.mark_dead(
                row.id, f"payload cannot be decrypted: {exc}", count_attempt=False
            )
            log.error("outbox row #%d cannot be decrypted; marked dead", row.id)
            return Outcome.DEAD
        if row.kind is Kind.SUBMISSION:
            if row.provisional_no and "local_ref" not in payload:
                payload["local_ref"] = row.provisional_no
            send: Callable[[dict[str, Any], str], Any] = self.client.submit
        else:
            blocked = self._resolve_case(row, payload)
            if blocked is not None:
                return blocked
            send = self.client.rate
        try:
            answer = send(payload, row.idempotency_key)
        except CentralClientError as exc:
            if self._stop.is_set():
                return Outcome.ABANDONED
            return self._failed(row, exc, report)
        self._set_state(Connectivity.ONLINE)
        try:
            self.outbox.mark_delivered(row.id, answer.model_dump(mode="json"))
        except OutboxClosed:
            # Shut down meanwhile: the row stays pending and is re-sent with the same key.
            return Outcome.ABANDONED
        log.info("delivered %s #%d", row.kind.value, row.id)
        return Outcome.DELIVERED

    def _resolve_case(self, row: Row, payload: dict[str, Any]) -> Outcome | None:
        """Swap a provisional case number in a rating for central's; None when ready to send."""
        number = payload.get("case_no")
        if not isinstance(number, str):
            return None
        ref = self.outbox.lookup_case(number)
        if ref is None or ref.provisional_no != number:
            return None
        if ref.state is State.DELIVERED and ref.case_no:
            from kiosk.bundle.delivery import case_for_item  # issue 23: a bundle's item

            item_case = case_for_item(self.outbox, ref, str(payload.get("item_code", "")))
            if item_case == "":
                self.outbox.mark_dead(
                    row.id, f"its item was not accepted in bundle {number}", count_attempt=False
                )
                return Outcome.DEAD
            payload["case_no"] = item_case or ref.case_no
            return None
        if ref.state is State.DEAD:
            self.outbox.mark_dead(
                row.id, f"its submission {number} was refused by central", count_attempt=False
            )
            return Outcome.DEAD
        # The submission goes out after the submissions ahead of it: wait for the later of its
        # own next attempt and the submission head's (never a time already past: no busy loop).
        now = self.clock()
        times = [
            r.next_attempt_at
            for r in (self.outbox.get(ref.row_id), self.outbox.head(Kind.SUBMISSION))
            if r is not None
        ]
        when = max(times, default=now)
        if when <= now:
            when = now + self.policy.base_s
        self.outbox.defer(row.id, f"waiting for submission {number}", when)
        return Outcome.DEFERRED

    def _failed(self, row: Row, exc: CentralClientError, report: PassReport | None) -> Outcome:
        self._state_from_error(exc)
        reason = str(exc)
        if report is not None:
            report.errors.append(reason)
        if self.policy.classify(exc) is Verdict.DEAD:
            self.outbox.mark_dead(row.id, reason)
            log.warning("%s #%d refused by central: %s", row.kind.value, row.id, reason)
            return Outcome.DEAD
        delay = self.policy.delay_for(row.attempts + 1, exc, self.rng)
        self.outbox.mark_retry(row.id, reason, self.clock() + delay)
        log.info(
            "%s #%d not delivered (%s); next try in %.1f s", row.kind.value, row.id, reason, delay
        )
        return Outcome.RETRY

    # -- heartbeat and catalogue ---------------------------------------------------------------

    def heartbeat_body(self) -> Heartbeat | None:
        """What a heartbeat reports now (devices, catalogue version, outbox depth); None if invalid."""
        try:
            depth = self.outbox.depth()
        except OutboxError as exc:  # a damaged queue is reported (devices.outbox), not a silence
            log.warning("heartbeat: outbox depth unknown: %s", exc)
            depth = 0
        try:
            return Heartbeat(
                devices=self._devices(),
                catalogue_version=self._catalogue_version(),
                outbox_depth=min(depth, 10_000_000),
                app_version=self.app_version,
                uptime_s=time.monotonic() - self._started_mono,
            )
        except ValidationError as exc:  # a bug in a callback must not stop deliveries
            log.error("heartbeat not sent: invalid content (%d problem(s))", exc.error_count())
            return None

    def heartbeat(self) -> bool:
        """Send one heartbeat now and act on its commands; True if central answered."""
        self._next_heartbeat = self.clock() + self.heartbeat_interval_s
        beat = self.heartbeat_body()
        if beat is None:
            return False
        try:
            reply = self.client.heartbeat(beat)
        except CentralClientError as exc:
            self._state_from_error(exc)
            log.info("heartbeat failed: %s", exc)
            return False
        self.last_heartbeat_ok = self.clock()
        self._set_state(Connectivity.ONLINE)
        if Command.REFRESH_CATALOGUE in reply.commands:
            self.refresh_catalogue()
        for hook in self.after_heartbeat:  # e.g. the rating dictionary's ETag check (issue 19)
            try:
                hook(self.client)
            except Exception:  # noqa: BLE001 - a hook must not stop deliveries
                log.exception("after-heartbeat hook failed")
        return True

    def _catalogue_version(self) -> int:
        try:
            return max(0, int(self.catalogue_version()))
        except Exception:
            log.exception("catalogue_version callback failed")
            return 0

    def _devices(self) -> dict[str, DeviceState]:
        out: dict[str, DeviceState] = {}
        try:
            states = dict(self.device_states())
        except Exception:
            log.exception("device_states callback failed")
            return out
        for name, value in states.items():
            try:
                if isinstance(value, DeviceState):
                    out[name] = value
                elif isinstance(value, dict):
                    out[name] = DeviceState.model_validate(value)
                else:
                    out[name] = DeviceState(status=DeviceStatus(str(value)))
            except (ValidationError, ValueError):
                log.warning("device %r reported an invalid state; sent as unknown", name)
                out[name] = DeviceState(status=DeviceStatus.UNKNOWN, detail="invalid state")
        return out

    def refresh_catalogue(self) -> bool:
        """Fetch GET /v1/catalogue and hand a new bundle to install_catalogue; True if installed."""
        return self.try_refresh_catalogue()[0]

    def try_refresh_catalogue(self) -> tuple[bool, str]:
        """Refresh now (any thread): (installed, why it failed); (False, "") = nothing newer.

        The reason is also kept in `last_refresh_error` ("" after a refresh that did not fail).
        """
        with self._refresh_lock:
            installed, error = self._refresh()
            self.last_refresh_error = error
            return installed, error

    def _refresh(self) -> tuple[bool, str]:
        if self.install_catalogue is None:
            log.warning("central asked for a catalogue refresh but no installer is configured")
            return False, "no catalogue installer configured"
        try:
            fetch = self.client.catalogue(self._catalogue_etag)
        except CentralClientError as exc:
            log.warning("catalogue refresh failed: %s", exc)
            return False, str(exc)
        if not fetch.changed:
            return False, ""
        try:
            self.install_catalogue(fetch.body)
        except NotNewer as exc:  # central still publishes what is active: up to date
            log.info("catalogue from central not installed: %s", exc)
            self._catalogue_etag = fetch.etag
            return False, ""
        except Exception as exc:  # a bad bundle must not stop deliveries
            log.error("catalogue from central not installed: %s: %s", exc.__class__.__name__, exc)
            return False, f"{exc.__class__.__name__}: {exc}"
        self._catalogue_etag = fetch.etag
        log.info("catalogue refreshed from central (etag %s)", fetch.etag)
        return True, ""

    # -- flush (CLI) ---------------------------------------------------------------------------

    def flush(self, timeout_s: float = 60.0) -> PassReport:
        """Deliver every pending row now, in the calling thread; stop at the first retryable failure
        of each kind (the report says why) or after timeout_s."""
        report = PassReport()
        self.outbox.wake_all()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            before = report.delivered + report.dead
            self.deliver_due(report)
            if report.delivered + report.dead == before or self.outbox.depth() == 0:
                break
        return report

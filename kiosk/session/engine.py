"""The session engine: one citizen session as an explicit state machine, with an injected clock.

No widgets here. The UI calls the action methods and `tick()` (about once a second) on its own
thread, hands device events to `handle()` on that same thread (see kiosk.ui.marshal), and
redraws when a subscriber is called. Blocking work (central, printer) goes through a Runner.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kiosk import clock as terminal_clock
from kiosk.catalogue.errors import FieldValueError
from kiosk.catalogue.model import Catalogue, Field, Item
from kiosk.catalogue.validators import validate_field_value
from kiosk.identity import methods
from kiosk.session import hours
from kiosk.session.card import CardWatch, items_for_card
from kiosk.session.cardcheck import card_refusal, unreadable_problem
from kiosk.session.defaults import SKIP_CONFIRM_KINDS, apply_defaults, effective_fields
from kiosk.session.errors import IntakeRefused, InvalidTransition, RatingRefused
from kiosk.session.ports import (
    CardHolder,
    CardPresence,
    CardRead,
    CardUnreadable,
    Central,
    CodeScanned,
    Connectivity,
    DeviceEvent,
    DeviceState,
    Printer,
    PrintOutcome,
    QueryAnswer,
    RatingRecord,
    ReceiptDoc,
    Runner,
    SSCardSlot,
    Submitted,
    run_inline,
)
from kiosk.session.rating import RatedServices, check_rating
from kiosk.session.receipts import build_receipt
from kiosk.session.states import BROWSE, BUSY, CITIZEN_WAIT, IN_SESSION, State

log = logging.getLogger(__name__)

DONE_S = 6.0
ELDERLY_MIN_WAIT_S = 90.0
"""适老化: in 长辈模式 no screen waiting for the citizen times out sooner (issue 22)."""
NO_CARD_HINT_S = 15.0
"""Seconds on the identify screen without a card before the "no card detected" hint."""
DEVICES = ("idcard", "printer", "scanner", "a4printer", "camera", "sscard")
FACE_PASSED_S = 2.0
"""Seconds "比对通过" stays on the screen before the form."""


@dataclass(frozen=True)
class Timeouts:
    """Seconds the engine waits in each kind of state (from config `timeouts`)."""

    idle_s: float = 60
    countdown_s: float = 15
    identify_s: float = 60
    working_s: float = 30
    print_s: float = 30
    rating_s: float = 45
    elderly_factor: float = 1.5

    @classmethod
    def from_config(cls, t: Any) -> Timeouts:
        """Build from kiosk.config.TimeoutsConfig."""
        return cls(
            t.idle_s,
            t.countdown_s,
            t.identify_s,
            t.working_s,
            t.print_s,
            t.rating_s,
            t.elderly_factor,
        )


@dataclass
class Outcome:
    """What WORKING produced: an answer, a submission, or an error code."""

    answer: QueryAnswer | None = None
    submitted: Submitted | None = None
    error: str = ""


@dataclass
class Session:
    """Everything personal or session-bound; replaced by a fresh one when a session ends."""

    item: Item | None = None
    holder: CardHolder | None = None
    qr_token: str = ""
    values: dict[str, str] = field(default_factory=dict)
    clean: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, tuple[str, str]] = field(default_factory=dict)
    identify_problem: str = ""
    outcome: Outcome | None = None
    receipt: ReceiptDoc | None = None
    print_state: str = ""
    """"" (not yet), "busy", "printed", "failed"."""
    print_reason: str = ""
    service_id: str = ""
    rated: bool = False
    rating_level: str = ""
    face: Any = None
    """The 人证比对 step (kiosk.identity.flow.FaceFlow) while it runs."""
    face_verify_id: str = ""
    anonymous: bool = False
    """Submitted without identification (items whose design allows it: `anonymous`)."""
    bundle: Any = None
    """一件事一次办 (kiosk.bundle.flow.BundleRun) when the session is a bundle."""

    def personal_strings(self) -> list[str]:
        """Every personal value held (tests use this to prove a wipe)."""
        out: list[str] = []
        if self.holder is not None:
            out += [self.holder.name, self.holder.id_number, self.holder.address]
        out += [v for v in self.values.values() if v]
        out += [str(v) for v in self.clean.values() if v]
        if self.qr_token:
            out.append(self.qr_token)
        return [s for s in out if s]


class SessionEngine:
    """State machine of one citizen session at a time."""

    def __init__(
        self,
        catalogue: Catalogue | None,
        *,
        central: Central,
        printer: Printer,
        timeouts: Timeouts = Timeouts(),
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        runner: Runner = run_inline,
        service_hours: tuple[str, ...] = (),
        terminal_id: str = "T",
        hall_name: str = "",
        default_lang: str = "zh_CN",
        default_elderly: bool = False,
        on_rating: Callable[[RatingRecord], None] | None = None,
        documents: Any = None,
    ) -> None:
        self.catalogue = catalogue
        self.documents = documents
        """kiosk.documents.flow.DocumentPrinting: prints the A4 document of `print` items."""
        self.central = central
        self.printer = printer
        self.timeouts = timeouts
        self.clock = clock
        self.wall_clock = wall_clock
        self.runner = runner
        self.service_hours = tuple(service_hours)
        self.terminal_id = terminal_id
        self.hall_name = hall_name
        self.default_lang = default_lang
        self.default_elderly = default_elderly
        self.on_rating = on_rating
        self.lang = default_lang
        self.elderly = default_elderly
        self.online = True
        self.paused = False
        """Put out of service by a technician (maintenance screen); survives restarts there."""
        self.intake_problem: Callable[[], str] = lambda: ""
        """"" or why no request / rating can be accepted now (kiosk.outbox.guard.IntakeGuard)."""
        self.devices: dict[str, str] = {d: "" for d in DEVICES}
        """Device → "" when OK, else the fault reason."""
        self.state = State.HOME
        self.session = Session()
        self.countdown_started: float | None = None
        self.last_end_reason = ""
        self.sessions_ended = 0
        self._entered = clock()
        self._activity = self._entered
        self._generation = 0
        self._counter = itertools.count(1)
        self._rated = RatedServices()
        self._subscribers: list[Callable[[SessionEngine], None]] = []
        self.ratings: list[RatingRecord] = []
        self._pending_catalogue: Catalogue | None = None
        self.rating_dictionary: Callable[[], Any] | None = None
        """kiosk.rating.dictionary.DictionaryCache.current; None: the catalogue's reason tags."""
        self.face_factory: Callable[[SessionEngine, CardHolder], Any] | None = None
        """Builds the face step (kiosk.identity.flow) for id_card+face items; None: no camera."""
        from kiosk.payment.flow import PaymentFlow

        self.payment = PaymentFlow(self)
        """The session's payment order (pay items); its port is set by the composition root."""
        from kiosk.bundle.flow import BundleFlow
        from kiosk.guide.browse import Browser

        self.bundle = BundleFlow(self)
        """一件事一次办 hooks (kiosk.bundle.flow), no-ops outside a bundle session."""
        self.browse = Browser(self)
        """我要办什么 tree, 办事指南 and the policy library (kiosk.guide.browse)."""
        self.card = CardWatch()
        """The card on the reader (kiosk.session.card); the app gives it the reader's re-arm."""
        from kiosk.identity.codes import CodeFlow

        self.codes = CodeFlow(self)
        """App codes on the identify screen (kiosk.identity.codes); its port is set by the app."""
        self.sscard_wake: Callable[[float], None] | None = None
        """Re-reads a 社保卡 inserted within the given seconds (kiosk.identity.sscard); set by the app."""
        self._ended_at = clock()
        self.sscard_in_slot = False
        self.sscard_left = False
        """The 社保卡 used in the session is still in the slot: remind the citizen to take it."""
        self._check_service()

    def reconfigure(
        self,
        *,
        hall_name: str,
        timeouts: Timeouts,
        service_hours: tuple[str, ...],
        default_lang: str,
        default_elderly: bool,
    ) -> None:
        """Settings reloaded at run time (SIGHUP); language and mode apply from the next session."""
        self.hall_name = hall_name
        self.timeouts = timeouts
        self.service_hours = tuple(service_hours)
        self.default_lang, self.default_elderly = default_lang, default_elderly
        if self.state in IDLE_STATES:
            self.lang, self.elderly = default_lang, default_elderly
        self._check_service()
        self._changed()

    def set_in_service(self, on: bool) -> None:
        """A technician takes the terminal out of service or puts it back (a session in
        progress finishes first; no new one starts while out of service)."""
        if self.paused == (not on):
            return
        self.paused = not on
        log.info("terminal %s by the technician", "back in service" if on else "out of service")
        self._check_service()
        self._changed()

    def set_catalogue(self, catalogue: Catalogue) -> None:
        """A new catalogue: taken at once when idle, else when the current session ends."""
        self._pending_catalogue = catalogue
        if self.state in IDLE_STATES:
            self._take_catalogue()
            self._check_service()
            self._changed()

    def _take_catalogue(self) -> None:
        if self._pending_catalogue is not None:
            self.catalogue, self._pending_catalogue = self._pending_catalogue, None
            log.info("catalogue version %s in use", self.catalogue.version)

    # ---- observers ----

    def subscribe(self, fn: Callable[[SessionEngine], None]) -> None:
        """Call `fn(engine)` after every change."""
        self._subscribers.append(fn)

    def _changed(self) -> None:
        for fn in list(self._subscribers):
            fn(self)

    # ---- derived facts ----

    @property
    def item(self) -> Item | None:
        """The item of the session in progress."""
        return self.session.item

    @property
    def factor(self) -> float:
        """Timeout multiplier (elderly mode waits longer)."""
        return self.timeouts.elderly_factor if self.elderly else 1.0

    def state_timeout(self, state: State | None = None) -> float | None:
        """Seconds of inactivity the state allows before the countdown (None: no timeout)."""
        state = state or self.state
        t = self.timeouts
        if state == State.IDENTIFY:
            base = t.identify_s
        elif state == State.RATING:
            base = t.rating_s
        elif state == State.WORKING:
            base = t.working_s
        elif state == State.PRINTING and self.session.print_state == "busy":
            base = t.print_s
        elif state == State.DONE:
            return DONE_S
        elif state in CITIZEN_WAIT:
            base = t.idle_s
        elif state == State.HOME and (
            self.lang != self.default_lang or self.elderly != self.default_elderly
        ):
            base = t.idle_s
        else:
            return None
        if self.elderly and state in CITIZEN_WAIT:  # 适老化: no wait for the citizen under 90 s
            return max(base * self.factor, ELDERLY_MIN_WAIT_S)
        return base * self.factor

    @property
    def countdown_total(self) -> float:
        """Length of the countdown overlay, seconds."""
        return self.timeouts.countdown_s * self.factor

    @property
    def countdown_remaining(self) -> float | None:
        """Seconds left on the countdown overlay, None when it is not shown."""
        if self.countdown_started is None:
            return None
        return max(0.0, self.countdown_total - (self.clock() - self.countdown_started))

    def unavailable_reason(self, item: Item) -> str:
        """Why an item cannot be served now ("" if it can): disabled, hours, device:X, offline."""
        if not item.enabled:
            return "disabled"
        if not hours.is_open(item.hours, self.wall_clock()):
            return "hours"
        # identification devices count through the item's methods (kiosk.identity.methods):
        # one working way to identify is enough
        needed = set(item.devices) - methods.identity_devices(item) - {"camera"}
        if item.kind == "print":
            needed.add("a4printer")
        reason = methods.unavailable(item, self.devices, self.online, self.face_factory is not None)
        if reason.startswith("device:camera"):
            return reason
        for dev in DEVICES:
            if dev in needed and self.devices.get(dev):
                return f"device:{dev}"
        if reason and not (reason == "offline" and item.kind == "apply" and item.offline):
            return reason
        if item.kind in ("apply", "appointment") and self.intake_problem():
            return "intake"
        if not self.online and item.kind == "pay":
            return "offline_pay"  # a payment is never queued: 缴费需要联网
        if not self.online and not (item.kind == "apply" and item.offline):
            return "offline"
        return ""

    def servable_items(self) -> list[Item]:
        """Enabled items that can be served right now."""
        if self.catalogue is None:
            return []
        return [i for i in self.catalogue.enabled_items() if not self.unavailable_reason(i)]

    def out_of_service_reason(self) -> str:
        """ "paused", "hours" or "nothing" when the terminal cannot serve anyone now, else ""."""
        if self.paused:
            return "paused"
        if not hours.is_open(self.service_hours, self.wall_clock()):
            return "hours"
        if not self.servable_items():
            return "nothing"
        return ""

    def personal_data(self) -> list[str]:
        """Every personal value the engine holds right now."""
        return self.session.personal_strings()

    # ---- transitions ----

    def _go(self, state: State) -> None:
        log.info("session: %s -> %s", self.state.value, state.value)
        if state == State.DONE:  # the goodbye screen: is the card still on the reader?
            self.card.session_ended(
                self.session.holder is not None, self.clock(), self.sessions_ended
            )
            self._sscard_reminder()
        self.state = state
        self._entered = self._activity = self.clock()
        self.countdown_started = None

    def _require(self, *states: State) -> None:
        if self.state not in states:
            raise InvalidTransition(f"not allowed in state {self.state.value}")

    def touch(self) -> None:
        """The citizen touched the screen: restart the inactivity timer, hide the countdown."""
        self._activity = self.clock()
        if self.countdown_started is not None:
            self.countdown_started = None
            self._changed()

    def set_language(self, lang: str) -> None:
        """Switch the UI language (resets to the configured one after each session)."""
        self.lang = "en" if lang == "en" else "zh_CN"
        self.touch()
        self._changed()

    def set_elderly(self, on: bool) -> None:
        """Turn 长辈模式 on or off (larger text, longer timeouts)."""
        self.elderly = bool(on)
        self.touch()
        self._changed()

    def select(self, code: str) -> None:
        """The citizen picked an item on the home screen (or a leaf of the guidance tree)."""
        self._require(State.HOME, *BROWSE)
        assert self.catalogue is not None
        item = self.catalogue.item(code)
        reason = self.unavailable_reason(item)
        if reason:
            raise InvalidTransition(f"item {code} unavailable: {reason}")
        self.session = Session(item=item)
        self._go(State.ITEM)
        self._changed()

    def proceed(self) -> None:
        """From the item description to identification (or straight to the form)."""
        self._require(State.ITEM)
        item = self.session.item
        assert item is not None
        if item.needs_identity and self.session.holder is None:
            working = methods.working_methods(item, self.devices, self.online)
            self.session.identify_problem = "" if working else "reader_fault"
            self._go(State.IDENTIFY)
            if self.sscard_wake is not None and item.accepts("sscard"):
                # a 社保卡 put in since the last session ended belongs to this citizen: read it
                # now; one left by the previous citizen is not (it must go out and in again)
                self.sscard_wake(self.clock() - self._ended_at)
            self.card.wake_for_item()  # a card already lying on the reader is read now
        else:
            self._enter_form()
        self._changed()

    def offered_items(self) -> list[Item]:
        """CARD_OFFER: the items the card placed on the home screen can serve now."""
        holder = self.session.holder
        return items_for_card(
            self.catalogue, self.unavailable_reason, holder.card_type if holder else ""
        )

    def select_for_card(self, code: str) -> None:
        """CARD_OFFER: the citizen picked an item; the card read already identifies them."""
        self._require(State.CARD_OFFER)
        item = next((i for i in self.offered_items() if i.code == code), None)
        if item is None:
            raise InvalidTransition(f"item {code} cannot be served with this card now")
        self.session.item = item
        if item.needs_face and self.session.holder is not None:
            self._start_face(self.session.holder)  # the card alone is not enough: 人证比对 first
        else:
            self._enter_form()
        self._changed()

    def proceed_anonymous(self) -> None:
        """匿名提交: no identification, for items whose design allows it (its fields required)."""
        self._require(State.ITEM, State.IDENTIFY)
        item = self.session.item
        if item is None or item.anonymous_required is None:
            raise InvalidTransition("this item needs identification")
        self.session.anonymous, self.session.holder, self.session.qr_token = True, None, ""
        self._enter_form()
        self._changed()

    def _enter_form(self) -> None:
        item = self.session.item
        assert item is not None
        apply_defaults(
            item,
            self.session.values,
            terminal_clock.today(self.wall_clock()),
            anonymous=self.session.anonymous,
        )
        holder = self.session.holder
        for f in item.fields:
            if f.prefill and holder is not None and f.name not in self.session.values:
                self.session.values[f.name] = (
                    holder.id_number if f.prefill == "id_card.id_number" else holder.name
                )
        if any(not f.prefill or holder is None for f in item.fields):
            self._go(State.FORM)
            self.bundle.entered_form()  # a bundle: its first page (issue 23)
        else:
            self._validate_all()
            self._go(State.CONFIRM)
            self._skip_confirm()

    def back(self) -> None:
        """One step back (item → home ends the session)."""
        if self.state == State.ITEM:
            self.end("back")
            return
        if self.state == State.IDENTIFY:
            self.codes.cancel()
            self._go(State.ITEM)
        elif self.state == State.FACE:
            self._leave_face()
            self.session.holder = None
            self._go(State.ITEM)
        elif self.state == State.CARD_OFFER:
            self.end("back")
            return
        elif self.state == State.FORM:
            item = self.session.item
            assert item is not None
            if not self.bundle.prev_page():  # a bundle: its previous page first (issue 23)
                self._go(State.ITEM)
        elif self.state == State.CONFIRM:
            self.payment.back_from_confirm()
            self.bundle.back_from_confirm()
            self._go(State.FORM)
        else:
            raise InvalidTransition(f"no way back from {self.state.value}")
        self._changed()

    def set_value(self, name: str, raw: str) -> None:
        """Store a field's raw input (validated on `submit_form`, or now if `check`)."""
        self._require(State.FORM)
        item = self.session.item
        assert item is not None
        item.field(name)
        self.session.values[name] = raw
        self.session.errors.pop(name, None)
        self.touch()
        self._changed()

    @property
    def form_fields(self) -> tuple[Field, ...]:
        """The item's fields as checked now (anonymous: the design's own required list)."""
        item = self.session.item
        return effective_fields(item, self.session.anonymous) if item is not None else ()

    def check_field(self, name: str) -> bool:
        """Validate one field now (when the citizen leaves it); True if it is fine."""
        return self._validate(next(f for f in self.form_fields if f.name == name))

    def _validate(self, f: Field) -> bool:
        try:
            self.session.clean[f.name] = validate_field_value(f, self.session.values.get(f.name))
        except FieldValueError as exc:
            self.session.errors[f.name] = (exc.zh, exc.en)
            self.session.clean.pop(f.name, None)
            return False
        self.session.errors.pop(f.name, None)
        return True

    def _validate_all(self) -> bool:
        item = self.session.item
        assert item is not None
        ok = True
        for f in self.form_fields:
            ok = self._validate(f) and ok
        return ok

    def submit_form(self) -> bool:
        """Validate every field; on success go to CONFIRM. Returns whether it went on."""
        self._require(State.FORM)
        ok = self._validate_all()
        if ok and self.session.item is not None and self.session.item.kind == "pay":
            self.payment.create()  # central prices the order: the confirm screen shows the amount
        elif ok and self.bundle.next_page():  # a bundle: its next page (issue 23)
            pass
        elif ok:
            self._go(State.CONFIRM)
            if self._skip_confirm():
                return True
        else:
            self.touch()
        self._changed()
        return ok

    def _skip_confirm(self) -> bool:
        """Read-only queries ask central at once (nothing to confirm); True if it did."""
        item = self.session.item
        if self.state == State.CONFIRM and item is not None and item.kind in SKIP_CONFIRM_KINDS:
            self.confirm()
            return True
        return False

    def confirm(self) -> None:
        """The citizen confirmed: ask central (query, print document, progress) or submit."""
        self._require(State.CONFIRM)
        item = self.session.item
        assert item is not None
        if item.kind == "pay":
            self.payment.start()
            self._changed()
            return
        if item.kind == "progress" and self.payment.reprint_lookup(
            next(
                (str(v) for k, v in self.session.clean.items() if item.field(k).type == "case_no"),
                "",
            )
        ):
            self._changed()  # one of this terminal's paid orders: 补打缴费凭证
            return
        self._go(State.WORKING)
        self._generation += 1
        gen = self._generation
        payload = self._payload()
        central = self.central

        def work() -> Any:
            if self.session.bundle is not None:  # 一件事一次办: one request (issue 23)
                return self.bundle.submit(central, payload)
            if item.kind == "apply" or item.kind == "appointment":
                return central.submit(item.code, payload)
            if item.kind == "progress":
                case_no = next(
                    (v for k, v in self.session.clean.items() if item.field(k).type == "case_no"),
                    "",
                )
                return central.progress(str(case_no))
            return central.query(item.code, payload)

        self._changed()
        self.runner(work, lambda result, err: self._work_done(gen, result, err))

    def _payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in self.session.clean.items():
            out[k] = (
                v.isoformat() if hasattr(v, "isoformat") else (str(v) if v is not None else None)
            )
        holder = self.session.holder
        if holder is not None:
            out["_holder"] = {
                "name": holder.name,
                "id_number": holder.id_number,
                "card_type": holder.card_type,
                "method": holder.method,
            }
        if self.session.qr_token:
            out["_qr"] = self.session.qr_token
        if self.session.anonymous:
            out["_anonymous"] = True
        return out

    def cancel_work(self) -> None:
        """Give up waiting for central (only where safe: queries, documents, progress)."""
        self._require(State.WORKING)
        item = self.session.item
        if item is not None and item.kind in ("apply", "appointment"):
            raise InvalidTransition("a submission cannot be cancelled once sent")
        self._generation += 1
        # a payment order being priced: back to the form (a late order is cancelled by the flow)
        self._go(State.FORM if item is not None and item.kind == "pay" else State.CONFIRM)
        self._changed()

    @property
    def cancellable(self) -> bool:
        """Whether WORKING may be cancelled."""
        item = self.session.item
        return item is not None and item.kind not in ("apply", "appointment")

    def _work_done(self, gen: int, result: Any, err: BaseException | None) -> None:
        if gen != self._generation or self.state != State.WORKING:
            return  # answer to a cancelled or timed-out request, or the session ended
        item = self.session.item
        assert item is not None
        if err is not None:
            log.warning("central call for %s failed: %s", item.code, type(err).__name__)
            self.session.outcome = Outcome(
                error="intake" if isinstance(err, IntakeRefused) else "unavailable"
            )
        elif isinstance(result, Submitted):
            self.session.outcome = Outcome(submitted=result)
            self.session.service_id = result.case_no
        else:
            self.session.outcome = Outcome(answer=result)
            self.session.service_id = getattr(result, "case_no", "") or ""
        if not self.session.service_id:
            stamp = terminal_clock.strftime("%Y%m%d%H%M%S", self.wall_clock())
            self.session.service_id = f"{self.terminal_id}-{stamp}-{next(self._counter)}"
        if item.kind == "print" and self.session.outcome.answer is not None:
            self._go(State.RESULT)
            self.print_receipt()
            return
        self._go(State.RESULT)
        self._changed()

    @property
    def can_print(self) -> bool:
        """Whether the result offers a print button (something printable, printer not known bad)."""
        out = self.session.outcome
        if out is None or out.error:
            return False
        if out.answer is not None and not out.answer.printable:
            return False
        return not self.devices["printer"]

    def receipt(self) -> ReceiptDoc:
        """The receipt of this session (what is printed, or shown when printing fails)."""
        item = self.session.item
        assert item is not None
        if self.payment.active:
            return self.payment.receipt()
        if self.session.bundle is not None:
            return self.bundle.receipt()  # one combined receipt (issue 23)
        out = self.session.outcome or Outcome()
        sess = {
            "case_no": out.submitted.case_no if out.submitted else self.session.service_id,
            "time": terminal_clock.strftime("%Y-%m-%d %H:%M", self.wall_clock()),
            "terminal_id": self.terminal_id,
            "hall_name": self.hall_name,
            "item_name": item.name(self.lang),
            "status": out.submitted.status if out.submitted else "",
            "holder_name": self.session.holder.name if self.session.holder else "",
            "holder_id_number": self.session.holder.id_number if self.session.holder else "",
        }
        shown: dict[str, Any] = {}
        for f in item.fields:
            value = self.session.clean.get(f.name)
            opt = f.option(str(value)) if f.type == "choice" and value is not None else None
            shown[f.name] = (opt.en if self.lang == "en" else opt.zh) if opt else value
        return build_receipt(item, self.lang, fields=shown, session=sess, answer=out.answer)

    def print_receipt(self) -> None:
        """Print the receipt; the outcome is whatever the printer confirmed, nothing else."""
        self._require(State.RESULT)
        self.session.receipt = self.receipt()
        self.session.print_state = "busy"
        self._go(State.PRINTING)
        self._generation += 1
        gen = self._generation
        receipt, printer = self.session.receipt, self.printer
        job = lambda: printer.print_receipt(receipt)  # noqa: E731
        if self.documents is not None and self.session.item and self.session.item.kind == "print":
            job = self.documents.job(self)  # the A4 document (kiosk.documents.flow)
        self._changed()
        self.runner(job, lambda r, e: self._printed(gen, r, e))

    def _printed(self, gen: int, result: Any, err: BaseException | None) -> None:
        if gen != self._generation or self.state != State.PRINTING:
            return
        if err is None and isinstance(result, PrintOutcome) and result.printed:
            self.session.print_state = "printed"
        else:
            self.session.print_state = "failed"
            self.session.print_reason = (
                result.reason
                if isinstance(result, PrintOutcome)
                else type(err).__name__
                if err
                else "unknown"
            ) or "unknown"
            if self.documents is not None and self.documents.owns(self):
                self.documents.after_failure(self)
            elif self.session.print_reason in ("paper_out", "offline", "cover_open", "error"):
                self.devices["printer"] = self.session.print_reason
            log.warning("print failed: %s", self.session.print_reason)
        self.payment.printed(self.session.print_state == "printed")
        self._entered = self._activity = self.clock()
        self._changed()

    def finish(self) -> None:
        """Done with the result (or the printout): on to the rating."""
        self._require(State.RESULT, State.PRINTING)
        if self.state == State.PRINTING and self.session.print_state == "busy":
            raise InvalidTransition("still printing")
        if self.intake_problem():  # a rating could not be kept now: do not ask for one
            log.warning("rating step skipped: intake %s", self.intake_problem())
            self._go(State.DONE)
            self._changed()
            return
        self._go(State.RATING)
        self._changed()

    def rate(
        self,
        level: str,
        tags: tuple[str, ...] | list[str] = (),
        comment: str = "",
        indicators: dict[str, str] | None = None,
        callback_phone: str = "",
        real_name: bool = False,
    ) -> None:
        """Record the citizen's 好差评 (差评 need a reason tag; one rating per service)."""
        self._require(State.RATING)
        if self.rating_dictionary is not None:  # issue 19: reasons of central's dictionary
            from kiosk.rating.record import build

            holder = self.session.holder if real_name else None
            self._record(
                build(
                    self.rating_dictionary(),
                    self.session.service_id,
                    self._item_code(),
                    level,
                    tags,
                    comment,
                    indicators or {},
                    callback_phone,
                    self.hall_name,
                    (holder.name, holder.id_number) if holder else None,
                )
            )
        else:
            known = [t.code for t in self.catalogue.rating_tags] if self.catalogue else []
            clean_tags = check_rating(level, tags, known, comment)
            self._record(
                RatingRecord(self.session.service_id, self._item_code(), level, clean_tags, comment)
            )
        self.session.rating_level = level
        self._go(State.DONE)
        self._changed()

    def skip_rating(self, reason: str = "declined") -> None:
        """The citizen chose not to rate; recorded as skipped."""
        self._require(State.RATING)
        self._record(
            RatingRecord(
                self.session.service_id, self._item_code(), None, skipped=True, reason=reason
            )
        )
        self._go(State.DONE)
        self._changed()

    def _item_code(self) -> str:
        return self.session.item.code if self.session.item else ""

    def _record(self, rec: RatingRecord) -> None:
        if self.session.rated or rec.service_id in self._rated:
            raise RatingRefused(f"service {rec.service_id} was already rated")
        self._rated.add(rec.service_id)
        self.session.rated = True
        self.ratings.append(dataclasses.replace(rec, callback_phone="", rater=None))  # kept: none
        del self.ratings[:-100]
        if self.on_rating is not None:
            self.on_rating(rec)
        try:
            for one in self.bundle.ratings(rec):  # a bundle: bound to each of its cases
                self.central.rate(one)
        except Exception as exc:  # noqa: BLE001 - a rating must never break the session
            log.warning("rating not recorded: %s", type(exc).__name__)

    def continue_session(self) -> None:
        """The citizen pressed the big continue button on the countdown overlay."""
        self.touch()

    def end(self, reason: str) -> None:
        """End the session for any reason: wipe everything personal and go home."""
        if self.payment.intercept_end(reason):
            return  # the order is being cancelled first; the end follows its answer
        if self.state == State.RATING and not self.session.rated and self.session.service_id:
            self.skip_rating(reason)
        log.info("session ended: %s", reason)
        self._generation += 1
        self._leave_face()
        self.codes.cancel()
        self.card.session_ended(self.session.holder is not None, self.clock(), self.sessions_ended)
        self._sscard_reminder()
        self.session = Session()
        self.lang, self.elderly = self.default_lang, self.default_elderly
        self.last_end_reason = reason
        self.sessions_ended += 1
        self._ended_at = self.clock()
        self._take_catalogue()
        self._go(State.HOME)
        self._check_service()
        self._changed()

    def cancel(self) -> None:
        """The citizen pressed 返回首页: end the session."""
        self.end("cancel")

    # ---- time ----

    def tick(self) -> None:
        """Advance timers: countdown overlay, session end, work timeouts, service hours."""
        now = self.clock()
        if self.session.face is not None:
            self.session.face.tick()
            if self.session.face_verify_id and now - self._entered >= FACE_PASSED_S:
                self.face_continue()
                return
        if self.card.probing and now > self.card.probe_until:
            self.card.probe_until = 0.0  # the reader saw no card left behind
        if self.state in IDLE_STATES:
            changed = self._check_service()
            timeout = self.state_timeout()
            if timeout is not None and now - self._activity >= timeout:
                self.end("idle")
                return
            if changed:
                self._changed()
            return
        if self.state == State.PAYMENT:
            self.payment.tick()
            return
        timeout = self.state_timeout()
        if timeout is None:
            return
        if self.state in BUSY or (
            self.state == State.PRINTING and self.session.print_state == "busy"
        ):
            if now - self._entered >= timeout:
                self._timed_out_busy()
            return
        if self.state == State.DONE:
            if now - self._entered >= timeout:
                self.end("done")
            return
        if (
            self.state == State.IDENTIFY
            and not self.session.identify_problem
            and now - self._entered >= NO_CARD_HINT_S * self.factor
        ):
            self.session.identify_problem = "no_card"
            self._changed()
        if self.countdown_started is None:
            if now - self._activity >= timeout:
                self.countdown_started = now
                self._changed()
        elif now - self.countdown_started >= self.countdown_total:
            self.end("timeout")
        else:
            self._changed()  # the countdown number moves

    def _timed_out_busy(self) -> None:
        self._generation += 1
        if self.state == State.WORKING:
            log.warning("central did not answer within %.0f s", self.state_timeout() or 0)
            self.session.outcome = Outcome(error="timeout")
            self._go(State.RESULT)
        else:
            self.session.print_state = "failed"
            self.session.print_reason = "timeout"
            self._entered = self._activity = self.clock()
        self._changed()

    def _check_service(self) -> bool:
        """Switch between HOME and OUT_OF_SERVICE when idle; True if it switched."""
        if self.state not in IDLE_STATES:
            return False
        target = State.OUT_OF_SERVICE if self.out_of_service_reason() else State.HOME
        if target != self.state:
            self.state = target
            return True
        return False

    # ---- device events (already on the UI thread) ----

    def handle(self, event: DeviceEvent) -> None:
        """React to one device or network event."""
        if isinstance(event, CardRead):
            if self.state == State.IDENTIFY and not self._card_refused(event.holder):
                self.identified(event.holder)
                return
            elif (
                self.state == State.HOME
                and event.holder.method == "id_card"
                and not self.card.probing
                and not self.card.left
                and not card_refusal(event.holder, self.wall_clock())
            ):  # expired: no offer
                self.session = Session(holder=event.holder)  # a session starts with the card
                self._go(State.CARD_OFFER)
            # a card placed anywhere else is ignored (and never stored)
        elif isinstance(event, SSCardSlot):
            self.sscard_in_slot = event.present
            if not event.present:
                self.sscard_left = False
        elif isinstance(event, CardPresence):
            self.card.presence(event.present, self.clock())
        elif isinstance(event, CardUnreadable):
            if self.state == State.IDENTIFY:
                self.session.identify_problem = unreadable_problem(event.reason)
                self.touch()
        elif isinstance(event, CodeScanned):
            self._scanned(event.text)
        elif isinstance(event, DeviceState):
            self.devices[event.device] = "" if event.ok else (event.reason or "fault")
            if (
                event.device in ("idcard", "sscard", "scanner")
                and self.state == State.IDENTIFY
                and self.session.item is not None
            ):
                working = methods.working_methods(self.session.item, self.devices, self.online)
                if not working:
                    self.session.identify_problem = "reader_fault"
                elif self.session.identify_problem == "reader_fault":
                    self.session.identify_problem = ""
            self._check_service()
        elif isinstance(event, Connectivity):
            self.online = event.online
            self._check_service()
        self._changed()

    def _card_refused(self, holder: CardHolder) -> bool:
        """An expired card, or a card type the item does not take: say so on the identify
        screen and keep nothing of it."""
        problem = card_refusal(holder, self.wall_clock())
        item = self.session.item
        if self.codes.busy:
            self.codes.cancel()  # the first card or code presented wins: here, the card
        if problem and holder.method == "sscard":
            problem = "sscard_expired"
        if not problem and item is not None and not item.accepts(holder.method):
            problem = f"{holder.method}_not_accepted"  # e.g. a 社保卡 for a 公安 item
        if not problem and item is not None and not item.accepts_card(holder.card_type):
            problem = "card_type"  # e.g. 户籍 with a foreigner's card (the item names the card)
        if problem:
            log.info("card refused: %s", problem)
            self.session.identify_problem = problem
            self.touch()
        return bool(problem)

    def _scanned(self, text: str) -> None:
        item = self.session.item
        if item is None:
            return
        if self.state == State.PAYMENT:
            self.payment.scanned(text)  # a 付款码: charged, never stored
            return
        if self.state == State.IDENTIFY and item.accepts("app_code"):
            self.codes.scanned(text)  # central says whose code it is (kiosk.identity.codes)
            return
        scan_field = next((f for f in item.fields if f.scan), None)
        if scan_field is None:
            return
        if self.state == State.ITEM and not item.needs_identity:
            self._enter_form()
        if self.state == State.FORM:
            self.session.values[scan_field.name] = text.strip()
            self._validate(scan_field)
            self.touch()

    def identified(self, holder: CardHolder) -> None:
        """IDENTIFY: a card or an app code named the citizen; on to 人证比对 or the form."""
        if self.state != State.IDENTIFY:
            return
        self.codes.cancel()
        self.session.holder = holder
        self.session.identify_problem = ""
        if self.session.item is not None and self.session.item.needs_face:
            self._start_face(holder)
        else:
            self._enter_form()
        self._changed()

    def _sscard_reminder(self) -> None:
        holder = self.session.holder
        if (
            holder is not None
            and holder.method == "sscard"
            and self.sscard_in_slot
            and not self.sscard_left
        ):
            self.sscard_left = True
            self.card.reminders += 1  # the reminder's chime (kiosk.ui)
            log.info("社保卡 left in the slot after the session: reminder shown")

    def notify(self) -> None:
        """Redraw after a helper flow changed the session (kiosk.identity.codes)."""
        self._changed()

    # ---- 人证比对 (the step itself lives in kiosk.identity.flow) ----

    def _start_face(self, holder: CardHolder) -> None:
        if self.face_factory is None:  # the camera went away between the tap and the card
            self.session.identify_problem = "camera"
            return
        self.session.face = self.face_factory(self, holder)
        self._go(State.FACE)

    def face_changed(self) -> None:
        """The face step moved on (a frame, a verdict): counts as activity, redraw."""
        self._activity = self.clock()
        self._changed()

    def face_passed(self, verify_id: str) -> None:
        """Central matched the live face with the card: "比对通过" for a moment, then the form."""
        if self.state != State.FACE:
            return
        self.session.face_verify_id = verify_id
        self._entered = self.clock()
        self._changed()

    def face_continue(self) -> None:
        """On from "比对通过" to the form (the citizen's tap, or FACE_PASSED_S later)."""
        if self.state != State.FACE or not self.session.face_verify_id:
            return
        self._leave_face()
        self._enter_form()
        self._changed()

    def _leave_face(self) -> None:
        face, self.session.face = self.session.face, None
        if face is not None:
            face.wipe()

    def snapshot_values(self) -> Mapping[str, str]:
        """The raw form values (read-only view for the form view-model)."""
        return dict(self.session.values)


IDLE_STATES = frozenset({State.HOME, State.OUT_OF_SERVICE})
__all__ = ["SessionEngine", "Timeouts", "Session", "Outcome", "IN_SESSION", "IDLE_STATES"]

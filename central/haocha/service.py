"""Composition of 好差评 in central: engine, dictionary, records, follow-ups, forwarding."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, and_, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from central.haocha import records, workflow
from central.haocha.db import engine_for
from central.haocha.dictionary import Dictionaries
from central.haocha.errors import HaochaError
from central.haocha.records import CN_TZ, beijing_day
from central.haocha.sealing import Sealer
from central.haocha.settings import HaochaSettings
from central.haocha.tables import (
    details,
    followup_steps,
    followups,
    province_queue,
    ratings,
    reconciliations,
)
from central.haocha.workdays import WorkCalendar
from central.province import client as pclient
from central.province import mapping
from central.province.errors import MappingError, ProvinceError, Retryable
from central.province.forwarder import Forwarder, Loop
from kiosk import central_api as api

log = logging.getLogger(__name__)


class Haocha:
    """Everything issue 19 adds to central, over the service database."""

    def __init__(
        self,
        db_path: str | Path,
        settings: HaochaSettings,
        clock: Callable[[], float],
        bundle: Callable[[], bytes | None],
        calendar: WorkCalendar | None = None,
        post: Callable[[str, dict[str, Any]], str] | None = None,
        engine: Engine | None = None,
        server_key: Any = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self._bundle = bundle
        self.engine: Engine = (
            engine if engine is not None else engine_for(db_path, settings.database_url)
        )
        if engine is not None:  # central's engine: its migrations hold our tables (0003)
            from central.storage.engine import WRITE

            # SQLite: every transaction here may write, so it takes the write lock at BEGIN
            # (a deferred BEGIN that later writes deadlocks with central's writers: "locked")
            self.engine = engine.execution_options(**{WRITE: True})
        if server_key is None:
            from central.storage import keys

            server_key = keys.load(
                settings.key_file or None, Path(db_path) if db_path else None, create=True
            )
        self.sealer = Sealer(server_key)
        self.calendar = calendar or WorkCalendar()
        self.dictionaries = Dictionaries(self.engine)
        self.departments = settings.departments() or mapping.demo_departments()
        self.client = (
            pclient.ProvinceClient(
                settings.province_url,
                settings.province_app_id,
                settings.province_secret(),
                settings.province_timeout_s,
            )
            if settings.province_url
            else None
        )
        self._can_send = post is not None or self.client is not None
        self.forwarder = Forwarder(
            self.engine,
            self.build,
            post or self._post,
            lease_s=settings.lease_s,
            backoff_base_s=settings.backoff_base_s,
            backoff_cap_s=settings.backoff_cap_s,
        )
        self.loop: Loop | None = None
        self._items: tuple[bytes | None, dict[str, tuple[str, str]]] = (b"", {})
        self._items_at = 0.0

    def use_province(self, url: str, app_id: str, secret: bytes) -> None:
        """Point forwarding at a platform now (the demo's embedded simulator)."""
        self.client = pclient.ProvinceClient(url, app_id, secret, self.settings.province_timeout_s)
        self._can_send = True
        if self.loop is not None:
            self.loop.wake()

    # --- lifecycle ----------------------------------------------------------------------
    def start(self) -> None:
        """Start the forwarding thread (when forwarding is on)."""
        if self.settings.forward and self.loop is None:
            self.loop = Loop(self.tick, self.settings.forward_interval_s, self.clock)
            self.loop.start()

    def stop(self) -> None:
        """Stop the thread and close the engine."""
        if self.loop is not None:
            self.loop.stop()
            self.loop = None
        self.engine.dispose()

    def tick(self, now: float) -> None:
        """One pass: pick up new ratings, forward what is due, reconcile yesterday once a day."""
        self.scan(now)
        if self._can_send:
            self.forwarder.run_once(now)
        if self.client is not None:
            yesterday = (datetime.fromtimestamp(now, CN_TZ) - timedelta(days=1)).strftime("%Y%m%d")
            if datetime.fromtimestamp(now, CN_TZ).hour >= 1 and not self._reconciled(yesterday):
                try:
                    self.reconcile(yesterday, now)
                except ProvinceError as exc:
                    log.warning("reconciliation of %s postponed: %s", yesterday, exc)

    # --- catalogue facts ----------------------------------------------------------------
    def item_names(self, code: str) -> tuple[str, str]:
        """(item name, department name) from the published catalogue."""
        if time.monotonic() - self._items_at < 30 and self._items[1]:
            return self._items[1].get(code, (code, ""))
        self._items_at = time.monotonic()  # a published catalogue is picked up within 30 s
        bundle = self._bundle()
        if bundle != self._items[0]:
            table: dict[str, tuple[str, str]] = {}
            if bundle:
                for it in json.loads(bundle).get("catalogue", {}).get("items", []):
                    table[it.get("code", "")] = (it.get("name_zh", ""), it.get("department_zh", ""))
            self._items = (bundle, table)
        return self._items[1].get(code, (code, ""))

    # --- the rating endpoint's two hooks ---------------------------------------------------
    def check(self, rating: api.Rating, catalogue_tags: frozenset[str]) -> None:
        """Raise RatingCheckFailed if the rating does not fit its dictionary."""
        records.check(self.dictionaries, rating, catalogue_tags)

    def record(self, rating: api.Rating, rating_id: int) -> None:
        """Store the details of an accepted rating (a replay finds them stored)."""
        if records.store_details(self.engine, self.sealer, rating_id, rating, self.clock()):
            log.info(
                "rating %d details recorded (dictionary v%s, callback %s)",
                rating_id,
                rating.dictionary_version,
                "yes" if rating.callback else "no",
            )

    # --- outbox scan: new ratings → queue rows and follow-ups -------------------------------
    def scan(self, now: float, limit: int = 500) -> int:
        """Queue new ratings for the province and open follow-ups of new 差评."""
        grace = now - self.settings.details_grace_s
        q = (
            select(ratings, details.c.rating_id.label("d_id"))
            .select_from(
                ratings.outerjoin(
                    province_queue,
                    and_(
                        province_queue.c.kind == "rating",
                        province_queue.c.ref == ratings.c.rating_id,
                    ),
                ).outerjoin(details, details.c.rating_id == ratings.c.rating_id)
            )
            .where(
                province_queue.c.id.is_(None),
                or_(details.c.rating_id.is_not(None), ratings.c.received_at < grace),
            )
            .order_by(ratings.c.rating_id)
            .limit(limit)
        )
        with self.engine.connect() as c:
            rows = c.execute(q).all()
        if not rows:
            return 0
        try:  # one transaction for the batch (one fsync); per row only if another worker raced
            with self.engine.begin() as c:
                for r in rows:
                    self._queue_rating(c, r, now)
            return len(rows)
        except IntegrityError:
            pass
        done = 0
        for r in rows:
            try:
                with self.engine.begin() as c:
                    self._queue_rating(c, r, now)
                done += 1
            except IntegrityError:  # another worker queued it first
                continue
        return done

    def _queue_rating(self, c: Any, r: Any, now: float) -> None:
        c.execute(
            insert(province_queue).values(
                kind="rating",
                ref=r.rating_id,
                dedupe_key=f"rating:{r.case_no}:1",
                state="pending",
                attempts=0,
                next_attempt_at=now,
                last_error="",
                rated_day=beijing_day(r.rated_at or r.received_at),
                created_at=now,
            )
        )
        if api.RatingLevel(r.level).is_negative:
            workflow.open_followup(c, self.calendar, self.settings.followup_working_days, r, now)

    # --- building province messages -------------------------------------------------------
    def build(self, row: Any) -> tuple[str, dict[str, Any]]:
        """(path, payload) of one queue row."""
        if row.kind == "rating":
            rec = records.full_record(self.engine, self.sealer, row.ref)
            if rec is None:
                raise MappingError(f"rating {row.ref} no longer exists")
            name, dept = self.item_names(rec.item_code)
            return pclient.EVALUATIONS, mapping.rating_payload(
                rec, row.dedupe_key, name, dept, self.departments
            )
        with self.engine.connect() as c:
            f = c.execute(select(followups).where(followups.c.id == row.ref)).one()
            last = c.execute(
                select(followup_steps)
                .where(followup_steps.c.followup_id == f.id)
                .order_by(followup_steps.c.id.desc())
                .limit(1)
            ).one()
        return pclient.RECTIFICATIONS, mapping.rectification_payload(
            row.dedupe_key, f.case_no, f.rectification, last.note, last.by, f.closed_at
        )

    def _post(self, path: str, payload: dict[str, Any]) -> str:
        if self.client is None:
            raise Retryable("no province URL configured (KIOSK_HAOCHA_PROVINCE_URL)")
        return self.client.post(path, payload)

    # --- reconciliation ---------------------------------------------------------------
    def _reconciled(self, day: str) -> bool:
        with self.engine.connect() as c:
            return (
                c.execute(select(reconciliations.c.id).where(reconciliations.c.day == day)).first()
                is not None
            )

    def reconcile(self, day: str, now: float) -> api.Reconciliation:
        """Compare one day's delivered ratings with the province's; resend the missing."""
        if self.client is None:
            raise Retryable("no province URL configured")
        theirs = self.client.daily(day)
        with self.engine.begin() as c:
            ours = {
                r.case_no: r.id
                for r in c.execute(
                    select(province_queue.c.id, ratings.c.case_no)
                    .select_from(
                        province_queue.join(ratings, ratings.c.rating_id == province_queue.c.ref)
                    )
                    .where(
                        province_queue.c.kind == "rating",
                        province_queue.c.rated_day == day,
                        province_queue.c.state == "delivered",
                    )
                )
            }
            missing = sorted(set(ours) - theirs)
            if missing:
                c.execute(
                    update(province_queue)
                    .where(province_queue.c.id.in_([ours[m] for m in missing]))
                    .values(
                        state="pending",
                        next_attempt_at=now,
                        last_error="missing at the province (reconciliation)",
                    )
                )
            c.execute(
                insert(reconciliations).values(
                    day=day, ours=len(ours), theirs=len(theirs), resent=len(missing), at=now
                )
            )
        if missing:
            log.warning(
                "reconciliation %s: %d delivered rating(s) missing at the province, resent",
                day,
                len(missing),
            )
        return api.Reconciliation(day=day, ours=len(ours), theirs=len(theirs), resent=len(missing))

    def queue_status(self) -> api.ProvinceQueueStatus:
        """Counts by state and the dead rows' errors."""
        with self.engine.connect() as c:
            rows = c.execute(
                select(
                    province_queue.c.id,
                    province_queue.c.kind,
                    province_queue.c.state,
                    province_queue.c.last_error,
                    province_queue.c.attempts,
                )
            ).all()
        counts: dict[str, int] = {}
        for r in rows:
            counts[r.state] = counts.get(r.state, 0) + 1
        dead = [
            api.ProvinceDeadRow(id=r.id, kind=r.kind, attempts=r.attempts, error=r.last_error)
            for r in rows
            if r.state == "dead"
        ]
        return api.ProvinceQueueStatus(counts=counts, dead=dead[:100])

    def requeue(self, row_id: int, now: float) -> None:
        """Put a dead row back in the queue (after the configuration was fixed)."""
        with self.engine.begin() as c:
            n = c.execute(
                update(province_queue)
                .where(province_queue.c.id == row_id, province_queue.c.state == "dead")
                .values(state="pending", next_attempt_at=now)
            ).rowcount
        if n != 1:
            raise HaochaError(f"queue row {row_id} is not dead")

    # --- follow-ups ------------------------------------------------------------------------
    def masked_phones(self) -> dict[int, str]:
        """rating_id → masked callback phone."""
        with self.engine.connect() as c:
            return {
                r.rating_id: r.phone_masked
                for r in c.execute(
                    select(details.c.rating_id, details.c.phone_masked).where(
                        details.c.phone_masked.is_not(None)
                    )
                )
            }

    def callback_phone(self, followup_id: int) -> str | None:
        """The full callback phone of a follow-up's 差评 (None: no phone was left)."""
        with self.engine.connect() as c:
            r = c.execute(
                select(details.c.phone_sealed, details.c.case_no)
                .select_from(followups.join(details, details.c.rating_id == followups.c.rating_id))
                .where(followups.c.id == followup_id)
            ).first()
        if r is None or r.phone_sealed is None:
            return None
        return self.sealer.open(r.phone_sealed, f"phone:{r.case_no}")

    def today(self) -> date:
        """Beijing date now."""
        return datetime.fromtimestamp(self.clock(), CN_TZ).date()

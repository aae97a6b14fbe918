"""差评 follow-up: 待核实 → 待回访 → 整改中 → 已办结, or 申诉 → 申诉通过 (excluded from statistics);
each step records who, when and what; the deadline is counted in working days."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from central.haocha.errors import BadTransition, HaochaError
from central.haocha.records import CN_TZ, beijing_day
from central.haocha.tables import followup_steps, followups, province_queue
from central.haocha.workdays import WorkCalendar
from kiosk import central_api as api

S = api.FollowUpState
TRANSITIONS: dict[S, frozenset[S]] = {
    S.TO_VERIFY: frozenset({S.TO_CALL_BACK, S.APPEALED}),
    S.TO_CALL_BACK: frozenset({S.RECTIFYING, S.CLOSED, S.APPEALED}),
    S.RECTIFYING: frozenset({S.CLOSED}),
    S.APPEALED: frozenset({S.APPEAL_UPHELD, S.TO_CALL_BACK}),
    S.CLOSED: frozenset(),
    S.APPEAL_UPHELD: frozenset(),
}
FINAL = frozenset({S.CLOSED, S.APPEAL_UPHELD})
SYSTEM = "system"


def _local_date(t: float) -> date:
    return datetime.fromtimestamp(t, CN_TZ).date()


def open_followup(
    c: Connection, cal: WorkCalendar, working_days: int, rating: Any, now: float
) -> int | None:
    """Open the follow-up of a 差评 ratings row (None when it has one already)."""
    if c.execute(select(followups.c.id).where(followups.c.rating_id == rating.rating_id)).first():
        return None
    opened = rating.received_at
    due = cal.add_working_days(_local_date(opened), working_days)
    fid = c.execute(
        insert(followups).values(
            rating_id=rating.rating_id,
            case_no=rating.case_no,
            item_code=rating.item_code,
            level=rating.level,
            reasons=rating.tags,
            state=S.TO_VERIFY.value,
            opened_at=opened,
            due_date=due.isoformat(),
            working_days=working_days,
            updated_at=now,
        )
    ).inserted_primary_key
    assert fid is not None
    c.execute(
        insert(followup_steps).values(
            followup_id=fid[0],
            from_state=None,
            to_state=S.TO_VERIFY.value,
            by=SYSTEM,
            at=now,
            note=f"差评 received; due in {working_days} working days ({due.isoformat()})",
        )
    )
    return int(fid[0])


def step(engine: Engine, followup_id: int, action: api.FollowUpAction, by: str, now: float) -> None:
    """Apply one step; BadTransition when the workflow does not allow it."""
    with engine.begin() as c:
        row = c.execute(select(followups).where(followups.c.id == followup_id)).first()
        if row is None:
            raise HaochaError(f"no follow-up {followup_id}")
        current = S(row.state)
        if action.to not in TRANSITIONS[current]:
            allowed = ", ".join(s.value for s in TRANSITIONS[current]) or "none (closed)"
            raise BadTransition(
                f"{current.value} → {action.to.value} is not allowed (next: {allowed})"
            )
        if action.to is S.CLOSED and action.rectification is None:
            raise BadTransition("closing needs rectification: immediate, deadline or explained")
        values: dict[str, Any] = {"state": action.to.value, "updated_at": now}
        if action.to in FINAL:
            values["closed_at"] = now
            values["rectification"] = action.rectification or "appeal_upheld"
        # compare-and-set on the state: two staff acting at once cannot both move it
        done = c.execute(
            update(followups)
            .where(followups.c.id == followup_id, followups.c.state == current.value)
            .values(**values)
        ).rowcount
        if done != 1:
            raise BadTransition("the follow-up changed meanwhile; reload it")
        c.execute(
            insert(followup_steps).values(
                followup_id=followup_id,
                from_state=current.value,
                to_state=action.to.value,
                by=by,
                at=now,
                note=action.note,
            )
        )
        if action.to in FINAL:  # the result goes to the province with the rating's queue
            c.execute(
                insert(province_queue).values(
                    kind="rectification",
                    ref=followup_id,
                    dedupe_key=f"rectify:{row.case_no}",
                    state="pending",
                    attempts=0,
                    next_attempt_at=now,
                    last_error="",
                    rated_day=beijing_day(row.opened_at),
                    created_at=now,
                )
            )


def _model(row: Any, steps: list[Any], today: date, phone: str | None) -> api.FollowUp:
    due = date.fromisoformat(row.due_date)
    state = S(row.state)
    closed_day = _local_date(row.closed_at) if row.closed_at is not None else None
    on_time = None if closed_day is None or state is S.APPEAL_UPHELD else closed_day <= due
    overdue = (closed_day is None and today > due) or on_time is False
    return api.FollowUp(
        followup_id=row.id,
        rating_id=row.rating_id,
        case_no=row.case_no,
        item_code=row.item_code,
        level=api.RatingLevel(row.level),
        reasons=list(json.loads(row.reasons)),
        state=state,
        opened_at=datetime.fromtimestamp(row.opened_at, CN_TZ),
        due_date=row.due_date,
        working_days=row.working_days,
        overdue=overdue,
        closed_at=datetime.fromtimestamp(row.closed_at, CN_TZ) if row.closed_at else None,
        on_time=on_time,
        callback_phone=phone,
        steps=[
            api.FollowUpStep(
                from_state=S(s.from_state) if s.from_state else None,
                to_state=S(s.to_state),
                by=s.by,
                at=datetime.fromtimestamp(s.at, CN_TZ),
                note=s.note,
            )
            for s in steps
        ],
    )


def listing(
    engine: Engine,
    now: float,
    state: S | None = None,
    overdue: bool | None = None,
    phones: dict[int, str] | None = None,
) -> list[api.FollowUp]:
    """Follow-ups, oldest first, optionally by state / overdue flag (phones: masked, by rating)."""
    q = select(followups).order_by(followups.c.id)
    if state is not None:
        q = q.where(followups.c.state == state.value)
    with engine.connect() as c:
        rows = c.execute(q).all()
        steps: dict[int, list[Any]] = {}
        if rows:
            for s in c.execute(
                select(followup_steps)
                .where(followup_steps.c.followup_id.in_([r.id for r in rows]))
                .order_by(followup_steps.c.id)
            ):
                steps.setdefault(s.followup_id, []).append(s)
    today = _local_date(now)
    out = [_model(r, steps.get(r.id, []), today, (phones or {}).get(r.rating_id)) for r in rows]
    return [f for f in out if overdue is None or f.overdue == overdue]

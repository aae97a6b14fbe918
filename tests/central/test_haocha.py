"""好差评 in central: dictionary, full record (sealed phone), 差评 follow-up with working-day
deadlines over National Day, appeal excluded from 满意率, statistics against hand counts."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from kiosk import central_api as api
from kiosk.rating.defaults import DEFAULT_DICTIONARY
from tests.central.conftest import Service
from tests.central.haocha_helpers import configure, new_case, rate, staff, start_service

CN = timezone(timedelta(hours=8))


@pytest.fixture
def svc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Service]:
    configure(monkeypatch, tmp_path)  # no province URL: ratings queue, follow-ups open
    s = start_service(tmp_path)
    try:
        yield s
    finally:
        s.handle.stop()


def at(svc: Service, y: int, m: int, d: int, hh: int = 10) -> None:
    """Move the service (and the signing terminal) to a Beijing time."""
    svc.clock.offset = datetime(y, m, d, hh, tzinfo=CN).timestamp() - time.time()


def followups(svc: Service, n: int, **params: str) -> list[api.FollowUp]:
    """Wait until the scan opened n follow-ups; return them."""
    q = "&".join(f"{k}={v}" for k, v in params.items())
    deadline = time.monotonic() + 10
    while True:
        got = api.FollowUpList.model_validate_json(
            staff(svc, "GET", "/v1/admin/followups" + ("?" + q if q else "")).content
        )
        if got.count >= n or time.monotonic() > deadline:
            return got.followups
        time.sleep(0.1)


def step(svc: Service, fid: int, to: str, note: str = "处理", **kw: str) -> int:
    return staff(
        svc, "POST", f"/v1/admin/followups/{fid}/steps", {"to": to, "note": note, **kw}
    ).status_code


def test_dictionary_served_with_etag_and_a_new_version_replaces_it(svc: Service) -> None:
    r = svc.terminal.call("GET", api.RATING_DICTIONARY_PATH)
    assert r.status_code == 200 and r.headers["X-Dictionary-Version"] == "1"
    d = api.RatingDictionary.model_validate_json(r.content)
    assert [i.zh for i in d.indicators] == ["整体满意度", "服务效率", "服务水平/便利度", "服务态度"]
    assert "not_done_once" in d.reason_codes(api.RatingLevel.DISSATISFIED)
    again = svc.terminal.call(
        "GET", api.RATING_DICTIONARY_PATH, headers={"If-None-Match": r.headers["ETag"]}
    )
    assert again.status_code == 304
    v2 = {**DEFAULT_DICTIONARY, "version": 2}
    v2["reasons_by_level"] = {
        **v2["reasons_by_level"],
        "不满意": [{"code": "queue_long", "zh": "排队太久", "en": "Long queue"}],
    }
    assert staff(svc, "PUT", "/v1/admin/rating-dictionary", v2).status_code == 200
    assert staff(svc, "PUT", "/v1/admin/rating-dictionary", v2).status_code == 409
    r2 = svc.terminal.call(
        "GET", api.RATING_DICTIONARY_PATH, headers={"If-None-Match": r.headers["ETag"]}
    )
    assert r2.status_code == 200 and r2.json()["version"] == 2
    # a rating names its version; reasons are checked against that version
    case = new_case(svc)
    bad = rate(svc, case, "不满意", ["queue_long"])  # v1 has no such reason
    assert bad.status_code == 422 and bad.json()["error"] == "unknown_tag"
    assert rate(svc, case, "不满意", ["queue_long"], dictionary_version=2).status_code == 201
    other = new_case(svc)
    assert (
        rate(svc, other, "满意", [], dictionary_version=9).json()["error"]
        == "unknown_dictionary_version"
    )


def test_callback_phone_needs_consent_is_sealed_at_rest_and_masked(svc: Service) -> None:
    case = new_case(svc)
    nope = rate(svc, case, "满意", [], callback={"phone": "13912345678", "consent": True})
    assert nope.status_code == 422  # a callback is for a 差评 only
    assert (
        rate(
            svc, case, "不满意", ["too_slow"], callback={"phone": "13912345678", "consent": False}
        ).status_code
        == 422
    )
    ok = rate(
        svc,
        case,
        "不满意",
        ["too_slow"],
        comment="打印太慢",
        indicators={"overall": "不满意", "efficiency": "非常不满意"},
        callback={"phone": "13912345678", "consent": True},
    )
    assert ok.status_code == 201, ok.text
    (f,) = followups(svc, 1)
    assert f.callback_phone == "139****5678" and f.state == api.FollowUpState.TO_VERIFY
    full = staff(svc, "GET", f"/v1/admin/followups/{f.followup_id}/callback-phone")
    assert full.json() == {"phone": "13912345678"} and full.headers["Cache-Control"] == "no-store"
    raw = Path(svc.db).read_bytes() + (
        Path(str(svc.db) + "-wal").read_bytes() if Path(str(svc.db) + "-wal").exists() else b""
    )
    assert b"13912345678" not in raw
    key = Path(str(svc.db) + ".key")  # central's server key seals the phone too
    assert key.stat().st_mode & 0o777 == 0o600
    with sqlite3.connect(svc.db) as c:
        row = c.execute(
            "SELECT dictionary_version, indicators, phone_masked, hall FROM haocha_rating_details"
        ).fetchone()
    assert row == (
        1,
        '{"efficiency": "非常不满意", "overall": "不满意"}',
        "139****5678",
        "安康市政务服务中心",
    )


def test_deadline_counts_working_days_over_national_day(svc: Service) -> None:
    at(svc, 2026, 9, 30)  # Wednesday before 国庆: 10-01…10-07 off, Sat 10-10 a workday
    rate(svc, new_case(svc), "非常不满意", ["device_fault"])
    (f,) = followups(svc, 1)
    # 10 working days: 10-08, 10-09, 10-10 (Sat, 调休), 10-12 … 10-16, 10-19, 10-20
    assert f.due_date == "2026-10-20" and f.working_days == 10 and not f.overdue
    at(svc, 2026, 10, 21)
    (f,) = followups(svc, 1)
    assert f.overdue
    assert [x.followup_id for x in followups(svc, 1, overdue="true")] == [f.followup_id]


def test_workflow_records_who_when_what_and_refuses_skips(svc: Service) -> None:
    rate(svc, new_case(svc), "不满意", ["unclear"])
    (f,) = followups(svc, 1)
    assert step(svc, f.followup_id, "已办结", rectification="immediate") == 409  # not verified yet
    assert step(svc, f.followup_id, "待回访", "核实属实") == 200
    assert step(svc, f.followup_id, "整改中", "已回访, 市民同意整改方案") == 200
    assert step(svc, f.followup_id, "已办结", "补充说明") == 409  # needs how it was settled
    assert step(svc, f.followup_id, "已办结", "更新操作指引", rectification="deadline") == 200
    assert step(svc, f.followup_id, "申诉", "晚了") == 409
    (f,) = followups(svc, 1)
    assert [(s.from_state, s.to_state, s.by) for s in f.steps] == [
        (None, api.FollowUpState.TO_VERIFY, "system"),
        (api.FollowUpState.TO_VERIFY, api.FollowUpState.TO_CALL_BACK, "tester"),
        (api.FollowUpState.TO_CALL_BACK, api.FollowUpState.RECTIFYING, "tester"),
        (api.FollowUpState.RECTIFYING, api.FollowUpState.CLOSED, "tester"),
    ]
    assert f.steps[-1].note == "更新操作指引" and f.on_time is True


def test_stats_match_hand_computed_figures_and_appeal_is_excluded(svc: Service) -> None:
    at(svc, 2026, 9, 30)
    plan = [
        ("A厅", "非常满意", []),
        ("A厅", "满意", []),
        ("A厅", "基本满意", []),
        ("A厅", "不满意", ["too_slow"]),
        ("B厅", "满意", []),
        ("B厅", "非常不满意", ["wrong_result"]),
        ("B厅", "不满意", ["attitude"]),
        ("B厅", "非常满意", []),
    ]
    for hall, level, tags in plan:
        assert rate(svc, new_case(svc), level, tags, hall=hall).status_code == 201
    a_bad, b_bad, b_appeal = followups(svc, 3)
    for fid in (a_bad.followup_id, b_bad.followup_id):
        assert step(svc, fid, "待回访", "核实") == 200
    assert step(svc, b_appeal.followup_id, "申诉", "评价人误操作, 有录像") == 200
    assert step(svc, b_appeal.followup_id, "申诉通过", "市级复核通过") == 200
    at(svc, 2026, 10, 15)
    assert step(svc, a_bad.followup_id, "已办结", "当场解释", rectification="explained") == 200
    at(svc, 2026, 10, 22)  # after the 10-20 deadline
    assert step(svc, b_bad.followup_id, "已办结", "已更正", rectification="immediate") == 200

    r = staff(
        svc, "GET", "/v1/admin/stats?from=2026-09-01&to=2026-09-30&region=610900&group_by=hall"
    )
    assert r.status_code == 200, r.text
    s = api.Stats.model_validate_json(r.content)
    assert s.excluded_by_appeal == 1
    t = s.total
    assert (t.ratings, t.satisfied, t.bad, t.rectified, t.on_time) == (7, 5, 2, 2, 1)
    assert (t.satisfaction_rate, t.rectification_rate, t.on_time_rate) == (0.7143, 1.0, 0.5)
    a, b = s.rows
    assert (a.key, a.ratings, a.satisfied, a.satisfaction_rate, a.bad, a.on_time_rate) == (
        "A厅",
        4,
        3,
        0.75,
        1,
        1.0,
    )
    assert (b.key, b.ratings, b.satisfied, b.satisfaction_rate, b.bad, b.on_time_rate) == (
        "B厅",
        3,
        2,
        0.6667,
        1,
        0.0,
    )
    by_item = api.Stats.model_validate_json(
        staff(svc, "GET", "/v1/admin/stats?from=2026-09-30&to=2026-09-30&group_by=item").content
    )
    assert [(x.key, x.name, x.ratings) for x in by_item.rows] == [
        ("SB-APPLY-001", "养老待遇资格认证", 7)
    ]
    by_dept = api.Stats.model_validate_json(
        staff(
            svc, "GET", "/v1/admin/stats?from=2026-09-30&to=2026-09-30&group_by=department"
        ).content
    )
    assert [(x.key, x.ratings) for x in by_dept.rows] == [("人社局", 7)]
    other_region = api.Stats.model_validate_json(
        staff(svc, "GET", "/v1/admin/stats?from=2026-09-01&to=2026-09-30&region=440000").content
    )
    assert other_region.total.ratings == 0 and other_region.total.satisfaction_rate is None
    assert staff(svc, "GET", "/v1/admin/stats?from=2026-10-01&to=2026-09-01").status_code == 422
    assert staff(svc, "GET", "/v1/admin/stats?from=x&to=2026-09-01").status_code == 422


def test_staff_endpoints_need_a_token(svc: Service) -> None:
    import requests

    for path in (
        "/v1/admin/followups",
        "/v1/admin/stats?from=2026-01-01&to=2026-01-02",
        "/v1/admin/province/queue",
    ):
        assert requests.get(svc.url + path, timeout=5).status_code == 401

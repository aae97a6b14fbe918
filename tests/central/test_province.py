"""Forwarding to the province simulator: 500s, timeouts, an answer lost after the province kept
the rating, field rejections, reconciliation, and the 差评 result; each rating kept once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from central.sandbox.province import SimHandle
from kiosk import central_api as api
from tests.central.conftest import Service
from tests.central.haocha_helpers import (
    DEPT_CODE,
    configure,
    new_case,
    rate,
    staff,
    start_service,
    start_sim,
)


@pytest.fixture
def pair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Service, SimHandle]]:
    sim, secret = start_sim()
    configure(monkeypatch, tmp_path, sim.url, secret)
    svc = start_service(tmp_path)
    try:
        yield svc, sim
    finally:
        svc.handle.stop()
        sim.stop()


def queue(svc: Service) -> api.ProvinceQueueStatus:
    return api.ProvinceQueueStatus.model_validate_json(
        staff(svc, "GET", "/v1/admin/province/queue").content
    )


def wait_delivered(svc: Service, n: int, timeout: float = 30) -> api.ProvinceQueueStatus:
    deadline = time.monotonic() + timeout
    while True:
        q = queue(svc)
        if q.counts.get("delivered", 0) >= n or time.monotonic() > deadline:
            return q
        time.sleep(0.1)


def test_faults_end_with_each_rating_once_with_the_right_codes(pair) -> None:
    svc, sim = pair
    s = sim.sim
    s.inject("500", 2)
    s.inject("timeout", 1, delay_s=3)  # longer than the 2 s client timeout
    s.inject("accept_then_500", 1)  # kept, but central hears 500 and sends again
    cases = [new_case(svc) for _ in range(4)]
    assert (
        rate(
            svc,
            cases[0],
            "非常满意",
            ["efficient"],
            indicators={"overall": "非常满意", "attitude": "满意"},
        ).status_code
        == 201
    )
    assert (
        rate(
            svc,
            cases[1],
            "非常不满意",
            ["device_fault", "too_slow"],
            comment="打印机卡纸",
            callback={"phone": "13700001111", "consent": True},
        ).status_code
        == 201
    )
    assert (
        rate(
            svc,
            cases[2],
            "基本满意",
            real_name=True,
            rater={"name": "张三", "id_number": "11010519491231002X"},
        ).status_code
        == 201
    )
    legacy = svc.terminal.rate(cases[3], "满意", [])  # an older terminal: no dictionary fields
    assert legacy.status_code == 201
    q = wait_delivered(svc, 4)
    assert q.counts == {"delivered": 4}
    got = s.by_project()
    assert sorted(got) == sorted(cases) and all(len(v) == 1 for v in got.values())
    assert len(s.state.posts) > 3  # the faults made central send again
    e0, e1, e2 = (got[c][0] for c in cases[:3])
    assert (e0["satisfaction"], e1["satisfaction"], e2["satisfaction"]) == (5, 1, 3)
    assert e0["indexScores"] == {"ZT": 5, "TD": 4} and e0["contentCodes"] == "A01"
    assert e1["contentCodes"] == "C06,C01" and e1["mobile"] == "13700001111"
    assert e1["comment"] == "打印机卡纸"
    assert e2["anonymous"] == "0" and e2["userCert"] == "11010519491231002X"
    assert e0["anonymous"] == "1" and e0["userCert"] == "" and e0["mobile"] == ""
    for e in (e0, e1, e2):
        assert e["pf"] == 5 and e["deptCode"] == DEPT_CODE and e["taskName"] == "养老待遇资格认证"
        assert e["areaCode"] == "610900" and e["evaluateNum"] == 1 and e["dictVersion"] == 1
        assert len(e["evaluateTime"]) == 15 and e["evaluateTime"][8] == "T"
    e3 = got[cases[3]][0]
    assert (e3["satisfaction"], e3["dictVersion"], e3["contentCodes"]) == (4, 0, "")


def test_rejected_fields_go_dead_and_show_in_the_queue(pair) -> None:
    svc, sim = pair
    case = new_case(svc)
    assert (
        rate(
            svc,
            case,
            "满意",
            real_name=True,
            rater={"name": "李四", "id_number": "110105194912310021"},
        ).status_code
        == 201
    )
    deadline = time.monotonic() + 15
    while not queue(svc).dead and time.monotonic() < deadline:
        time.sleep(0.1)
    (dead,) = queue(svc).dead
    assert "userCert" in dead.error and dead.kind == "rating"
    assert "110105194912310021" not in dead.error  # the simulator names the field, not the value
    assert sim.sim.by_project() == {}
    r = staff(svc, "POST", f"/v1/admin/province/queue/{dead.id}/requeue")
    assert r.status_code == 204
    assert staff(svc, "POST", "/v1/admin/province/queue/99999/requeue").status_code == 409


def test_reconciliation_resends_what_the_province_lost(pair) -> None:
    svc, sim = pair
    cases = [new_case(svc) for _ in range(3)]
    for c in cases:
        assert rate(svc, c, "满意").status_code == 201
    wait_delivered(svc, 3)
    s = sim.sim
    day = next(iter(s.state.evaluations.values()))["evaluateTime"][:8]
    with s.lock:  # the province loses one
        lost = next(k for k, v in s.state.evaluations.items() if v["projectNo"] == cases[1])
        del s.state.evaluations[lost]
    r = staff(svc, "POST", f"/v1/admin/province/reconcile?day={day}")
    assert r.status_code == 200, r.text
    assert r.json() == {"day": day, "ours": 3, "theirs": 2, "resent": 1}
    wait_delivered(svc, 3)
    deadline = time.monotonic() + 10
    while len(s.by_project()) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sorted(s.by_project()) == sorted(cases)
    assert all(len(v) == 1 for v in s.by_project().values())
    again = staff(svc, "POST", f"/v1/admin/province/reconcile?day={day}").json()
    assert again["resent"] == 0 and again["theirs"] == 3


def test_closed_followup_result_is_forwarded(pair) -> None:
    svc, sim = pair
    case = new_case(svc)
    assert rate(svc, case, "不满意", ["unclear"]).status_code == 201
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        fl = staff(svc, "GET", "/v1/admin/followups").json()
        if fl["count"]:
            break
        time.sleep(0.1)
    fid = fl["followups"][0]["followup_id"]
    for to, extra in (("待回访", {}), ("已办结", {"rectification": "immediate"})):
        r = staff(
            svc,
            "POST",
            f"/v1/admin/followups/{fid}/steps",
            {"to": to, "note": "已更新指引", **extra},
        )
        assert r.status_code == 200, r.text
    wait_delivered(svc, 2)
    (rect,) = sim.sim.state.rectifications.values()
    assert rect["projectNo"] == case and rect["rectifyType"] == 1 and rect["handler"] == "tester"
    assert rect["rectifyResult"] == "已更新指引"

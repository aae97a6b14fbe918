"""好差评 in the console: 差评 follow-up to 已办结, the audited phone reveal, exports, statistics."""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from central.console import accounts
from central.console.store import ConsoleStore
from tests.central.conftest import Service
from tests.central.console.conftest import PASSWORDS, ROLES, Console, sql_db
from tests.central.haocha_helpers import configure, new_case, rate, start_service


@pytest.fixture
def hconsole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Console]:
    """Central with 好差评 configured (no province URL) and one console account per role."""
    configure(monkeypatch, tmp_path)
    svc: Service = start_service(tmp_path)
    store = ConsoleStore(svc.db)
    with store.transaction() as db:
        for name, role in ROLES.items():
            accounts.add_account(db, name, role, PASSWORDS[name], time.time())
    try:
        yield Console(svc, store)
    finally:
        store.close()
        svc.handle.stop()


def _wait_followups(s, n: int) -> str:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 10
    while True:
        page = s.get("/ratings").text
        if page.count("data-followup=") >= n or time.monotonic() > deadline:
            return page
        time.sleep(0.2)


def test_a_bad_rating_followed_up_to_closed(hconsole: Console) -> None:
    svc = hconsole.service
    case = new_case(svc)
    assert (
        rate(
            svc,
            case,
            "不满意",
            ["too_slow"],
            comment='=HYPERLINK("http://x")',
            callback={"phone": "13912345678", "consent": True},
        ).status_code
        == 201
    )
    rater = hconsole.signed_in("rater")
    page = _wait_followups(rater, 1)
    fid = re.search(r'data-followup="(\d+)"', page).group(1)  # type: ignore[union-attr]
    assert "待核实" in page and "139****5678" in page and "13912345678" not in page
    detail = rater.get(f"/ratings/followups/{fid}").text
    assert 'id="phone">139****5678<' in detail
    # The full number only through a POST by the rating role, and it is audited.
    r = rater.post(f"/ratings/followups/{fid}/phone")
    assert r.status_code == 200 and 'id="phone">13912345678<' in r.text
    db = sql_db(svc.db)
    assert db.execute(
        "SELECT name, target, detail FROM console_audit WHERE action = 'phone_reveal'"
    ).fetchall() == [("rater", f"followup {fid}", case)]
    # Skipping a step or closing without a rectification is refused with the reason.
    rater.get(f"/ratings/followups/{fid}")
    r = rater.post(
        f"/ratings/followups/{fid}/step",
        {"to": "已办结", "note": "x", "rectification": "immediate"},
    )
    assert r.status_code == 409 and "不能这样处理" in r.text
    for to, note, how in (
        ("待回访", "核实属实", ""),
        ("整改中", "已电话回访", ""),
        ("已办结", "调整打印队列", "immediate"),
    ):
        rater.get(f"/ratings/followups/{fid}")
        r = rater.post(
            f"/ratings/followups/{fid}/step", {"to": to, "note": note, "rectification": how}
        )
        assert r.status_code == 303, r.text
    detail = rater.get(f"/ratings/followups/{fid}").text
    assert 'id="state">已办结<' in detail and "调整打印队列" in detail and "rater" in detail
    steps = [
        a
        for (a,) in db.execute(
            "SELECT detail FROM console_audit WHERE action = 'followup_step' ORDER BY audit_id"
        )
    ]
    assert steps == ["待回访", "整改中", "已办结"]


def test_viewer_sees_follow_ups_but_cannot_act_reveal_or_export(hconsole: Console) -> None:
    svc = hconsole.service
    rate(
        svc,
        new_case(svc),
        "非常不满意",
        ["device_fault"],
        callback={"phone": "13912345678", "consent": True},
    )
    viewer = hconsole.signed_in("viewer")
    page = _wait_followups(viewer, 1)
    fid = re.search(r'data-followup="(\d+)"', page).group(1)  # type: ignore[union-attr]
    detail = viewer.get(f"/ratings/followups/{fid}").text
    assert 'id="do-step"' not in detail and 'id="reveal"' not in detail
    assert viewer.post(f"/ratings/followups/{fid}/phone").status_code == 403
    assert (
        viewer.post(f"/ratings/followups/{fid}/step", {"to": "待回访", "note": "x"}).status_code
        == 403
    )
    assert viewer.get("/ratings/export?format=csv").status_code == 403
    assert "13912345678" not in viewer.get(f"/ratings/followups/{fid}").text


def test_exports_neutralise_formulas(hconsole: Console) -> None:
    svc = hconsole.service
    for comment in ('=HYPERLINK("http://evil","x")', "+1+1", "@SUM(A1)", "-2", "正常评价"):
        assert rate(svc, new_case(svc), "满意", [], comment=comment).status_code == 201
    rater = hconsole.signed_in("rater")
    r = rater.get("/ratings/export?format=csv")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    comments = [row[4] for row in rows[1:]]
    assert comments == ['\'=HYPERLINK("http://evil","x")', "'+1+1", "'@SUM(A1)", "'-2", "正常评价"]
    x = rater.get("/ratings/export?format=xlsx")
    assert x.status_code == 200
    ws = load_workbook(io.BytesIO(x.content)).active
    cells = [ws.cell(row=i, column=5) for i in range(2, 7)]
    assert [c.value for c in cells] == comments
    assert all(c.data_type == "s" for c in cells)  # text, never a formula
    assert rater.get("/ratings/export?first=2026-13-01").status_code == 422
    assert rater.get("/ratings/export?first=2026-12-05&last=2026-12-01").status_code == 422


def test_statistics_page_matches_hand_counts(hconsole: Console) -> None:
    svc = hconsole.service
    for level, tags in (("非常满意", []), ("满意", []), ("基本满意", []), ("不满意", ["too_slow"])):
        assert rate(svc, new_case(svc), level, tags).status_code == 201
    viewer = hconsole.signed_in("viewer")
    page = viewer.get("/stats").text
    assert 'id="total-ratings">4<' in page
    assert 'id="total-satisfaction">75.0%<' in page  # 3 of 4
    assert 'id="total-bad">1<' in page
    assert viewer.get("/stats?first=2026-02-30").status_code == 422


def test_a_bad_rating_to_closed_in_the_browser(hconsole: Console) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import Select, WebDriverWait

    from central.console.browser import chromium, log_in

    svc = hconsole.service
    rate(
        svc,
        new_case(svc),
        "非常不满意",
        ["device_fault"],
        callback={"phone": "13912345678", "consent": True},
    )
    _wait_followups(hconsole.signed_in("viewer"), 1)
    with chromium() as driver:
        log_in(driver, svc.url, "rater", PASSWORDS["rater"])
        driver.find_element(By.LINK_TEXT, "好差评").click()
        driver.find_element(By.CSS_SELECTOR, "#followups tr[data-followup] a").click()
        assert driver.find_element(By.ID, "phone").text == "139****5678"
        driver.find_element(By.ID, "reveal").click()
        WebDriverWait(driver, 20).until(
            EC.text_to_be_present_in_element((By.ID, "phone"), "13912345678")
        )
        for to, how in (("待回访", ""), ("整改中", ""), ("已办结", "explained")):
            Select(driver.find_element(By.ID, "to")).select_by_value(to)
            if how:
                Select(driver.find_element(By.ID, "rectification")).select_by_value(how)
            driver.find_element(By.ID, "note").send_keys(f"{to}：已处理")
            driver.find_element(By.ID, "do-step").click()
            WebDriverWait(driver, 20).until(EC.text_to_be_present_in_element((By.ID, "state"), to))
        assert "已办结：已处理" in driver.find_element(By.ID, "steps").text
        assert driver.find_elements(By.ID, "do-step") == []  # nothing left to do
        driver.find_element(By.CSS_SELECTOR, "header .who button").click()
        WebDriverWait(driver, 20).until(EC.url_contains("/console/login"))

"""The console in a real browser (Debian's headless Chromium through Selenium)."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from central.console.browser import chromium, log_in
from tests.central.console.conftest import PASSWORDS, Console

pytestmark = pytest.mark.timeout(120)


def _state(driver, terminal_id: str) -> str:  # type: ignore[no-untyped-def]
    row = driver.find_element(By.CSS_SELECTOR, f'tr[data-terminal="{terminal_id}"]')
    return row.find_element(By.CSS_SELECTOR, "td.state").text


def test_log_in_see_a_terminal_go_offline_and_log_out(console: Console) -> None:
    svc = console.service
    assert svc.terminal.heartbeat(devices={"printer": {"status": "fault",
                                                       "detail": "paper_out"}}).status_code == 200
    with chromium() as driver:
        log_in(driver, svc.url, "viewer", "not the password")
        assert "用户名或密码不正确" in driver.find_element(By.CSS_SELECTOR, ".error").text
        driver.get_log("browser")  # drains the expected "401" network entry of that attempt
        log_in(driver, svc.url, "viewer", PASSWORDS["viewer"])
        assert driver.find_element(By.ID, "faults").text == "1"
        assert "paper_out" in driver.page_source
        # CSP violations would show up as console errors; the page uses none of what it forbids.
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []
        driver.find_element(By.LINK_TEXT, "终端").click()
        assert _state(driver, "T-0001") == "有故障"
        svc.clock.offset += 200  # no heartbeat for longer than the 180 s threshold
        driver.refresh()
        assert _state(driver, "T-0001") == "离线"
        # The filter submits itself when the choice changes (console.js).
        Select(driver.find_element(By.ID, "state")).select_by_value("online")
        WebDriverWait(driver, 20).until(EC.url_contains("state=online"))
        assert "没有符合条件的终端" in driver.find_element(By.ID, "fleet").text
        driver.find_element(By.CSS_SELECTOR, "header .who button").click()
        WebDriverWait(driver, 20).until(EC.url_contains("/console/login"))
        driver.get(svc.url + "/console/fleet")
        assert driver.current_url.endswith("/console/login")

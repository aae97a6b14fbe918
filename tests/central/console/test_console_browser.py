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
    assert (
        svc.terminal.heartbeat(
            devices={"printer": {"status": "fault", "detail": "paper_out"}}
        ).status_code
        == 200
    )
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


def test_publish_to_a_pilot_group_then_to_all_in_the_browser(console: Console, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.central.conftest import bundle_bytes
    from tests.central.console.test_console_catalogue import PILOT, _second_terminal, _v2

    svc = console.service
    assert svc.publish(bundle_bytes(svc.key, 1)).status_code == 200
    pilot = _second_terminal(console)
    for t in (svc.terminal, pilot):
        t.heartbeat(catalogue_version=1)
    bundle = tmp_path / "catalogue-v2.json"
    bundle.write_bytes(_v2(console))

    def adopt(t) -> int:  # type: ignore[no-untyped-def]
        """What a terminal does on refresh_catalogue: fetch, install, report the version."""
        version = int(t.call("GET", "/v1/catalogue").headers["X-Catalogue-Version"])
        t.heartbeat(catalogue_version=version)
        return version

    with chromium() as driver:
        log_in(driver, svc.url, "pub", PASSWORDS["pub"])
        driver.find_element(By.LINK_TEXT, "事项目录").click()
        box = driver.find_element(By.ID, "pilot-terminals")
        box.clear()
        box.send_keys(PILOT)
        driver.find_element(By.ID, "save-pilots").click()
        WebDriverWait(driver, 20).until(
            EC.presence_of_element_located(
                (By.CSS_SELECTOR, f'#pilots tr[data-terminal="{PILOT}"]')
            )
        )
        driver.find_element(By.ID, "bundle").send_keys(str(bundle))
        driver.find_element(By.ID, "upload").click()
        WebDriverWait(driver, 20).until(EC.url_contains("/console/catalogue/2"))
        diff = driver.find_element(By.ID, "diff").text
        assert "BDC-QUERY-002" in diff and "新增" in diff and "删除" in diff
        driver.find_element(By.ID, "to-pilot").click()
        WebDriverWait(driver, 20).until(
            EC.text_to_be_present_in_element((By.ID, "stage"), "试点中")
        )
        assert adopt(pilot) == 2
        assert adopt(svc.terminal) == 1
        driver.find_element(By.LINK_TEXT, "返回目录").click()
        assert driver.find_element(By.ID, "adopted").text == "1"
        row = driver.find_element(By.CSS_SELECTOR, f'#pilots tr[data-terminal="{PILOT}"] .version')
        assert row.text == "2"
        driver.find_element(By.LINK_TEXT, "2").click()
        driver.find_element(By.ID, "to-all").click()
        WebDriverWait(driver, 20).until(
            EC.text_to_be_present_in_element((By.ID, "stage"), "已全面发布")
        )
        assert adopt(svc.terminal) == 2
        driver.find_element(By.LINK_TEXT, "返回目录").click()
        assert driver.find_element(By.ID, "active-version").text == "2"
        assert driver.find_element(By.ID, "on-active").text == "2 / 2"

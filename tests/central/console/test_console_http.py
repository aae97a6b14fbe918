"""The staff console over real HTTP: login, CSRF, lockout, roles, headers, fleet and overview."""

from __future__ import annotations

import re

import pytest

from central.console import accounts
from tests.central.conftest import ID_NUMBER
from tests.central.console.conftest import PASSWORDS, Console, sql_db

PAGES = ("/", "/fleet", "/terminals/T-0001", "/staff", "/audit")


def _cookie_attrs(resp, name: str) -> str:  # type: ignore[no-untyped-def]
    for value in resp.raw.headers.getlist("Set-Cookie"):
        if value.startswith(name + "="):
            return value.lower()
    raise AssertionError(f"no Set-Cookie for {name}: {resp.headers}")


def test_login_page_headers_and_login_cookie(console: Console) -> None:
    r = console.staff().get("/login")
    assert r.status_code == 200
    assert "工作人员登录" in r.text
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Cache-Control"] == "no-store"
    attrs = _cookie_attrs(r, "console_login")
    assert "httponly" in attrs and "samesite=strict" in attrs and "path=/console" in attrs
    assert "secure" not in attrs  # plain HTTP on 127.0.0.1: a Secure cookie would never return


@pytest.mark.parametrize("path", PAGES)
def test_pages_need_a_session(console: Console, path: str) -> None:
    r = console.staff().get(path)
    assert r.status_code == 303
    assert r.headers["Location"].endswith("/console/login")


def test_login_without_csrf_is_refused(console: Console) -> None:
    s = console.staff()
    s.get("/login")
    r = s.post("/login", {"name": "admin", "password": PASSWORDS["admin"]}, csrf=False)
    assert r.status_code == 403
    assert "console_session" not in r.headers.get("Set-Cookie", "")
    assert "页面已过期" in r.text


def test_login_logout_and_session_cookie(console: Console) -> None:
    s = console.staff()
    r = s.login("admin")
    assert r.status_code == 303 and r.headers["Location"].endswith("/console/")
    attrs = _cookie_attrs(r, "console_session")
    assert "httponly" in attrs and "samesite=strict" in attrs and "path=/console" in attrs
    home = s.get("/")
    assert home.status_code == 200 and "admin（管理员）" in home.text
    stolen = s.http.cookies.get("console_session")
    # Logout is a POST with the session's CSRF token; without it nothing happens.
    assert s.post("/logout", csrf=False).status_code == 403
    assert s.get("/").status_code == 200
    r = s.post("/logout")
    assert r.status_code == 303 and r.headers["Location"].endswith("/console/login")
    # The old cookie value is dead on the server, not only deleted in the browser.
    other = console.staff()
    other.http.cookies.set("console_session", stolen, path="/console")
    assert other.get("/").status_code == 303
    rows = (
        sql_db(console.service.db)
        .execute("SELECT name, action FROM console_audit ORDER BY audit_id")
        .fetchall()
    )
    assert rows == [("admin", "login"), ("admin", "logout")]


def test_wrong_password_then_lockout_doubles(console: Console) -> None:
    s = console.staff()
    for _ in range(accounts.FREE_ATTEMPTS - 1):
        r = s.login("viewer", "wrong password!")
        assert r.status_code == 401 and "用户名或密码不正确" in r.text
    assert s.login("viewer").status_code == 303  # a success resets the count
    s = console.staff()
    for _ in range(accounts.FREE_ATTEMPTS):
        assert s.login("viewer", "wrong password!").status_code == 401
    db = sql_db(console.service.db)
    failed, until = db.execute(
        "SELECT failed_logins, locked_until FROM console_staff WHERE name = 'viewer'"
    ).fetchone()
    assert failed == accounts.FREE_ATTEMPTS
    assert until - console.service.clock() == pytest.approx(30, abs=2)
    # Locked: even the right password is refused, with the same words.
    r = s.login("viewer")
    assert r.status_code == 401 and "用户名或密码不正确" in r.text
    console.service.clock.offset += 31
    assert s.login("viewer", "wrong again!!").status_code == 401
    failed, until = db.execute(
        "SELECT failed_logins, locked_until FROM console_staff WHERE name = 'viewer'"
    ).fetchone()
    assert failed == accounts.FREE_ATTEMPTS + 1
    assert until - console.service.clock() == pytest.approx(60, abs=2)
    console.service.clock.offset += 61
    assert console.staff().login("viewer").status_code == 303
    actions = [
        a
        for (a,) in db.execute(
            "SELECT detail FROM console_audit WHERE action = 'login_failed' ORDER BY audit_id"
        )
    ]
    assert actions.count("locked_now") == 2 and "locked" in actions


def test_unknown_name_looks_like_a_wrong_password(console: Console) -> None:
    r = console.staff().login("nobody", "whatever-password")
    assert r.status_code == 401 and "用户名或密码不正确" in r.text


@pytest.mark.parametrize("name", ["pub", "rater", "viewer"])
def test_admin_pages_are_forbidden_to_other_roles(console: Console, name: str) -> None:
    s = console.signed_in(name)
    for path in ("/staff", "/audit"):
        r = s.get(path)
        assert r.status_code == 403 and "无权访问" in r.text
    r = s.post("/staff/viewer/disable")
    assert r.status_code == 403
    assert sql_db(console.service.db).execute(
        "SELECT disabled FROM console_staff WHERE name = 'viewer'"
    ).fetchone() == (0,)
    assert "/console/staff" not in s.get("/").text  # not offered in the navigation either


def test_admin_disables_an_account_and_its_session_ends(console: Console) -> None:
    viewer = console.signed_in("viewer")
    admin = console.signed_in("admin")
    admin.get("/staff")
    assert admin.post("/staff/viewer/disable", csrf=False).status_code == 403
    r = admin.post("/staff/viewer/disable")
    assert r.status_code == 303
    assert viewer.get("/").status_code == 303
    assert console.staff().login("viewer").status_code == 401
    audit = admin.get("/audit").text
    assert "staff_disable" in audit and "viewer" in audit


def test_overview_counts_and_fleet_offline(console: Console) -> None:
    svc = console.service
    assert (
        svc.terminal.heartbeat(
            devices={
                "printer": {"status": "warning", "detail": "paper_near_end"},
                "idcard": {"status": "ok"},
            }
        ).status_code
        == 200
    )
    case_no = svc.terminal.submit().json()["case_no"]
    assert svc.terminal.rate(case_no, "非常不满意", ["too_slow"]).status_code == 201
    s = console.signed_in("viewer")
    home = s.get("/").text
    assert re.search(r'id="online">1<', home) and re.search(r'id="offline">0<', home)
    assert re.search(r'id="cases-today">1<', home) and re.search(r'id="negative-today">1<', home)
    assert re.search(r'id="satisfaction">0\.0%<', home)
    assert "小票打印机" in home and "paper_near_end" in home
    fleet = s.get("/fleet").text
    assert 'data-terminal="T-0001" data-state="online"' in fleet
    assert "610900" in fleet  # the region it submitted under
    svc.clock.offset += 181  # past the 180 s offline threshold
    fleet = s.get("/fleet").text
    assert 'data-terminal="T-0001" data-state="offline"' in fleet
    assert 'data-terminal="T-0001"' in s.get("/fleet?state=offline").text
    assert 'data-terminal="T-0001"' not in s.get("/fleet?state=online").text
    assert "离线" in s.get("/terminals/T-0001").text
    assert s.get("/terminals/NOPE-1").status_code == 404


def test_pages_have_no_inline_script_style_or_personal_data(console: Console) -> None:
    svc = console.service
    svc.terminal.heartbeat()
    svc.terminal.submit()
    s = console.signed_in("admin")
    for path in PAGES + ("/login",):
        html = (s if path != "/login" else console.staff()).get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert not re.search(r"\sstyle=", html), path
        assert not re.search(r"\son[a-z]+=", html), path
        assert ID_NUMBER not in html and "张三" not in html, path


def test_static_files_served_with_headers(console: Console) -> None:
    s = console.staff()
    css = s.get("/static/console.css")
    assert css.status_code == 200 and "WenQuanYi" in css.text
    assert css.headers["X-Frame-Options"] == "DENY"
    assert s.get("/static/console.js").status_code == 200

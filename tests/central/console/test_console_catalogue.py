"""Catalogue publishing from the console: upload a signed bundle, diff, pilot group, all."""

from __future__ import annotations

import copy
import json
import re

import requests

from kiosk.catalogue.signing import sign_catalogue
from tests.central.conftest import KEY_ID, TERMINAL_ID, Terminal, bundle_bytes, catalogue_dict
from tests.central.console.conftest import Console, Staff, sql_db

PILOT = "T-PILOT-1"


def _second_terminal(console: Console) -> Terminal:
    from central.storage import Storage

    store = Storage(console.service.db)
    secret = store.add_terminal(PILOT, None, console.service.clock())
    store.close()
    return Terminal(console.service.url, PILOT, secret, console.service.clock)


def _v2(console: Console) -> bytes:
    cat = catalogue_dict(2)
    cat["items"][1]["name_zh"] = "养老保险待遇资格认证"
    cat["items"].pop(2)  # GJJ-QUERY-009 removed
    extra = copy.deepcopy(cat["items"][0])
    extra.update(code="BDC-QUERY-002", name_zh="不动产登记信息查询", order=9)
    cat["items"].append(extra)
    return json.dumps(sign_catalogue(cat, console.service.key, KEY_ID), ensure_ascii=False).encode()


def _upload(s: Staff, data: bytes) -> requests.Response:
    s.get("/catalogue")
    return s.http.post(
        s.url + "/catalogue/upload",
        data={"csrf": s.csrf},
        files={"bundle": ("bundle.json", data, "application/json")},
        timeout=10,
        allow_redirects=False,
    )


def _version_served(t: Terminal) -> tuple[int, list[str]]:
    r = t.call("GET", "/v1/catalogue")
    assert r.status_code == 200
    hb = t.heartbeat(catalogue_version=int(r.headers["X-Catalogue-Version"]) - 1)
    return int(r.headers["X-Catalogue-Version"]), hb.json()["commands"]


def test_upload_diff_pilot_then_all(console: Console) -> None:
    svc = console.service
    assert svc.publish(bundle_bytes(svc.key, 1)).status_code == 200
    pilot_terminal = _second_terminal(console)
    s = console.signed_in("pub")
    r = _upload(s, _v2(console))
    assert r.status_code == 303 and r.headers["Location"].endswith("/console/catalogue/2")
    page = s.get("/catalogue/2").text
    assert "已上传待发布" in page
    assert re.search(
        r'data-item="BDC-QUERY-002"><td>BDC-QUERY-002</td><td>[^<]+</td><td>新增', page
    )
    assert re.search(
        r'data-item="GJJ-QUERY-009"><td>GJJ-QUERY-009</td><td>[^<]+</td><td>删除', page
    )
    assert "养老保险待遇资格认证" in page and "name_zh" in page
    # Staged only: nobody is served version 2 yet.
    assert _version_served(svc.terminal)[0] == 1
    assert _version_served(pilot_terminal)[0] == 1
    # A pilot needs a pilot group; unknown ids are refused.
    s.get("/catalogue")
    r = s.post("/catalogue/pilots", {"terminals": "NO-SUCH-1"})
    assert r.status_code == 422 and "NO-SUCH-1" in r.text
    assert s.post("/catalogue/pilots", {"terminals": PILOT}).status_code == 303
    s.get("/catalogue/2")
    assert s.post("/catalogue/2/pilot").status_code == 303
    version, commands = _version_served(pilot_terminal)
    assert version == 2 and commands == ["refresh_catalogue"]
    assert _version_served(svc.terminal)[0] == 1
    assert svc.terminal.heartbeat(catalogue_version=1).json()["commands"] == []
    pilot_terminal.heartbeat(catalogue_version=2)
    cat_page = s.get("/catalogue").text
    assert re.search(
        r'id="pilot-version"><a [^>]+>2</a>（试点终端已更新 <span id="adopted">1</span> / 1）',
        cat_page,
    )
    s.get("/catalogue/2")
    assert s.post("/catalogue/2/all").status_code == 303
    assert _version_served(svc.terminal) == (2, ["refresh_catalogue"])
    assert svc.admin("/v1/admin/terminals").status_code == 200
    db = sql_db(svc.db)
    assert db.execute("SELECT MAX(version) FROM catalogues").fetchone() == (2,)
    assert [
        a
        for (a,) in db.execute(
            "SELECT action FROM console_audit WHERE name = 'pub' ORDER BY audit_id"
        )
    ] == ["login", "catalogue_upload", "pilot_group", "catalogue_pilot", "catalogue_all"]
    assert "已全面发布" in s.get("/catalogue").text


def test_tampered_or_old_bundle_is_refused_and_nothing_stored(console: Console) -> None:
    svc = console.service
    assert svc.publish(bundle_bytes(svc.key, 3)).status_code == 200
    s = console.signed_in("pub")
    signed = json.loads(_v2(console))
    signed["catalogue"]["version"] = 4
    signed["catalogue"]["items"][0]["name_zh"] = "篡改"
    r = _upload(s, json.dumps(signed, ensure_ascii=False).encode())
    assert r.status_code == 422 and "目录未通过校验" in r.text
    r = _upload(s, _v2(console))  # version 2 < published 3
    assert r.status_code == 409 and "不能上传" in r.text
    r = _upload(s, b"not json at all")
    assert r.status_code == 422
    db = sql_db(svc.db)
    assert db.execute("SELECT COUNT(*) FROM rollout_stages").fetchone() == (0,)


def test_viewer_sees_but_cannot_publish(console: Console) -> None:
    svc = console.service
    assert svc.publish(bundle_bytes(svc.key, 1)).status_code == 200
    pub = console.signed_in("pub")
    assert _upload(pub, _v2(console)).status_code == 303
    viewer = console.signed_in("viewer")
    page = viewer.get("/catalogue/2").text
    assert "新增" in page and 'id="to-all"' not in page
    assert viewer.post("/catalogue/2/all").status_code == 403
    assert _upload(viewer, _v2(console)).status_code == 403
    assert viewer.post("/catalogue/pilots", {"terminals": TERMINAL_ID}).status_code == 403
    assert sql_db(svc.db).execute("SELECT MAX(version) FROM catalogues").fetchone() == (1,)


def test_upload_without_csrf_is_refused(console: Console) -> None:
    s = console.signed_in("pub")
    r = s.http.post(
        s.url + "/catalogue/upload",
        files={"bundle": ("b.json", _v2(console), "application/json")},
        timeout=10,
        allow_redirects=False,
    )
    assert r.status_code == 403

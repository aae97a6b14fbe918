"""`python -m central.console.shots`: screenshots of every console page over a demo fleet."""

from __future__ import annotations

import argparse
import json
import logging
import random
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import requests

from central.console import accounts
from central.console.browser import chromium, full_page_png, log_in
from central.console.store import ConsoleStore
from central.server import run_in_thread
from central.storage import Storage
from kiosk import central_api as api

log = logging.getLogger(__name__)

SIZES = {"laptop": (1366, 900), "tablet": (820, 1180)}
PAGES = (
    ("overview", "/console/"),
    ("fleet", "/console/fleet"),
    ("terminal", "/console/terminals/AK-HALL-03"),
    ("catalogue", "/console/catalogue"),
    ("catalogue-diff", "/console/catalogue/2"),
    ("ratings", "/console/ratings"),
    ("followup", "/console/ratings/followups/1"),
    ("stats", "/console/stats"),
    ("stats-terminal", "/console/stats?group_by=terminal"),
    ("staff", "/console/staff"),
    ("audit", "/console/audit"),
)
PASSWORD = "demo-console-2026"
# (terminal, region, devices, heartbeat age in s or None for never)
FLEET: tuple[tuple[str, str, dict[str, Any], int | None], ...] = (
    (
        "AK-HALL-01",
        "610902",
        {"printer": "ok", "idcard": "ok", "scanner": "ok", "a4printer": "ok", "camera": "ok"},
        20,
    ),
    (
        "AK-HALL-02",
        "610902",
        {"printer": ("warning", "paper_near_end"), "idcard": "ok", "scanner": "ok"},
        45,
    ),
    (
        "AK-HALL-03",
        "610902",
        {
            "printer": ("fault", "paper_out"),
            "idcard": "ok",
            "scanner": "ok",
            "a4printer": ("fault", "cups_unreachable"),
        },
        30,
    ),
    ("HY-HALL-01", "610921", {"printer": "ok", "idcard": "ok"}, 3600),
    ("SQ-HALL-01", "610925", {"printer": "ok", "idcard": ("fault", "reader_gone")}, 15),
    ("NEW-HALL-01", "610926", {}, None),
)


class _Clock:
    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


def _call(url: str, tid: str, secret: bytes, clock: _Clock, path: str, body: dict) -> None:
    raw = json.dumps(body, ensure_ascii=False).encode()
    headers = api.signed_headers(tid, secret, "POST", path, raw, now=clock())
    headers["Content-Type"] = "application/json"
    headers[api.HEADER_IDEMPOTENCY_KEY] = str(uuid.uuid4())
    r = requests.post(url + path, data=raw, headers=headers, timeout=10)
    if r.status_code >= 400:
        raise RuntimeError(f"{path}: {r.status_code} {r.text[:200]}")


def seed_fleet(db: Path) -> tuple[dict[str, bytes], _Clock]:
    """Register the demo fleet and an admin account; return the secrets and the server clock."""
    store = Storage(db)
    now = time.time()
    secrets = {tid: store.add_terminal(tid, None, now - 40 * 86400) for tid, *_ in FLEET}
    store.close()
    cs = ConsoleStore(db)
    with cs.transaction() as conn:
        accounts.add_account(conn, "admin", "admin", PASSWORD, now)
        accounts.add_account(conn, "wang.li", "rating", PASSWORD, now)
        accounts.add_account(conn, "pilot.pub", "publisher", PASSWORD, now)
    cs.close()
    return secrets, _Clock()


def fill(url: str, secrets: dict[str, bytes], clock: _Clock, seed: int = 7) -> None:
    """30 days of cases and ratings, then each terminal's last heartbeat at its age."""
    rnd = random.Random(seed)
    levels = ("非常满意", "非常满意", "满意", "满意", "基本满意", "不满意")
    for day in range(29, -1, -1):
        for tid, region, _devices, _age in FLEET[:5]:
            for _ in range(rnd.randint(0, 3)):
                clock.offset = -day * 86400 - rnd.randint(0, 8) * 3600
                body = {
                    "item_code": "SB-APPLY-001",
                    "region_code": region,
                    "applicant": {"id_number": "11010519491231002X", "name": "张三"},
                    "fields": {"phone": "13800138000", "reason": "退休"},
                }
                raw = json.dumps(body, ensure_ascii=False).encode()
                headers = api.signed_headers(
                    tid, secrets[tid], "POST", "/v1/submissions", raw, now=clock()
                )
                headers.update(
                    {
                        "Content-Type": "application/json",
                        api.HEADER_IDEMPOTENCY_KEY: str(uuid.uuid4()),
                    }
                )
                r = requests.post(url + "/v1/submissions", data=raw, headers=headers, timeout=10)
                case_no = r.json()["case_no"]
                level = rnd.choice(levels)
                rating = {
                    "case_no": case_no,
                    "item_code": "SB-APPLY-001",
                    "level": level,
                    "tags": ["too_slow"] if level == "不满意" else [],
                    "dictionary_version": 1,
                    "hall": "安康市政务服务中心",
                }
                if level == "不满意" and rnd.random() < 0.5:
                    rating["callback"] = {"phone": "13912345678", "consent": True}
                _call(url, tid, secrets[tid], clock, "/v1/ratings", rating)
    for tid, _region, devices, age in FLEET:
        if age is None:
            continue
        clock.offset = -age
        states = {
            k: ({"status": v} if isinstance(v, str) else {"status": v[0], "detail": v[1]})
            for k, v in devices.items()
        }
        _call(
            url,
            tid,
            secrets[tid],
            clock,
            "/v1/heartbeat",
            {
                "devices": states,
                "catalogue_version": 1,
                "outbox_depth": rnd.randint(0, 4),
                "app_version": "0.9.0",
                "uptime_s": 3600.0 * rnd.randint(1, 90),
            },
        )
    clock.offset = 0.0


def catalogues(db: Path, now: float) -> None:
    """The demo catalogue published as v1 and a changed v2 in pilot on two terminals."""
    import copy

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from central import catalogue as cat
    from central.rollout import stages
    from kiosk import config
    from kiosk.catalogue.signing import sign_catalogue

    cfg = config.load()
    bundle_path = cfg.resolve(cfg.catalogue.default_bundle)
    assert bundle_path is not None, "the demo config names a default bundle"
    content = json.loads(Path(bundle_path).read_bytes())["catalogue"]
    key = Ed25519PrivateKey.generate()
    store = Storage(db)
    store.add_trusted_key(
        "shots",
        key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw),
        now,
    )
    v1 = {**copy.deepcopy(content), "version": 1}
    cat.publish(
        store,
        json.dumps(sign_catalogue(v1, key, "shots"), ensure_ascii=False).encode(),
        "admin",
        now - 7 * 86400,
    )
    v2 = {**copy.deepcopy(content), "version": 2}
    v2["items"][0]["name_zh"] = v2["items"][0]["name_zh"] + "（新版）"
    removed = v2["items"].pop()
    extra = {
        **copy.deepcopy(v2["items"][1]),
        "code": "DEMO-NEW-001",
        "name_zh": "新增演示事项",
        "order": max(i["order"] for i in v2["items"]) + 1,
    }
    v2["items"].append(extra)
    log.info("shots: v2 drops %s", removed["code"])
    cs = ConsoleStore(db)
    with cs.transaction() as conn:
        stages.stage(
            conn,
            store,
            json.dumps(sign_catalogue(v2, key, "shots"), ensure_ascii=False).encode(),
            "pilot.pub",
            now,
        )
        stages.set_pilots(
            conn, ["AK-HALL-01", "AK-HALL-02"], {t for t, *_ in FLEET}, "pilot.pub", now
        )
        stages.start_pilot(conn, 2, "pilot.pub", now)
    cs.close()
    store.close()


def main(argv: list[str] | None = None) -> int:
    """Write shots/console-<page>-<size>.png."""
    p = argparse.ArgumentParser(prog="python -m central.console.shots")
    p.add_argument("--out", default="shots")
    args = p.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="console-shots-"))
    try:
        secrets, clock = seed_fleet(tmp / "central.sqlite3")
        with run_in_thread(tmp / "central.sqlite3", clock=clock) as handle:
            fill(handle.url, secrets, clock)
            catalogues(tmp / "central.sqlite3", time.time())
            for size, (w, h) in SIZES.items():
                with chromium(w, h) as driver:
                    log_in(driver, handle.url, "admin", PASSWORD)
                    for name, path in PAGES:
                        driver.get(handle.url + path)
                        target = out / f"console-{name}-{size}.png"
                        full_page_png(driver, str(target))
                        print(target)
            with chromium(*SIZES["laptop"]) as driver:
                driver.get(handle.url + "/console/login")
                full_page_png(driver, str(out / "console-login-laptop.png"))
                print(out / "console-login-laptop.png")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

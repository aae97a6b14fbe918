"""Shared set-up of the 好差评 tests: a service configured through KIOSK_HAOCHA_* variables,
a province simulator, a catalogue whose department has a credit code."""

from __future__ import annotations

import json
import secrets
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from central.province.mapping import demo_departments
from central.sandbox.province import ProvinceSim, SimHandle, run_in_thread
from central.server import run_in_thread as run_central
from tests.central.conftest import TERMINAL_ID, Clock, Service, Terminal, bundle_bytes, seed

DEPT = "人社局"
DEPT_CODE = next(iter(demo_departments().values()))
APP_ID = "KIOSK-TEST"


def configure(
    monkeypatch: pytest.MonkeyPatch, tmp: Path, sim_url: str = "", secret: bytes = b"", **extra: str
) -> None:
    """Point central (started after this) at the simulator."""
    (tmp / "departments.json").write_text(json.dumps({DEPT: DEPT_CODE}, ensure_ascii=False))
    (tmp / "province.secret").write_text(secret.hex())
    env = {
        "PROVINCE_URL": sim_url,
        "PROVINCE_APP_ID": APP_ID,
        "PROVINCE_SECRET_FILE": str(tmp / "province.secret"),
        "DEPARTMENTS_FILE": str(tmp / "departments.json"),
        "FORWARD_INTERVAL_S": "0.2",
        "BACKOFF_BASE_S": "0.2",
        "BACKOFF_CAP_S": "1",
        "PROVINCE_TIMEOUT_S": "2",
        "LEASE_S": "3",
        **extra,
    }
    for k, v in env.items():
        monkeypatch.setenv("KIOSK_HAOCHA_" + k, v)


def start_sim() -> tuple[SimHandle, bytes]:
    """A simulator on a free port and the secret it shares with central."""
    secret = secrets.token_bytes(32)
    return run_in_thread(ProvinceSim(APP_ID, secret)), secret


def start_service(tmp: Path) -> Service:
    """Seed, start central, publish a catalogue with one department."""
    db = tmp / "central.sqlite3"
    secret, token, key = seed(db)
    clock = Clock()
    handle = run_central(db, clock=clock)
    svc = Service(
        handle, db, clock, Terminal(handle.url, TERMINAL_ID, secret, clock), secret, token, key
    )
    assert svc.publish(bundle_bytes(key, 2)).status_code == 200
    return svc


def staff(svc: Service, method: str, path: str, obj: Any = None) -> requests.Response:
    """A staff call with the bearer token."""
    return requests.request(
        method,
        svc.url + path,
        timeout=10,
        data=None if obj is None else json.dumps(obj, ensure_ascii=False),
        headers={"Authorization": f"Bearer {svc.token}", "Content-Type": "application/json"},
    )


def new_case(svc: Service) -> str:
    """An apply case to rate."""
    r = svc.terminal.submit()
    assert r.status_code == 201, r.text
    return str(r.json()["case_no"])


def rate(
    svc: Service,
    case_no: str,
    level: str = "满意",
    tags: list[str] | None = None,
    key: str | None = None,
    **extra: Any,
) -> requests.Response:
    """POST /v1/ratings under dictionary version 1."""
    body = {"dictionary_version": 1, "hall": "安康市政务服务中心", **extra}
    return svc.terminal.rate(case_no, level, tags or [], key=key or str(uuid.uuid4()), **body)

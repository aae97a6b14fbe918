"""`kiosk central province-sim` runs stand-alone: signed posts kept once, faults from the command
line, unsigned posts refused."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import requests

from central.province.client import EVALUATIONS, ProvinceClient
from central.province.errors import Retryable
from tests.central.test_province_crash import ROOT, free_port


def test_stand_alone_simulator(tmp_path: Path) -> None:
    secret = bytes(range(32))
    (tmp_path / "s.hex").write_text(secret.hex())
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kiosk",
            "central",
            "province-sim",
            "--port",
            str(port),
            "--app-id",
            "A1",
            "--secret-file",
            str(tmp_path / "s.hex"),
            "--fault",
            "500:1",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                requests.get(url + "/sim/state", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.1)
        payload = {
            "requestId": "rating:610900-20261130-000001:1",
            "version": "1.0",
            "projectNo": "610900-20261130-000001",
            "taskCode": "RS-0101",
            "taskName": "社保参保缴费证明打印",
            "deptCode": "11610900MB0000001J",
            "deptName": "x",
            "areaCode": "610900",
            "userType": 1,
            "userCert": "",
            "userName": "",
            "anonymous": "1",
            "satisfaction": 4,
            "pf": 5,
            "evaluateNum": 1,
            "contentCodes": "A01",
            "indexScores": {},
            "comment": "",
            "evaluateTime": "20261130T101500",
            "mobile": "",
            "terminalId": "T",
            "dictVersion": 1,
        }
        from central.province.mapping import demo_departments

        payload["deptCode"] = next(iter(demo_departments().values()))  # a valid check char
        client = ProvinceClient(url, "A1", secret, timeout_s=5)
        try:
            client.post(EVALUATIONS, payload)
            raise AssertionError("the --fault 500:1 was not applied")
        except Retryable:
            pass
        assert client.post(EVALUATIONS, payload).startswith("PV-")
        client.post(EVALUATIONS, payload)  # a resend: DUPLICATE, still one
        assert client.daily("20261130") == {"610900-20261130-000001"}
        state = requests.get(url + "/sim/state", timeout=5).json()
        assert state["evaluations"] == 1 and state["posts"] == 3
        unsigned = requests.post(url + EVALUATIONS, data=json.dumps(payload), timeout=5)
        assert unsigned.status_code == 401
    finally:
        proc.terminate()
        proc.wait(10)

"""The demo: a rating given to the embedded central (the demo terminal's config, the demo
catalogue) reaches the embedded province simulator once, with the department's credit code."""

from __future__ import annotations

import json
import time
import uuid

import requests

from central.demo import start_embedded
from central.province.mapping import demo_departments
from kiosk import central_api as api
from kiosk import config


def test_demo_rating_reaches_the_province_simulator_once() -> None:
    cfg = config.load()
    secret = api.parse_secret(cfg.resolve(cfg.central.secret_file).read_text("ascii"))
    handle = start_embedded(cfg)
    try:

        def call(path: str, obj: object, key: str | None = None) -> requests.Response:
            body = json.dumps(obj, ensure_ascii=False).encode()
            hdrs = api.signed_headers(
                cfg.terminal_id, secret, "POST", path, body, idempotency_key=key
            )  # contract v1.1: the key is signed
            hdrs["Content-Type"] = "application/json"
            if key:
                hdrs[api.HEADER_IDEMPOTENCY_KEY] = key
            return requests.post(handle.url + path, data=body, headers=hdrs, timeout=10)

        ident = {"id_number": "11010519491231002X", "name": "张三"}
        q = call(
            "/v1/queries/RS-0102",
            {"region_code": cfg.region_code, "identity": ident, "params": {"year": 2025}},
        )
        case_no = q.json()["case_no"]
        rating = {
            "case_no": case_no,
            "item_code": "RS-0102",
            "level": "非常不满意",
            "tags": ["too_slow"],
            "dictionary_version": 1,
            "hall": cfg.hall_name,
            "indicators": {"overall": "非常不满意"},
            "callback": {"phone": "13800138000", "consent": True},
        }
        key = str(uuid.uuid4())
        assert call("/v1/ratings", rating, key).status_code == 201
        assert call("/v1/ratings", rating, key).status_code == 201  # a replay: still one
        sim = handle.province_sim.sim  # type: ignore[attr-defined]
        deadline = time.monotonic() + 20
        while not sim.by_project() and time.monotonic() < deadline:
            time.sleep(0.1)
        (got,) = sim.by_project()[case_no]
        assert got["deptCode"] == demo_departments()["安康市人力资源和社会保障局"]
        assert got["satisfaction"] == 1 and got["contentCodes"] == "C01" and got["pf"] == 5
        assert got["mobile"] == "13800138000" and got["areaCode"] == "610900"
    finally:
        handle.stop()

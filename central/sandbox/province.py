"""A provincial 好差评 platform simulator: checks every field, keeps each evaluation once (by
requestId, and by 办件编号 + 评价次数), answers daily counts, and misbehaves on demand.

Faults (POST /sim/faults {"fault": F, "count": N, "delay_s": S}), applied to the next N posts:
  500               answer 500, keep nothing
  timeout           wait S seconds, then 500 (the client has given up), keep nothing
  accept_then_500   keep it, then answer 500 (the sender must not duplicate on retry)
  hang_after_accept keep it, then wait S seconds before answering 200
Run stand-alone: `kiosk central province-sim --port 8090 --app-id ID --secret-file FILE`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from kiosk.catalogue.validators import uscc_check_char
from kiosk.central_api import PHONE_RE, id_number_valid

log = logging.getLogger(__name__)

FAULTS = ("500", "timeout", "accept_then_500", "hang_after_accept")
_STAMP = re.compile(r"[0-9]{8}T[0-9]{6}")
_CONTENT = re.compile(r"[A-Z][0-9]{2}")


@dataclass
class Fault:
    """A fault for the next `count` posts."""

    fault: str
    count: int
    delay_s: float = 0.0


@dataclass
class SimState:
    """What the province holds and what it saw."""

    evaluations: dict[str, dict[str, Any]] = field(default_factory=dict)
    """By requestId."""
    rectifications: dict[str, dict[str, Any]] = field(default_factory=dict)
    posts: list[str] = field(default_factory=list)
    """requestId of every POST that passed authentication, in order (duplicates included)."""
    rejected: list[str] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)


def _uscc_ok(code: str) -> bool:
    if len(code) != 18:
        return False
    try:
        return uscc_check_char(code[:17]) == code[17]
    except ValueError:
        return False


def check_evaluation(p: dict[str, Any]) -> list[str]:
    """Field problems of one evaluation message ([] when acceptable)."""
    bad: list[str] = []

    def need(name: str, ok: bool, why: str) -> None:
        if not ok:
            bad.append(f"{name}: {why}")

    s = lambda k: p.get(k) if isinstance(p.get(k), str) else None  # noqa: E731
    need("requestId", bool(s("requestId")) and len(p["requestId"]) <= 120, "required, ≤ 120")
    need("projectNo", bool(s("projectNo")) and len(p["projectNo"]) <= 50, "required an..50")
    need("taskCode", bool(s("taskCode")), "required")
    need("taskName", bool(s("taskName")), "required")
    need("deptCode", _uscc_ok(s("deptCode") or ""), "unified social credit code (GB 32100)")
    need("areaCode", bool(re.fullmatch(r"[0-9]{6,12}", s("areaCode") or "")), "n6..12")
    need("userType", p.get("userType") in (1, 2), "1 or 2")
    need("anonymous", p.get("anonymous") in ("0", "1"), '"0" or "1"')
    if p.get("anonymous") == "0":
        need("userCert", id_number_valid(s("userCert") or ""), "a real-name rating needs an ID")
        need("userName", bool(s("userName")), "a real-name rating needs the name")
    else:
        need("userCert", not p.get("userCert"), "anonymous: must be empty")
    sat = p.get("satisfaction")
    need("satisfaction", isinstance(sat, int) and 1 <= sat <= 5, "1..5 (5 非常满意)")
    need("pf", p.get("pf") in (1, 2, 3, 4, 5), "1..5")
    need("evaluateNum", p.get("evaluateNum") in (1, 2), "1 or 2")
    codes = [c for c in (s("contentCodes") or "").split(",") if c]
    need("contentCodes", all(_CONTENT.fullmatch(c) for c in codes), "codes like C01")
    if isinstance(sat, int) and sat <= 2:
        need("contentCodes", bool(codes), "差评 needs content codes")
    stamp = s("evaluateTime") or ""
    try:
        ok = bool(_STAMP.fullmatch(stamp)) and bool(datetime.strptime(stamp, "%Y%m%dT%H%M%S"))
    except ValueError:
        ok = False
    need("evaluateTime", ok, "YYYYMMDDThhmmss")
    need(
        "mobile",
        p.get("mobile", "") == "" or bool(PHONE_RE.fullmatch(s("mobile") or "")),
        "a mobile number or empty",
    )
    need(
        "comment",
        isinstance(p.get("comment", ""), str) and len(p.get("comment", "")) <= 500,
        "≤ 500",
    )
    scores = p.get("indexScores", {})
    need(
        "indexScores",
        isinstance(scores, dict)
        and all(isinstance(v, int) and 1 <= v <= 5 for v in scores.values()),
        "code → 1..5",
    )
    return bad


class ProvinceSim:
    """The simulator's state and its FastAPI app."""

    def __init__(self, app_id: str, secret: bytes, max_skew_s: float = 300.0) -> None:
        self.app_id = app_id
        self.secret = secret
        self.max_skew_s = max_skew_s
        self.state = SimState()
        self.lock = threading.Lock()
        self.app = self._build()

    def inject(self, fault: str, count: int = 1, delay_s: float = 0.0) -> None:
        """Queue a fault for the next `count` posts."""
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault}; one of {', '.join(FAULTS)}")
        with self.lock:
            self.state.faults.append(Fault(fault, count, delay_s))

    def clear_faults(self) -> None:
        """No more faults."""
        with self.lock:
            self.state.faults.clear()

    def _next_fault(self) -> Fault | None:
        with self.lock:
            while self.state.faults and self.state.faults[0].count <= 0:
                self.state.faults.pop(0)
            if not self.state.faults:
                return None
            f = self.state.faults[0]
            f.count -= 1
            return f

    def by_project(self) -> dict[str, list[dict[str, Any]]]:
        """Evaluations by 办件编号 (a list, so a duplicate would show)."""
        out: dict[str, list[dict[str, Any]]] = {}
        with self.lock:
            for e in self.state.evaluations.values():
                out.setdefault(e["projectNo"], []).append(e)
        return out

    def _auth(self, request: Request, body: bytes) -> JSONResponse | None:
        ts = request.headers.get("x-timestamp", "")
        sig = request.headers.get("x-signature", "")
        if request.headers.get("x-app-id") != self.app_id or not ts.isdigit():
            return JSONResponse({"code": "E401", "msg": "unknown app id"}, 401)
        if abs(int(ts) - time.time()) > self.max_skew_s:
            return JSONResponse({"code": "E401", "msg": "timestamp skew"}, 401)
        want = hmac.new(
            self.secret, (ts + "\n" + hashlib.sha256(body).hexdigest()).encode(), hashlib.sha256
        ).hexdigest()
        if not hmac.compare_digest(want, sig):
            return JSONResponse({"code": "E401", "msg": "bad signature"}, 401)
        return None

    def _build(self) -> FastAPI:
        app = FastAPI(title="Province 好差评 simulator", docs_url=None, redoc_url=None)

        async def receive(request: Request, kind: str) -> JSONResponse:
            body = await request.body()
            denied = self._auth(request, body)
            if denied is not None:
                return denied
            try:
                p = json.loads(body)
                assert isinstance(p, dict)
            except (ValueError, AssertionError):
                return JSONResponse({"code": "E1000", "msg": "body is not a JSON object"}, 400)
            rid = str(p.get("requestId", ""))
            with self.lock:
                self.state.posts.append(rid)
            fault = self._next_fault()
            if fault is not None and fault.fault in ("500", "timeout"):
                if fault.fault == "timeout":
                    await asyncio.sleep(fault.delay_s)
                return JSONResponse({"code": "E500", "msg": "internal error"}, 500)
            if kind == "evaluation":
                problems = check_evaluation(p)
            else:
                problems = (
                    []
                    if p.get("rectifyType") in (1, 2, 3, 4) and p.get("rectifyResult")
                    else ["rectifyType/rectifyResult: required"]
                )
                if not problems and not any(
                    e["projectNo"] == p.get("projectNo") for e in self.state.evaluations.values()
                ):
                    problems = ["projectNo: no evaluation of this 办件 received"]
            if problems:
                with self.lock:
                    self.state.rejected.append(rid)
                return JSONResponse({"code": "E1001", "msg": "; ".join(problems)[:500]}, 400)
            store = self.state.evaluations if kind == "evaluation" else self.state.rectifications
            with self.lock:
                dup = rid in store or (
                    kind == "evaluation"
                    and any(
                        e["projectNo"] == p["projectNo"] and e["evaluateNum"] == p["evaluateNum"]
                        for e in store.values()
                    )
                )
                if not dup:
                    store[rid] = {**p, "_received": time.time()}
            if fault is not None and fault.fault == "accept_then_500":
                return JSONResponse({"code": "E500", "msg": "internal error"}, 500)
            if fault is not None and fault.fault == "hang_after_accept":
                await asyncio.sleep(fault.delay_s)
            ack = "PV-" + hashlib.sha256(rid.encode()).hexdigest()[:16]
            return JSONResponse(
                {
                    "code": "DUPLICATE" if dup else "0",
                    "msg": "already received" if dup else "ok",
                    "evaluationId": ack,
                }
            )

        @app.post("/api/v1/evaluations")
        async def evaluations(request: Request) -> JSONResponse:
            return await receive(request, "evaluation")

        @app.post("/api/v1/rectifications")
        async def rectifications(request: Request) -> JSONResponse:
            return await receive(request, "rectification")

        @app.get("/api/v1/evaluations/daily")
        async def daily(request: Request, day: str) -> JSONResponse:
            denied = self._auth(request, b"")
            if denied is not None:
                return denied
            with self.lock:
                nos = sorted(
                    e["projectNo"]
                    for e in self.state.evaluations.values()
                    if str(e.get("evaluateTime", ""))[:8] == day
                )
            return JSONResponse({"day": day, "count": len(nos), "projectNos": nos})

        @app.post("/sim/faults")
        async def faults(request: Request) -> JSONResponse:
            try:
                spec = json.loads(await request.body())
                self.inject(
                    str(spec["fault"]), int(spec.get("count", 1)), float(spec.get("delay_s", 0))
                )
            except (ValueError, KeyError, TypeError) as exc:
                return JSONResponse({"code": "E1000", "msg": str(exc)[:200]}, 400)
            return JSONResponse({"code": "0"})

        @app.delete("/sim/faults")
        async def no_faults() -> JSONResponse:
            self.clear_faults()
            return JSONResponse({"code": "0"})

        @app.get("/sim/state")
        async def state() -> JSONResponse:
            with self.lock:
                return JSONResponse(
                    {
                        "evaluations": len(self.state.evaluations),
                        "rectifications": len(self.state.rectifications),
                        "posts": len(self.state.posts),
                        "rejected": len(self.state.rejected),
                    }
                )

        return app


@dataclass
class SimHandle:
    """A running simulator: `.url`, `.sim`, `.stop()`."""

    url: str
    sim: ProvinceSim
    server: Any
    thread: threading.Thread

    def stop(self) -> None:
        """Stop the server thread."""
        self.server.should_exit = True
        self.thread.join(10)


def run_in_thread(sim: ProvinceSim, host: str = "127.0.0.1", port: int = 0) -> SimHandle:
    """Serve the simulator on host:port (0: a free port) in a daemon thread."""
    import socket

    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(64)
    bound = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            sim.app, host=host, port=bound, log_config=None, access_log=False, lifespan="off"
        )
    )
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign,attr-defined]
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"province-sim-{bound}", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    return SimHandle(f"http://{host}:{bound}", sim, server, thread)


def serve(sim: ProvinceSim, host: str, port: int) -> None:
    """Serve in the foreground until SIGINT/SIGTERM (kiosk central province-sim)."""
    import uvicorn

    uvicorn.run(sim.app, host=host, port=port, log_config=None, access_log=False)

"""`kiosk central serve --db postgresql://… --workers 4`: several processes, one database."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import requests

from central.storage import Storage
from kiosk import central_api as api
from tests.central.conftest import Postgres, submission

TERMINALS = [f"T-{i:04d}" for i in range(1, 9)]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _post(url: str, tid: str, secret: bytes, path: str, obj: object, key: str) -> requests.Response:
    body = json.dumps(obj, ensure_ascii=False).encode()
    hdrs = {
        **api.signed_headers(tid, secret, "POST", path, body),
        api.HEADER_IDEMPOTENCY_KEY: key,
        "Content-Type": "application/json",
    }
    # a new connection per request: the kernel hands them to different workers
    return requests.post(url + path, data=body, headers=hdrs, timeout=20)


def test_four_workers_keep_case_numbers_unique_and_replays_identical(
    postgres: Postgres, tmp_path: Path
) -> None:
    url = postgres.new_database()
    env = {**os.environ, "CENTRAL_SECRET_KEY_FILE": str(postgres.key_file)}
    os.environ["CENTRAL_SECRET_KEY_FILE"] = str(postgres.key_file)
    try:
        store = Storage(url)
    finally:
        del os.environ["CENTRAL_SECRET_KEY_FILE"]
    secrets = {tid: store.add_terminal(tid, None, time.time()) for tid in TERMINALS}
    port = _port()
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kiosk.cli",
            "central",
            "serve",
            "--db",
            url,
            "--workers",
            "4",
            "--port",
            str(port),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:  # workers still importing
                pass
            assert proc.poll() is None and time.monotonic() < deadline, (
                tmp_path / "serve.log"
            ).read_text(errors="replace")[-3000:]
            time.sleep(0.2)

        answers: list[tuple[str, str, requests.Response]] = []  # (terminal, key, response)
        lock = threading.Lock()
        go = threading.Event()
        shared_keys = {tid: str(uuid.uuid4()) for tid in TERMINALS}

        def terminal(tid: str, replay: bool) -> None:
            go.wait()
            for _ in range(6):
                key = shared_keys[tid] if replay else str(uuid.uuid4())
                r = _post(base, tid, secrets[tid], "/v1/submissions", submission(), key)
                with lock:
                    answers.append((tid, key, r))

        # per terminal: one thread with fresh keys, three replaying one key concurrently
        threads = [
            threading.Thread(target=terminal, args=(tid, replay))
            for tid in TERMINALS
            for replay in (False, True, True, True)
        ]
        for th in threads:
            th.start()
        go.set()
        for th in threads:
            th.join()

        assert {r.status_code for _, _, r in answers} == {201}, Counter(
            (r.status_code, r.text[:80]) for _, _, r in answers
        )
        by_key: dict[tuple[str, str], set[bytes]] = {}
        for tid, key, r in answers:
            by_key.setdefault((tid, key), set()).add(r.content)
        assert all(
            len(v) == 1 for v in by_key.values()
        )  # a replay is the first answer, byte for byte
        case_nos = [json.loads(next(iter(v)))["case_no"] for v in by_key.values()]
        assert len(case_nos) == len(set(case_nos)) == len(TERMINALS) * 7
        assert store._one("SELECT COUNT(*) FROM cases")[0] == len(case_nos)
        # REGION-YYYYMMDD-SEQ-CHECK: the sequence part has no gaps and no repeats across workers
        assert sorted(int(c.split("-")[2]) for c in case_nos) == list(range(1, len(case_nos) + 1))
        workers = store._all(
            "SELECT DISTINCT application_name FROM pg_stat_activity "
            "WHERE application_name LIKE 'kiosk-central-%'"
        )
        assert len(workers) >= 2, workers  # the load really went to several processes
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # the supervisor stops its workers
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        store.close()
        log.close()

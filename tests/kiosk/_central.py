"""Test helpers: the real reference sandbox on 127.0.0.1, a fault-injecting TCP proxy in front of
it, raw canned HTTP responders, and payload builders with valid (synthetic) ID numbers."""

from __future__ import annotations

import random
import socket
import struct
import threading
import time
from pathlib import Path
from typing import Any

from central.server import ServerHandle, run_in_thread

TERMINAL_ID = "DEMO-0001"
SECRET = bytes.fromhex("8f" * 32)
APPLY_ITEM = "SB-APPLY-001"
_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(i: int) -> str:
    """A synthetic 18-character ID number with a correct GB 11643 check digit."""
    body = f"3301061980{(i % 12) + 1:02d}{(i % 28) + 1:02d}{i % 1000:03d}"
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, _W)) % 11]
    return body + check


def submission(i: int) -> dict[str, Any]:
    """A submission payload for item SB-APPLY-001 (personal data included)."""
    return {
        "item_code": APPLY_ITEM,
        "region_code": "610900",
        "applicant": {"method": "idcard", "id_number": id_number(i), "name": "张三丰"},
        "fields": {"seq": i, "phone": "13812345678"},
    }


def rating(case_no: str, level: str = "满意") -> dict[str, Any]:
    """A rating payload for a case of SB-APPLY-001."""
    tags = ["too_slow"] if level in ("不满意", "非常不满意") else []
    return {"case_no": case_no, "item_code": APPLY_ITEM, "level": level, "tags": tags}


class Sandbox:
    """The reference central service in a thread, restartable on the same port."""

    def __init__(self, db_path: Path | str, port: int = 0) -> None:
        self.db_path = db_path
        self.port = port
        self.handle: ServerHandle | None = None
        self.start()

    def start(self) -> None:
        self.handle = run_in_thread(self.db_path, port=self.port)
        self.port = int(self.handle.url.rsplit(":", 1)[1])
        self.store.add_terminal(TERMINAL_ID, SECRET, time.time())

    def stop(self) -> None:
        if self.handle is not None:
            self.handle.stop()
            self.handle = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def store(self) -> Any:
        assert self.handle is not None
        return self.handle.app.state.service.store

    def cases(self) -> list[tuple[str, str | None]]:
        """(case_no, local_ref) of every apply case, in case order."""
        return [
            (c, r)
            for c, r in self.store._all(
                "SELECT case_no, local_ref FROM cases WHERE kind='apply' ORDER BY case_no"
            )
        ]

    def ratings(self) -> list[tuple[str, str]]:
        """(case_no, level) of every rating, in arrival order."""
        return list(self.store._all("SELECT case_no, level FROM ratings ORDER BY rating_id"))


def _rst(sock: socket.socket) -> None:
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


def read_http_message(sock: socket.socket) -> bytes | None:
    """One HTTP/1.1 message with a Content-Length body (or none); None on EOF."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        rest += chunk
    return head + b"\r\n\r\n" + rest[:length]


def http_response(status: int, body: bytes, extra: str = "") -> bytes:
    """Raw bytes of a JSON response."""
    return (
        f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n{extra}"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


FAULTS = (
    "reset_before",
    "error_500_before",
    "error_500_after",
    "reset_mid_response",
    "timeout_after",
)


class FaultProxy:
    """TCP proxy on 127.0.0.1 that, per request, passes it or injects a fault.

    Faults `*_after` / `reset_mid_response` / `timeout_after` happen after central has processed
    the request, so the terminal cannot know whether it went through: the hard case.
    """

    def __init__(
        self, upstream_port: int, rates: dict[str, float], seed: int = 1, hold_s: float = 1.0
    ) -> None:
        self.upstream_port = upstream_port
        self.rates = rates
        self.rng = random.Random(seed)
        self.hold_s = hold_s
        self.counts: dict[str, int] = {"pass": 0, **{f: 0 for f in FAULTS}}
        self.down = False
        self._lock = threading.Lock()
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.port = self._sock.getsockname()[1]
        self._closed = threading.Event()
        self._conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _pick(self) -> str:
        with self._lock:
            u = self.rng.random()
            acc = 0.0
            for name in FAULTS:
                acc += self.rates.get(name, 0.0)
                if u < acc:
                    self.counts[name] += 1
                    return name
            self.counts["pass"] += 1
            return "pass"

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            if self.down:
                _rst(conn)
                continue
            self._conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            while not self._closed.is_set():
                request = read_http_message(conn)
                if request is None:
                    break
                if self.down:
                    _rst(conn)
                    return
                fault = self._pick()
                if fault == "reset_before":
                    _rst(conn)
                    return
                if fault == "error_500_before":
                    conn.sendall(
                        http_response(500, b'{"error":"internal_error","message":"injected"}')
                    )
                    continue
                up = socket.create_connection(("127.0.0.1", self.upstream_port))
                try:
                    up.sendall(request)
                    response = read_http_message(up)
                finally:
                    up.close()
                if response is None:
                    _rst(conn)
                    return
                if fault == "pass":
                    conn.sendall(response)
                elif fault == "error_500_after":
                    conn.sendall(
                        http_response(500, b'{"error":"internal_error","message":"injected"}')
                    )
                elif fault == "reset_mid_response":
                    conn.sendall(response[: len(response) // 2])
                    _rst(conn)
                    return
                elif fault == "timeout_after":
                    self._closed.wait(self.hold_s)
                    _rst(conn)
                    return
        except OSError:
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def close(self) -> None:
        self._closed.set()
        self._sock.close()
        for c in self._conns:
            try:
                c.close()
            except OSError:
                pass


class CannedServer:
    """Raw TCP server answering every request with fixed bytes (None: never answer; b"": reset).
    Records each request it read."""

    def __init__(self, response: bytes | None) -> None:
        self.response = response
        self.requests: list[bytes] = []
        self.connections = 0
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port = self._sock.getsockname()[1]
        self._closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            while True:
                req = read_http_message(conn)
                if req is None:
                    break
                self.requests.append(req)
                if self.response is None:
                    self._closed.wait(5)
                    break
                if self.response == b"":
                    _rst(conn)
                    return
                conn.sendall(self.response)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self._closed.set()
        self._sock.close()

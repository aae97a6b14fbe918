"""Run the service with uvicorn: in a background thread (tests, demo) or in the foreground (CLI)."""
from __future__ import annotations

import logging
import socket
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn

from central.app import create_app
from central.errors import CentralError

log = logging.getLogger(__name__)


class ServerHandle:
    """A running service: `.url` (http://127.0.0.1:PORT), `.app`, `.stop()`; a context manager."""

    def __init__(self, server: uvicorn.Server, thread: threading.Thread, url: str,
                 app: Any) -> None:
        self._server = server
        self._thread = thread
        self.url = url
        self.app = app
        self.on_stop: list[Any] = []
        """Callables run after the server stopped (e.g. removing a temporary directory)."""

    def stop(self, timeout: float = 10.0) -> None:
        """Ask uvicorn to exit and wait for the thread (closes the database)."""
        self._server.should_exit = True
        self._thread.join(timeout)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(timeout)
        while self.on_stop:
            self.on_stop.pop()()

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _config(app: Any, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False,
                          lifespan="on", server_header=False, timeout_graceful_shutdown=5)


def _bind(host: str, port: int) -> socket.socket:
    # IPPROTO_TCP explicitly: with proto 0 asyncio never sets TCP_NODELAY on accepted
    # connections, and every response waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM,
                         socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise CentralError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(128)
    sock.setblocking(False)
    return sock


def run_in_thread(db_path: str | Path, host: str = "127.0.0.1", port: int = 0,
                  **app_kwargs: Any) -> ServerHandle:
    """Start the service on host:port (0: a free port) in a daemon thread; return when it listens."""
    app = create_app(db_path, **app_kwargs)
    sock = _bind(host, port)
    bound_port = sock.getsockname()[1]
    server = uvicorn.Server(_config(app, host, bound_port))
    server.install_signal_handlers = lambda: None  # type: ignore[attr-defined,method-assign,unused-ignore]  # not main thread

    def _run() -> None:
        try:
            server.run(sockets=[sock])
        finally:
            sock.close()

    thread = threading.Thread(target=_run, name=f"central-{bound_port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise CentralError("the central service did not start (see the log)")
        time.sleep(0.01)
    url_host = f"[{host}]" if ":" in host else host
    handle = ServerHandle(server, thread, f"http://{url_host}:{bound_port}", app)
    log.info("central sandbox listening on %s", handle.url)
    return handle


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 8080, **app_kwargs: Any) -> None:
    """Run the service in the foreground until SIGINT/SIGTERM (kiosk central serve)."""
    app = create_app(db_path, **app_kwargs)
    sock = _bind(host, port)
    server = uvicorn.Server(_config(app, host, port))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()

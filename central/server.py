"""Run the service with uvicorn: in a background thread (tests, demo) or in the foreground (CLI)."""

from __future__ import annotations

import logging
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from central.app import create_app
from central.connections import fd_budget, protocol_class
from central.errors import CentralError

log = logging.getLogger(__name__)


class ServerHandle:
    """A running service: `.url` (http://127.0.0.1:PORT), `.app`, `.stop()`; a context manager."""

    def __init__(
        self, server: uvicorn.Server, thread: threading.Thread, url: str, app: Any
    ) -> None:
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


@dataclass(frozen=True)
class ServerSettings:
    """Connection-level limits of one worker (see central.connections for why and how)."""

    keep_alive_s: float = 5.0
    """An idle keep-alive connection is closed this long after its last response."""
    head_timeout_s: float = 10.0
    """A connection must deliver a complete request head this soon after it opened (or after
    its previous response); trickled bytes do not extend it."""
    max_connections: int = 4096
    """Open connections per worker (lowered to fit RLIMIT_NOFILE); at the cap the longest-idle
    connection is closed to admit a new one."""
    backlog: int = 2048
    """Listen queue (connections the kernel holds until the worker accepts them)."""
    graceful_s: int = 5
    """Requests in flight get this long to finish on SIGTERM."""


def _config(
    app: Any, host: str, port: int, settings: ServerSettings | None = None
) -> uvicorn.Config:
    s = settings or ServerSettings()
    http = protocol_class(s.head_timeout_s, fd_budget(s.max_connections))
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        lifespan="on",
        server_header=False,
        timeout_graceful_shutdown=s.graceful_s,
        timeout_keep_alive=s.keep_alive_s,  # type: ignore[arg-type]
        http=http,
        backlog=s.backlog,
    )


def _bind(host: str, port: int, backlog: int = 2048) -> socket.socket:
    # IPPROTO_TCP explicitly: with proto 0 asyncio never sets TCP_NODELAY on accepted
    # connections, and every response waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(
        socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP
    )
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise CentralError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(backlog)
    sock.setblocking(False)
    return sock


def run_in_thread(
    db_path: str | Path,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    server_settings: ServerSettings | None = None,
    **app_kwargs: Any,
) -> ServerHandle:
    """Start the service on host:port (0: a free port) in a daemon thread; return when it listens."""
    app = create_app(db_path, **app_kwargs)
    ss = server_settings or ServerSettings()
    sock = _bind(host, port, ss.backlog)
    bound_port = sock.getsockname()[1]
    server = uvicorn.Server(_config(app, host, bound_port, ss))
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


def serve(
    db_path: str | Path,
    host: str = "127.0.0.1",
    port: int = 8080,
    *,
    workers: int = 1,
    key_file: str | Path | None = None,
    server_settings: ServerSettings | None = None,
    **app_kwargs: Any,
) -> None:
    """Run the service in the foreground until SIGINT/SIGTERM (kiosk central serve).

    workers > 1: uvicorn's process manager runs `central.app:create_app` as a factory in that
    many processes, configured through the environment (central.settings).
    """
    ss = server_settings or ServerSettings()
    if workers > 1:
        serve_workers(
            db_path,
            host,
            port,
            workers=workers,
            key_file=key_file,
            server_settings=ss,
            sandbox=app_kwargs.get("sandbox"),
            accept_v1_signatures=app_kwargs.get("accept_v1_signatures"),
        )
        return
    app = create_app(db_path, key_file=key_file, **app_kwargs)
    sock = _bind(host, port, ss.backlog)
    server = uvicorn.Server(_config(app, host, port, ss))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


def serve_workers(
    db_path: str | Path,
    host: str,
    port: int,
    *,
    workers: int,
    key_file: str | Path | None = None,
    server_settings: ServerSettings | None = None,
    sandbox: bool | None = None,
    accept_v1_signatures: bool | None = None,
) -> None:
    """`workers` processes on one listening socket (uvicorn --factory --workers)."""
    import inspect
    import os

    from uvicorn.supervisors import Multiprocess

    from central.settings import to_env
    from central.storage import Storage

    Storage(db_path, key_file=key_file).close()  # one clear error here, not one per worker
    os.environ.update(
        to_env(
            str(db_path),
            str(key_file) if key_file else None,
            sandbox=sandbox,
            accept_v1_signatures=accept_v1_signatures,
        )
    )
    ss = server_settings or ServerSettings()
    from central.connections import WorkerH11Protocol, worker_env

    os.environ.update(worker_env(ss.head_timeout_s, fd_budget(ss.max_connections)))
    config = _config("central.app:create_app", host, port, ss)
    config.http = WorkerH11Protocol  # type: ignore[assignment]
    config.factory = True
    config.workers = workers
    sock = _bind(host, port, ss.backlog)
    try:
        if "target" in inspect.signature(Multiprocess).parameters:  # uvicorn < 0.50
            Multiprocess(
                config,
                target=uvicorn.Server(config).run,  # type: ignore[call-arg]
                sockets=[sock],
            ).run()
        else:
            Multiprocess(config, sockets=[sock]).run()
    finally:
        sock.close()

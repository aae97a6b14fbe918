"""Connection guard for uvicorn's h11 protocol: request-head timeout and a connection cap.

uvicorn arms its keep-alive timer only after a response, so a client that connects and sends
nothing (or trickles its headers a byte at a time) holds a socket, and a file descriptor,
forever. Thousands of them exhaust RLIMIT_NOFILE and `accept()` starts failing for everyone.
This subclass:

- gives every connection `head_timeout_s` to deliver a complete request head, counted from the
  connection (or from the end of the previous response) and *not* restarted by trickled bytes;
- caps the connections of one worker at `max_connections`: at the cap, a new connection evicts
  the connection that has waited longest without a request in flight (idle sockets go first,
  a request being served is never cut), so a flood of idle sockets cannot lock terminals out;
- leaves uvicorn's `limit_concurrency` unused: it counts idle sockets and would answer 503 to
  real terminals instead.
"""

from __future__ import annotations

import asyncio
import logging
import os
import resource
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger(__name__)

FD_RESERVE = 64
"""Descriptors kept free for the database, log files and the listening socket."""


def fd_budget(wanted: int) -> int:
    """`wanted` connections, or fewer when RLIMIT_NOFILE would not hold them."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(16, min(wanted, soft - FD_RESERVE))


class GuardedH11Protocol(H11Protocol):
    """H11Protocol with a request-head deadline and an evicting connection cap."""

    head_timeout_s: float = 10.0
    max_connections: int = 4096

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._head_timer: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        waiting = self._waiting()
        waiting[self] = None
        if len(self.connections) > self.max_connections:
            self._evict_one()
        self._arm_head()

    def _waiting(self) -> dict[GuardedH11Protocol, None]:
        # per server (tests run several servers in one process): connections without a request
        # in flight, oldest first
        reg: dict[GuardedH11Protocol, None] | None = getattr(
            self.server_state, "_guard_waiting", None
        )
        if reg is None:
            reg = {}
            self.server_state._guard_waiting = reg  # type: ignore[attr-defined]
        return reg

    def _evict_one(self) -> None:
        for conn in self._waiting():
            if conn is not self:
                log.warning(
                    "connection cap %d reached: closing the longest-idle connection",
                    self.max_connections,
                )
                conn._close("evicted")
                return

    def _arm_head(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.head_timeout_s, self._head_expired)

    def _disarm_head(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _in_request(self) -> bool:
        return self.cycle is not None and not self.cycle.response_complete

    def _head_expired(self) -> None:
        self._head_timer = None
        if not self._in_request():
            self._close("no complete request head in time")

    def _close(self, why: str) -> None:
        self._disarm_head()
        self._waiting().pop(self, None)
        if not self.transport.is_closing():
            log.debug("closing connection from %s: %s", self.client, why)
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        if not self._in_request():
            self._arm_head()  # no-op while armed: trickled bytes do not buy more time
        super().data_received(data)
        if self._in_request():
            self._disarm_head()
            self._waiting().pop(self, None)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and not self._in_request():
            self._waiting()[self] = None
            self._arm_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head()
        self._waiting().pop(self, None)
        super().connection_lost(exc)


ENV_HEAD_TIMEOUT = "CENTRAL_HEAD_TIMEOUT_S"
ENV_MAX_CONNECTIONS = "CENTRAL_MAX_CONNECTIONS"


class WorkerH11Protocol(GuardedH11Protocol):
    """The protocol of `serve --workers N`: a module-level class, because uvicorn pickles its
    config into each spawned worker (a class made by protocol_class() cannot be pickled); the
    worker reads the limits from the environment the supervisor set (worker_env)."""

    head_timeout_s = float(os.environ.get(ENV_HEAD_TIMEOUT, GuardedH11Protocol.head_timeout_s))
    max_connections = int(os.environ.get(ENV_MAX_CONNECTIONS, GuardedH11Protocol.max_connections))


def worker_env(head_timeout_s: float, max_connections: int) -> dict[str, str]:
    """Variables that give WorkerH11Protocol these limits in the worker processes."""
    return {ENV_HEAD_TIMEOUT: str(head_timeout_s), ENV_MAX_CONNECTIONS: str(max_connections)}


def protocol_class(head_timeout_s: float, max_connections: int) -> type[Any]:
    """A GuardedH11Protocol subclass with these limits (uvicorn.Config(http=...))."""
    return type(
        "GuardedH11",
        (GuardedH11Protocol,),
        {"head_timeout_s": head_timeout_s, "max_connections": max_connections},
    )

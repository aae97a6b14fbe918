"""sd_notify: datagrams reach a real unix socket; no socket means a quiet no-op."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from kiosk.watchdog import SystemdNotifier, watchdog_interval


def test_notifications_reach_the_socket(tmp_path: Path) -> None:
    path = str(tmp_path / "notify.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(path)
        server.settimeout(2)
        n = SystemdNotifier(path)
        assert n.enabled and n.ready() and n.ping() and n.status("在线") and n.stopping()
        got = [server.recv(100) for _ in range(4)]
    assert got == [b"READY=1", b"WATCHDOG=1", "STATUS=在线".encode(), b"STOPPING=1"]


def test_without_systemd_it_is_a_no_op(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    n = SystemdNotifier()
    assert not n.enabled and n.ping() is False


def test_dead_socket_is_logged_not_raised(tmp_path: Path) -> None:
    assert SystemdNotifier(str(tmp_path / "gone.sock")).ping() is False


def test_watchdog_interval_is_half_of_watchdog_usec() -> None:
    assert watchdog_interval({"WATCHDOG_USEC": "30000000"}) == 15.0
    assert (
        watchdog_interval({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(os.getpid())}) == 15.0
    )
    assert watchdog_interval({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}) is None
    assert watchdog_interval({}) is None
    assert watchdog_interval({"WATCHDOG_USEC": "soon"}) is None

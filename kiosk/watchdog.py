"""systemd notification (sd_notify protocol) without a dependency: READY, WATCHDOG pings, STOPPING."""

from __future__ import annotations

import logging
import os
import socket

log = logging.getLogger(__name__)


class SystemdNotifier:
    """Sends datagrams to $NOTIFY_SOCKET; does nothing when not started by systemd."""

    def __init__(self, socket_path: str | None = None) -> None:
        path = socket_path if socket_path is not None else os.environ.get("NOTIFY_SOCKET", "")
        if path.startswith("@"):  # abstract namespace socket
            path = "\0" + path[1:]
        self.address = path or None

    @property
    def enabled(self) -> bool:
        """True when systemd asked for notifications."""
        return self.address is not None

    def notify(self, state: str) -> bool:
        """Send one state line (e.g. "READY=1"); False if it could not be sent."""
        if self.address is None:
            return False
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.connect(self.address)
                sock.sendall(state.encode("utf-8"))
            return True
        except OSError as exc:
            log.warning("sd_notify %s failed: %s", state.split("=")[0], exc)
            return False

    def ready(self) -> bool:
        """Tell systemd start-up is complete."""
        return self.notify("READY=1")

    def ping(self, *_: object) -> bool:
        """Watchdog keep-alive; call from the UI main loop so a frozen UI stops pinging."""
        return self.notify("WATCHDOG=1")

    def stopping(self) -> bool:
        """Tell systemd the service is shutting down."""
        return self.notify("STOPPING=1")

    def status(self, text: str) -> bool:
        """A one-line status shown by `systemctl status`."""
        return self.notify(f"STATUS={text}")


def watchdog_interval(env: dict[str, str] | None = None) -> float | None:
    """Seconds between pings: half of $WATCHDOG_USEC (if it is meant for this process)."""
    env = dict(os.environ) if env is None else env
    usec = env.get("WATCHDOG_USEC")
    pid = env.get("WATCHDOG_PID")
    if not usec or (pid and pid != str(os.getpid())):
        return None
    try:
        return max(int(usec) / 2_000_000, 0.1)
    except ValueError:
        log.warning("WATCHDOG_USEC=%r is not a number; watchdog pings off", usec)
        return None

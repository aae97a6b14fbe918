"""Plumbing shared by every simulator: a byte link (pty master or TCP socket) and a serve loop."""

from __future__ import annotations

import logging
import os
import select
import socket
import threading
import tty
from abc import ABC, abstractmethod
from collections.abc import Mapping

log = logging.getLogger(__name__)


class Simulator(ABC):
    """A device model: gets the host's bytes in `on_data`, answers through `send`."""

    kind: str = "device"

    def __init__(self) -> None:
        self._link_lock = threading.Lock()
        self._link: Link | None = None

    @classmethod
    @abstractmethod
    def from_options(cls, options: Mapping[str, str]) -> Simulator:
        """Build the simulator from a `sim://` URL's query options."""

    @abstractmethod
    def on_data(self, data: bytes) -> None:
        """Handle bytes received from the host."""

    def on_idle(self) -> None:  # noqa: B027 - optional hook: most simulators have nothing to say
        """Called about every 50 ms while no bytes arrive (for unsolicited output)."""

    def send(self, data: bytes) -> None:
        """Write bytes to the host, if one is connected."""
        with self._link_lock:
            link = self._link
        if link is not None and data:
            link.write(data)

    def attach(self, link: Link | None) -> None:
        """Connect the simulator to a link (None detaches)."""
        with self._link_lock:
            self._link = link


class Link(ABC):
    """One open byte stream to the host."""

    @abstractmethod
    def read(self, timeout: float) -> bytes:
        """Return available bytes, b"" after `timeout` s with none; raise EOFError when closed."""

    @abstractmethod
    def write(self, data: bytes) -> None:
        """Write all bytes."""

    @abstractmethod
    def close(self) -> None:
        """Close the link."""


class PtyLink(Link):
    """The master side of a pty pair; `port` is the slave device path the driver opens."""

    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        self.port = os.ttyname(self.slave)

    def read(self, timeout: float) -> bytes:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return b""
        try:
            return os.read(self.master, 4096)
        except OSError as exc:  # EIO once the slave side is gone
            raise EOFError(str(exc)) from exc

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            n = os.write(self.master, view)
            view = view[n:]

    def close(self) -> None:
        for fd in (self.master, self.slave):
            try:
                os.close(fd)
            except OSError:
                pass


class SocketLink(Link):
    """An accepted TCP connection."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def read(self, timeout: float) -> bytes:
        ready, _, _ = select.select([self.sock], [], [], timeout)
        if not ready:
            return b""
        try:
            data = self.sock.recv(4096)
        except OSError as exc:
            raise EOFError(str(exc)) from exc
        if not data:
            raise EOFError("peer closed")
        return data

    def write(self, data: bytes) -> None:
        try:
            self.sock.sendall(data)
        except OSError:
            log.debug("write to closed TCP peer dropped")

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


class _Server:
    def __init__(self, simulator: Simulator) -> None:
        self.simulator = simulator
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"sim-{simulator.kind}", daemon=True)

    def start(self) -> _Server:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread (at most 2 s)."""
        self._stop.set()
        if threading.current_thread() is not self._thread:
            self._thread.join(2.0)

    def _pump(self, link: Link) -> None:
        self.simulator.attach(link)
        try:
            while not self._stop.is_set():
                data = link.read(0.05)
                if data:
                    self.simulator.on_data(data)
                else:
                    self.simulator.on_idle()
        except EOFError:
            pass
        finally:
            self.simulator.attach(None)

    def _run(self) -> None:
        raise NotImplementedError


class PtyServer(_Server):
    """Serve a simulator on a fresh pty pair; the driver opens `port`."""

    def __init__(self, simulator: Simulator) -> None:
        super().__init__(simulator)
        self.link = PtyLink()
        self.port = self.link.port

    def _run(self) -> None:
        try:
            self._pump(self.link)
        finally:
            self.link.close()


class TcpServer(_Server):
    """Serve a simulator on a TCP port (one client at a time); `address` is (host, port)."""

    def __init__(self, simulator: Simulator, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(simulator)
        self.listener = socket.create_server((host, port))
        self.listener.settimeout(0.1)
        self.address = self.listener.getsockname()[:2]

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    conn, _ = self.listener.accept()
                except TimeoutError:
                    continue
                except OSError:
                    break
                link = SocketLink(conn)
                try:
                    self._pump(link)
                finally:
                    link.close()
        finally:
            self.listener.close()


def serve_pty(simulator: Simulator) -> PtyServer:
    """Start serving `simulator` on a new pty pair."""
    return PtyServer(simulator).start()  # type: ignore[return-value]


def serve_tcp(simulator: Simulator, host: str = "127.0.0.1", port: int = 0) -> TcpServer:
    """Start serving `simulator` on a TCP port (0 picks a free one)."""
    return TcpServer(simulator, host, port).start()  # type: ignore[return-value]


def serve(
    simulator: Simulator, tcp_port: int | None = None, *, scheme: str = "socket"
) -> tuple[_Server, str]:
    """Serve on a TCP port (when given; 0 = any free one) or else a new pty; return the device URL.

    `scheme` names TCP URLs as the driver expects them: socket:// for serial-protocol
    devices (pyserial), tcp:// for network printers. Raises OSError when the port is taken.
    """
    if tcp_port is None:
        pty_server = serve_pty(simulator)
        return pty_server, pty_server.port
    tcp_server = serve_tcp(simulator, port=tcp_port)
    host, port = tcp_server.address
    return tcp_server, f"{scheme}://{host}:{port}"

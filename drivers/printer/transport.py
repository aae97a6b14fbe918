"""Byte links to a printer: serial (any pyserial URL), TCP 9100, USB (python-escpos), device file."""

from __future__ import annotations

import logging
import os
import select
import socket
import termios
import urllib.parse
from abc import ABC, abstractmethod

import serial

from drivers.errors import TransportError
from drivers.printer.errors import PrinterConnectionError, PrinterUrlError
from drivers.transport import open_serial

log = logging.getLogger(__name__)

TCP_DEFAULT_PORT = 9100
#: What a serial port raises once its device is gone (termios calls on a hung-up tty raise
#: termios.error, which is no OSError): every one of them means "link lost".
_SERIAL_ERRORS = (serial.SerialException, OSError, termios.error)


class Link(ABC):
    """One open connection to a printer."""

    url: str = ""

    @abstractmethod
    def write(self, data: bytes) -> None:
        """Send all bytes; raise PrinterConnectionError if the link is broken."""

    @abstractmethod
    def read(self, size: int, timeout: float) -> bytes:
        """Up to `size` bytes, b"" if none arrive within `timeout` s."""

    def discard_input(self) -> None:
        """Drop bytes already received (stale status replies)."""
        while self.read(64, 0.0):
            pass

    @abstractmethod
    def close(self) -> None:
        """Close the link (idempotent)."""


class SerialLink(Link):
    """A pyserial port (`/dev/ttyUSB0`, `socket://…`, `sim://printer?…`)."""

    def __init__(self, url: str, baudrate: int, timeout: float) -> None:
        self.url = url
        try:
            self.port = open_serial(url, baudrate=baudrate, timeout=timeout)
        except TransportError as exc:
            raise PrinterConnectionError(str(exc)) from exc

    def write(self, data: bytes) -> None:
        try:
            self.port.write(data)
            self.port.flush()
        except _SERIAL_ERRORS as exc:
            raise PrinterConnectionError(f"{self.url}: write failed: {exc}") from exc

    def read(self, size: int, timeout: float) -> bytes:
        try:
            self.port.timeout = timeout
            return bytes(self.port.read(size))
        except _SERIAL_ERRORS as exc:
            raise PrinterConnectionError(f"{self.url}: read failed: {exc}") from exc

    def discard_input(self) -> None:
        try:
            self.port.reset_input_buffer()
        except NotImplementedError:  # URL handlers without a buffer to flush
            super().discard_input()
        except _SERIAL_ERRORS as exc:
            raise PrinterConnectionError(f"{self.url}: link lost: {exc}") from exc

    def close(self) -> None:
        try:
            self.port.close()
        except _SERIAL_ERRORS:
            pass


class TcpLink(Link):
    """A raw TCP connection (port 9100 "JetDirect")."""

    def __init__(self, url: str, host: str, port: int, timeout: float) -> None:
        self.url = url
        try:
            self.sock = socket.create_connection((host, port), timeout=max(timeout, 1.0))
        except ConnectionRefusedError as exc:
            raise PrinterConnectionError(
                f"{url}: connection refused (printer off or wrong port?)"
            ) from exc
        except OSError as exc:
            raise PrinterConnectionError(f"{url}: cannot connect: {exc}") from exc

    def write(self, data: bytes) -> None:
        try:
            self.sock.sendall(data)
        except OSError as exc:
            raise PrinterConnectionError(
                f"{self.url}: connection lost while sending: {exc}"
            ) from exc

    def read(self, size: int, timeout: float) -> bytes:
        try:
            ready, _, _ = select.select([self.sock], [], [], timeout)
            if not ready:
                return b""
            data = self.sock.recv(size)
        except OSError as exc:
            raise PrinterConnectionError(f"{self.url}: connection lost: {exc}") from exc
        if not data:
            raise PrinterConnectionError(f"{self.url}: printer closed the connection")
        return data

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


class UsbLink(Link):
    """A USB printer through python-escpos' `Usb` (needs pyusb)."""

    def __init__(self, url: str, vid: int, pid: int, timeout: float) -> None:
        from escpos.printer import Usb

        self.url = url
        if not Usb.is_usable():
            raise PrinterConnectionError(
                f"{url}: USB printing needs the pyusb package (not installed)"
            )
        self.timeout_ms = int(timeout * 1000)
        self.usb = Usb(vid, pid, timeout=self.timeout_ms)
        try:
            self.usb.open()
        except Exception as exc:  # escpos raises DeviceNotFoundError/USBNotFoundError/USBError
            raise PrinterConnectionError(f"{url}: {exc}") from exc

    def write(self, data: bytes) -> None:
        try:
            self.usb._raw(data)
        except Exception as exc:  # usb.core.USBError and friends
            raise PrinterConnectionError(f"{self.url}: write failed: {exc}") from exc

    def read(self, size: int, timeout: float) -> bytes:
        import usb.core

        try:
            return bytes(self.usb.device.read(self.usb.in_ep, size, int(timeout * 1000) or 1))
        except usb.core.USBTimeoutError:
            return b""
        except Exception as exc:
            raise PrinterConnectionError(f"{self.url}: read failed: {exc}") from exc

    def close(self) -> None:
        try:
            self.usb.close()
        except Exception:  # already gone
            pass


class FileLink(Link):
    """A device node such as /dev/usb/lp0 (read for status if the kernel driver allows it)."""

    def __init__(self, url: str, path: str) -> None:
        self.url = url
        try:
            self.fd = os.open(path, os.O_RDWR | os.O_NONBLOCK)
            self.readable = True
        except OSError:
            try:
                self.fd = os.open(path, os.O_WRONLY)
                self.readable = False
            except OSError as exc:
                raise PrinterConnectionError(f"{url}: cannot open {path}: {exc.strerror}") from exc

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        try:
            while view:
                try:
                    n = os.write(self.fd, view)
                except BlockingIOError:
                    select.select([], [self.fd], [], 1.0)
                    continue
                view = view[n:]
        except OSError as exc:
            raise PrinterConnectionError(f"{self.url}: write failed: {exc.strerror}") from exc

    def read(self, size: int, timeout: float) -> bytes:
        if not self.readable:
            return b""
        try:
            ready, _, _ = select.select([self.fd], [], [], timeout)
            return os.read(self.fd, size) if ready else b""
        except BlockingIOError:
            return b""
        except OSError as exc:
            raise PrinterConnectionError(f"{self.url}: read failed: {exc.strerror}") from exc

    def close(self) -> None:
        try:
            os.close(self.fd)
        except OSError:
            pass


def open_link(url: str, *, baudrate: int = 115200, timeout: float = 1.0) -> Link:
    """Open a printer URL: tcp://host[:9100], usb://VID:PID, file:///dev/…, else a pyserial URL."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "tcp":
        if not parts.hostname:
            raise PrinterUrlError(f"{url}: expected tcp://HOST[:PORT]")
        try:
            port = parts.port or TCP_DEFAULT_PORT
        except ValueError as exc:
            raise PrinterUrlError(f"{url}: bad port") from exc
        return TcpLink(url, parts.hostname, port, timeout)
    if scheme == "usb":
        try:
            vid_s, pid_s = parts.netloc.split(":")
            vid, pid = int(vid_s, 16), int(pid_s, 16)
        except ValueError:
            raise PrinterUrlError(
                f"{url}: expected usb://VID:PID in hex, e.g. usb://0416:5011"
            ) from None
        return UsbLink(url, vid, pid, timeout)
    if scheme == "file":
        if not parts.path:
            raise PrinterUrlError(f"{url}: expected file:///dev/usb/lp0")
        return FileLink(url, urllib.parse.unquote(parts.path))
    return SerialLink(url, baudrate, timeout)

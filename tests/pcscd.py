"""A private pcscd for the tests, with vsmartcard's virtual reader (vpcd) on a free port.

pcscd keeps its socket and pid file at compiled-in paths (/run/pcscd/pcscd.comm, .pid) and
refuses to start while another pcscd runs, so a second test run on the same machine would
collide. Each run therefore starts pcscd in a mount namespace of its own (`unshare --mount`)
with a temp dir bound over /run/pcscd; the tests' client (libpcsclite, through pyscard)
finds that socket through PCSCLITE_CSOCK_NAME. The reader config (`-c DIR`) is a temp
reader.conf.d whose vpcd entry listens on a free port (DEVICENAME /dev/null:PORT). Where
unshare is not allowed, runs are serialized with a lock file and use the global socket.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

VPCD_LIB = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so"
LOCK = Path(tempfile.gettempdir()) / "kiosk-tests-pcscd.lock"


def _free_port_pair() -> int:
    """A port P with P and P+1 both free: vpcd opens two slots, on PORT and PORT+1."""
    for _ in range(50):
        with socket.socket() as a:
            a.bind(("", 0))
            port = a.getsockname()[1]
            if port >= 65535:
                continue
            with socket.socket() as b:
                try:
                    b.bind(("", port + 1))
                except OSError:
                    continue
                return port
    raise RuntimeError("no two consecutive free ports for vpcd")


def _can_unshare() -> bool:
    if not shutil.which("unshare"):
        return False
    return (
        subprocess.run(
            ["unshare", "--mount", "--propagation", "private", "true"], capture_output=True
        ).returncode
        == 0
    )


class _PortTaken(Exception):
    """vpcd could not bind its port (another program took it after we looked)."""


class PrivatePcscd:
    """pcscd -f with one vpcd reader; `.port` is where a virtual card connects (its slot
    "Virtual PCD 00 00"; vpcd also opens "Virtual PCD 00 01" on port + 1)."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="pcscd-"))
        self.port = 0
        self.conf = self.dir / "reader.conf.d"
        self.run_dir = self.dir / "run"
        self.conf.mkdir()
        self.run_dir.mkdir()
        self.log = self.dir / "pcscd.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self._lock_fd: int | None = None
        self.private = _can_unshare()
        self.socket = (
            (self.run_dir / "pcscd.comm") if self.private else Path("/run/pcscd/pcscd.comm")
        )

    def start(self, attempts: int = 3) -> None:
        """Start pcscd and wait for its reader; a port taken meanwhile by another program
        (vpcd then gives up its slots) means a new pair of ports and another try."""
        for attempt in range(attempts):
            try:
                self._start_once()
                return
            except _PortTaken:
                self._kill()
                if attempt == attempts - 1:
                    raise RuntimeError(
                        f"vpcd could not listen: {self.log_text()[-1500:]}"
                    ) from None
            except BaseException:
                self.stop()  # never leave a pcscd behind
                raise

    def _start_once(self) -> None:
        self.port = _free_port_pair()
        (self.conf / "vpcd").write_text(
            f'FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:{self.port}\n'
            f"LIBPATH {VPCD_LIB}\nCHANNELID {self.port}\n"
        )
        for path in (shutil.which("pcscd") or "/usr/sbin/pcscd", VPCD_LIB):
            if not os.path.exists(path):
                raise RuntimeError(
                    f"{path} missing: `make test` installs pcscd and vsmartcard-vpcd"
                )
        pcscd = shutil.which("pcscd") or "/usr/sbin/pcscd"
        cmd = [pcscd, "-f", "-a", "-d", "-c", str(self.conf)]
        if self.private:
            os.makedirs("/run/pcscd", exist_ok=True)  # the mount point (empty dir, harmless)
            inner = f"mount --bind {self.run_dir} /run/pcscd && exec " + " ".join(cmd)
            cmd = ["unshare", "--mount", "--propagation", "private", "sh", "-c", inner]
        elif self._lock_fd is None:
            self._lock_fd = os.open(LOCK, os.O_CREAT | os.O_RDWR, 0o600)
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX)  # one global pcscd at a time
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + 30  # a loaded 2-core box
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"pcscd exited: {self.log.read_text(errors='replace')[-2000:]}")
            log = self.log_text()
            if "Open Port" in log and "Failed" in log:
                raise _PortTaken()
            if "daemon ready" in log and self.socket.exists() and self._vpcd_listening():
                # libpcsclite reads this once per process: one PrivatePcscd per test session
                os.environ["PCSCLITE_CSOCK_NAME"] = str(self.socket)
                return
            time.sleep(0.05)
        raise RuntimeError(f"pcscd did not come up: {self.log.read_text(errors='replace')[-2000:]}")

    def _vpcd_listening(self) -> bool:
        with socket.socket() as s:
            s.settimeout(0.2)
            # connect and hang up at once: vpcd takes it as a card inserted and pulled again
            return s.connect_ex(("127.0.0.1", self.port)) == 0

    def stop(self) -> None:
        """Stop pcscd and remove its files."""
        self._kill()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None
        shutil.rmtree(self.dir, ignore_errors=True)

    def _kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)

    def log_text(self) -> str:
        """pcscd's log so far (APDUs logged with -a)."""
        try:
            return self.log.read_text(errors="replace")
        except FileNotFoundError:
            return ""


@pytest.fixture(scope="session")
def pcscd() -> Iterator[PrivatePcscd]:
    """One private pcscd with a vpcd reader for the whole test session."""
    d = PrivatePcscd()
    d.start()
    try:
        yield d
    finally:
        d.stop()

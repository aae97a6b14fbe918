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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _can_unshare() -> bool:
    if not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "--mount", "--propagation", "private", "true"],
                          capture_output=True).returncode == 0


class PrivatePcscd:
    """pcscd -f with one vpcd reader; `.port` is where a virtual card connects."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="pcscd-"))
        self.port = _free_port()
        self.conf = self.dir / "reader.conf.d"
        self.run_dir = self.dir / "run"
        self.conf.mkdir()
        self.run_dir.mkdir()
        (self.conf / "vpcd").write_text(
            f'FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:{self.port}\n'
            f"LIBPATH {VPCD_LIB}\nCHANNELID {self.port}\n")
        self.log = self.dir / "pcscd.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self._lock_fd: int | None = None
        self.private = _can_unshare()
        self.socket = (self.run_dir / "pcscd.comm") if self.private else Path("/run/pcscd/pcscd.comm")

    def start(self) -> None:
        """Start pcscd and wait for its socket and for vpcd to listen."""
        for path in (shutil.which("pcscd") or "/usr/sbin/pcscd", VPCD_LIB):
            if not os.path.exists(path):
                raise RuntimeError(f"{path} missing: `make test` installs pcscd and vsmartcard-vpcd")
        pcscd = shutil.which("pcscd") or "/usr/sbin/pcscd"
        cmd = [pcscd, "-f", "-a", "-d", "-c", str(self.conf)]
        if self.private:
            os.makedirs("/run/pcscd", exist_ok=True)  # the mount point (empty dir, harmless)
            inner = f"mount --bind {self.run_dir} /run/pcscd && exec " + " ".join(cmd)
            cmd = ["unshare", "--mount", "--propagation", "private", "sh", "-c", inner]
        else:
            self._lock_fd = os.open(LOCK, os.O_CREAT | os.O_RDWR, 0o600)
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX)  # one global pcscd at a time
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"pcscd exited: {self.log.read_text(errors='replace')[-2000:]}")
            if self.socket.exists() and self._vpcd_listening():
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
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        if self._lock_fd is not None:
            os.close(self._lock_fd)
        shutil.rmtree(self.dir, ignore_errors=True)

    def log_text(self) -> str:
        """pcscd's log so far (APDUs logged with -a)."""
        return self.log.read_text(errors="replace")


@pytest.fixture(scope="session")
def pcscd() -> Iterator[PrivatePcscd]:
    """One private pcscd with a vpcd reader for the whole test session."""
    d = PrivatePcscd()
    d.start()
    try:
        yield d
    finally:
        d.stop()

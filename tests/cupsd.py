"""A private cupsd for the tests: its own ServerRoot, spool, cache and logs in a temp dir, listening
on a unix socket and a free 127.0.0.1 port, with queues on a small backend of the tests' own.

Why not cups-pdf: it reads /etc/cups/cups-pdf.conf (a compiled-in path) and writes to a global
spool, so a private cupsd could not keep it private. The `testpdf:` backend below is a real CUPS
backend (run by cupsd, argv/env per backend(7), reports `STATE:` lines): it keeps each job's
document byte for byte in the queue's folder, and fakes a printer fault on request by a control
file — media-empty (STATE: +media-empty-error, exit CUPS_BACKEND_STOP: the queue stops with that
reason, exactly as a laser out of paper does), cancel (exit CUPS_BACKEND_CANCEL), slow (never
finishes in time).
"""

from __future__ import annotations

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

BACKEND = r"""#!/usr/bin/python3
import os, shutil, sys, time
if len(sys.argv) == 1:
    print('direct testpdf "Unknown" "Test PDF backend"')
    sys.exit(0)
out = os.environ["DEVICE_URI"].split(":", 1)[1]
ctl = os.path.join(out, "fault")
fault = open(ctl).read().strip() if os.path.exists(ctl) else ""
if fault == "media-empty":
    sys.stderr.write("STATE: +media-empty-error\nERROR: out of paper\n")
    sys.exit(4)   # CUPS_BACKEND_STOP
if fault == "cancel":
    sys.stderr.write("ERROR: job refused by the device\n")
    sys.exit(5)   # CUPS_BACKEND_CANCEL
if fault == "slow":
    time.sleep(60)
src = open(sys.argv[6], "rb") if len(sys.argv) > 6 else sys.stdin.buffer
tmp = os.path.join(out, ".job-%s.part" % sys.argv[1])
with open(tmp, "wb") as f:
    shutil.copyfileobj(src, f)
os.chmod(tmp, 0o644)
os.rename(tmp, os.path.join(out, "job-%s.pdf" % sys.argv[1]))
sys.stderr.write("STATE: -media-empty-error\n")
sys.exit(0)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateCupsd:
    """cupsd -f on its own files; `add_queue(name)` → the folder where its jobs land."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="cupsd-"))
        os.chmod(self.dir, 0o755)  # cupsd's children run as lp and must reach the socket
        self.port = _free_port()
        self.socket = str(self.dir / "cups.sock")
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> PrivateCupsd:
        """Write the configuration and start cupsd; wait until it answers."""
        d = self.dir
        for sub in (
            "root/ppd",
            "root/ssl",
            "spool/tmp",
            "cache",
            "state",
            "log",
            "bin/backend",
            "queues",
        ):
            (d / sub).mkdir(parents=True, exist_ok=True)
        for entry in Path("/usr/lib/cups").iterdir():
            if entry.name != "backend":
                (d / "bin" / entry.name).symlink_to(entry)
        backend = d / "bin" / "backend" / "testpdf"
        backend.write_text(BACKEND)
        os.chmod(backend, 0o700)  # 0700 root-owned: cupsd runs it as root (it writes our files)
        (d / "root" / "cupsd.conf").write_text(
            f"Listen 127.0.0.1:{self.port}\nListen {self.socket}\nLogLevel info\nWebInterface No\n"
            "Browsing No\nMaxJobTime 0\nJobRetryLimit 0\n<Location />\nOrder allow,deny\nAllow all\n</Location>\n"
            "<Policy default>\n<Limit All>\nOrder deny,allow\n</Limit>\n</Policy>\n"
        )
        (d / "root" / "cups-files.conf").write_text(
            f"ServerRoot {d}/root\nServerBin {d}/bin\nDataDir /usr/share/cups\n"
            f"RequestRoot {d}/spool\nCacheDir {d}/cache\nStateDir {d}/state\nTempDir {d}/spool/tmp\n"
            f"AccessLog {d}/log/access_log\nErrorLog {d}/log/error_log\nPageLog {d}/log/page_log\n"
            "FileDevice Yes\nSandboxing Relaxed\nUser lp\nGroup lp\n"
        )
        self.proc = subprocess.Popen(
            ["cupsd", "-f", "-c", f"{d}/root/cupsd.conf", "-s", f"{d}/root/cups-files.conf"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"cupsd exited: {self.proc.stderr.read().decode(errors='replace')} {self.log()}"
                )
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"cupsd did not start: {self.log()}")

    def lpadmin(self, *args: str) -> None:
        """Run lpadmin against this cupsd."""
        subprocess.run(
            ["lpadmin", "-h", self.socket, *args], check=True, capture_output=True, timeout=30
        )

    def add_queue(self, name: str, *options: str) -> Path:
        """A raw queue on the testpdf backend; returns the folder its jobs are written to."""
        out = self.dir / "queues" / name
        out.mkdir(parents=True, exist_ok=True)
        os.chmod(out, 0o755)
        # raw: CUPS hands the PDF to the backend unchanged, so the file is the bytes we sent
        self.lpadmin("-p", name, "-E", "-v", f"testpdf:{out}", "-m", "raw", *options)
        return out

    def set_fault(self, name: str, fault: str) -> None:
        """media-empty, cancel, slow or "" for the next job of queue `name`."""
        ctl = self.dir / "queues" / name / "fault"
        if fault:
            ctl.write_text(fault)
        else:
            ctl.unlink(missing_ok=True)

    def run(self, *cmd: str) -> None:
        """A CUPS command (cupsenable, cupsdisable, cancel …) against this cupsd."""
        subprocess.run(
            [cmd[0], "-h", self.socket, *cmd[1:]], check=True, capture_output=True, timeout=30
        )

    def jobs(self, name: str) -> list[Path]:
        """The documents the backend kept for queue `name`, oldest first."""
        return sorted(
            (self.dir / "queues" / name).glob("job-*.pdf"), key=lambda p: int(p.stem.split("-")[1])
        )

    def log(self) -> str:
        """The error log (for failure messages)."""
        path = self.dir / "log" / "error_log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop(self) -> None:
        """Stop cupsd and remove every file."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc is not None and self.proc.stderr is not None:
            self.proc.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def cupsd() -> Iterator[PrivateCupsd]:
    """A private cupsd for one test module (import this fixture into a conftest)."""
    server = PrivateCupsd().start()
    try:
        yield server
    finally:
        server.stop()

"""A throw-away PostgreSQL cluster for the tests and benches: initdb + pg_ctl in a temp dir;
the session fixture `postgres` (imported by tests/conftest.py) and `new_db`.

Debian's `postgresql` package supplies the binaries (/usr/lib/postgresql/N/bin). initdb refuses
to run as root, so as root the cluster runs as the unprivileged `postgres` user (runuser).
It listens on a random 127.0.0.1 port and on a unix socket inside its own directory.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL

from central.storage import keys, migrate
from central.storage.engine import make_engine, to_url

ENGINES = ("sqlite", "postgresql")
"""Every test that stores anything in central runs on both (fixture params)."""


def _bin_dir() -> Path:
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if not found:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql: `make setup`)")
    return found[-1].parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    """One private cluster; `url(name)`, `create_database(template=)`, `stop()`."""

    def __init__(self, max_connections: int = 300) -> None:
        self.bin = _bin_dir()
        self.dir = Path(tempfile.mkdtemp(prefix="kiosk-pg-"))
        self.data = self.dir / "data"
        self.port = _free_port()
        self._as: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.dir, user.pw_uid, user.pw_gid)
            os.chmod(self.dir, 0o700)
            self._as = ["runuser", "-u", "postgres", "--"]
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        opts = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            f"-c synchronous_commit=off -c full_page_writes=off "
            f"-c max_connections={max_connections}"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            opts,
            "-l",
            str(self.dir / "log"),
            "-w",
            "-t",
            "60",
            "start",
        )
        self.stopped = False

    def _run(self, tool: str, *args: str) -> None:
        r = subprocess.run(
            [*self._as, str(self.bin / tool), *args],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=self.dir,
        )
        if r.returncode != 0:
            log = (
                (self.dir / "log").read_text(errors="replace")[-2000:]
                if (self.dir / "log").exists()
                else ""
            )
            raise RuntimeError(f"{tool} failed ({r.returncode}): {r.stderr[-2000:]}{log}")

    def url(self, database: str = "postgres") -> str:
        """postgresql://postgres@127.0.0.1:PORT/database."""
        return URL.create(
            "postgresql", username="postgres", host="127.0.0.1", port=self.port, database=database
        ).render_as_string(hide_password=False)

    def create_database(self, template: str | None = None, name: str | None = None) -> str:
        """A new database (a copy of `template` when given); its URL."""
        name = name or f"t_{uuid.uuid4().hex[:16]}"
        engine = create_engine(
            self.url().replace("postgresql://", "postgresql+psycopg://"),
            isolation_level="AUTOCOMMIT",
            poolclass=None,
        )
        try:
            with engine.connect() as conn:
                tmpl = f' TEMPLATE "{template}"' if template else ""
                for attempt in range(50):  # the template must have no other session right now
                    try:
                        conn.execute(text(f'CREATE DATABASE "{name}"{tmpl}'))
                        break
                    except Exception:
                        if attempt == 49:
                            raise
                        time.sleep(0.1)
        finally:
            engine.dispose()
        return self.url(name)

    def stop(self) -> None:
        """Stop the server and delete its directory."""
        if self.stopped:
            return
        self.stopped = True
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


@dataclass
class Postgres:
    """The session's cluster, its migrated template database and the server key file."""

    cluster: Cluster
    template: str
    key_file: Path

    def new_database(self) -> str:
        """A fresh database at the current schema (a copy of the template): its URL."""
        return self.cluster.create_database(template=self.template)


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Postgres]:
    """A throw-away PostgreSQL cluster (started on first use, stopped at the end)."""
    cluster = Cluster()
    try:
        url = cluster.create_database(name="central_template")
        engine = make_engine(to_url(url))
        try:
            migrate.upgrade(engine, lambda: None)  # type: ignore[arg-type,return-value]
        finally:
            engine.dispose()
        key_file = tmp_path_factory.mktemp("pgkey") / "server.key"
        keys.write_key_file(key_file)
        yield Postgres(cluster, "central_template", key_file)
    finally:
        cluster.stop()


def new_db(
    engine: str, directory: Path, request: pytest.FixtureRequest, mp: pytest.MonkeyPatch
) -> Path | str:
    """A new empty service database of `engine` (SQLite: a file path; PostgreSQL: a URL)."""
    if engine == "sqlite":
        return directory / "central.sqlite3"
    pg: Postgres = request.getfixturevalue("postgres")
    mp.setenv(keys.ENV_KEY_FILE, str(pg.key_file))
    return pg.new_database()

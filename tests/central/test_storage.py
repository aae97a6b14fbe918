"""The storage layer on both engines: migrations, refusal to serve an unmigrated database,
secrets at rest, 64-bit bounds."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from central.app import create_app
from central.server import run_in_thread, serve
from central.storage import NotMigrated, OutOfRange, Storage, migrate
from central.storage import schema as t
from central.storage.engine import make_engine, to_url
from kiosk.cli import main
from tests.central.conftest import Postgres, Terminal, new_db

V1 = Path(__file__).parent / "data" / "schema_v1.sql"


def _legacy(path: Path, secret: bytes) -> None:
    """A database as the raw-sqlite3 storage wrote it, with a terminal, a case and a rating."""
    db = sqlite3.connect(path)
    db.executescript(V1.read_text(encoding="utf-8"))
    now = time.time()
    db.execute("INSERT INTO terminals VALUES ('HALL-01', ?, ?, 1)", (secret.hex(), now))
    db.execute(
        "INSERT INTO cases VALUES ('610900-20261201-000001', 'apply', 'SB-APPLY-001', "
        "'610900', 'HALL-01', 'x', '[]', NULL, ?)",
        (now,),
    )
    db.execute(
        "INSERT INTO case_events VALUES ('610900-20261201-000001', 'received', ?, '已接收')", (now,)
    )
    db.execute(
        "INSERT INTO ratings (case_no, item_code, level, tags, comment, terminal_id, "
        "region_code, channel, rated_at, received_at) VALUES ('610900-20261201-000001', "
        "'SB-APPLY-001', '满意', '[]', '', 'HALL-01', '610900', 'self_service', NULL, ?)",
        (now,),
    )
    db.commit()
    db.close()


def test_a_legacy_database_is_refused_then_migrated_keeping_every_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "central.sqlite3"
    secret = bytes(range(32))
    _legacy(path, secret)
    with pytest.raises(NotMigrated, match="kiosk central migrate"):
        create_app(path)
    with pytest.raises(NotMigrated, match="old unversioned schema"):
        serve(path, port=0)

    assert main(["central", "migrate", "--db", str(path)]) == 0
    assert "schema legacy → 0003" in capsys.readouterr().out
    assert main(["central", "migrate", "--db", str(path)]) == 0
    assert "already at 0003" in capsys.readouterr().out

    raw = sqlite3.connect(path)
    sealed = raw.execute("SELECT secret_enc FROM terminals").fetchone()[0]
    cols = [r[1] for r in raw.execute("PRAGMA table_info(terminals)")]
    assert raw.execute("SELECT COUNT(*) FROM ratings").fetchone()[0] == 1
    raw.close()
    assert "secret_hex" not in cols and secret not in sealed and secret.hex().encode() not in sealed
    assert (tmp_path / "central.sqlite3.key").stat().st_mode & 0o777 == 0o600

    with run_in_thread(path) as handle:  # the migrated terminal still signs in
        term = Terminal(handle.url, "HALL-01", secret, time.time)
        assert term.heartbeat().status_code == 200
        r = term.call("GET", "/v1/cases/610900-20261201-000001")
        assert r.status_code == 200 and r.json()["history"][0]["note"] == "已接收"


def test_secrets_are_encrypted_at_rest_and_files_private(central_db: Path | str) -> None:
    store = Storage(central_db)
    secret = store.add_terminal("T-0009", None, time.time())
    sealed = store._one("SELECT secret_enc FROM terminals WHERE terminal_id = ?", ("T-0009",))[0]
    assert secret not in bytes(sealed) and store.terminal_secret("T-0009") == secret
    store.close()
    if isinstance(central_db, Path):
        for p in (central_db, central_db.with_name(central_db.name + ".key")):
            assert p.stat().st_mode & 0o777 == 0o600, p
        other = central_db.with_name("other.key")
        other.write_text("11" * 32)
        with pytest.raises(Exception, match="wrong key"):
            Storage(central_db, key_file=other).terminal_secret("T-0009")


def test_integers_beyond_64_bits_are_refused_not_a_500(central_db: Path | str) -> None:
    store = Storage(central_db)
    store.add_terminal("T-0009", None, time.time())
    with pytest.raises(OutOfRange, match="catalogue_version"):
        store.store_heartbeat("T-0009", time.time(), {}, 2**63, 0, "1", 1.0)
    store.store_heartbeat("T-0009", time.time(), {}, 2**63 - 1, 0, "1", 1.0)
    assert store.terminals()[0]["catalogue_version"] == 2**63 - 1
    with pytest.raises(OutOfRange, match="version"):
        store.publish(-(2**63) - 1, b"{}", 1, "x", time.time())
    store.close()


def test_a_heartbeat_with_catalogue_version_2_63_is_a_clear_4xx(service) -> None:  # type: ignore[no-untyped-def]
    r = service.terminal.heartbeat(catalogue_version=2**63)
    assert r.status_code in (400, 422) and "error" in r.json(), r.text
    assert str(2**63) not in r.text
    assert service.terminal.heartbeat(catalogue_version=5).status_code == 200


def test_an_empty_or_outdated_postgres_database_is_refused(
    postgres: Postgres, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CENTRAL_SECRET_KEY_FILE", str(postgres.key_file))
    url = postgres.cluster.create_database()
    with pytest.raises(NotMigrated, match="empty"):
        create_app(url)
    engine = make_engine(to_url(url))
    migrate.upgrade(engine, lambda: None, target="0001")  # type: ignore[arg-type,return-value]
    engine.dispose()
    with pytest.raises(NotMigrated, match="revision 0001, this code needs 0003"):
        Storage(url)
    assert main(["central", "migrate", "--db", url]) == 0
    assert "schema 0001 → 0003" in capsys.readouterr().out
    Storage(url).close()


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_the_migrations_build_exactly_the_declared_schema(
    engine: str, tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    if engine == "sqlite":
        url = to_url(tmp_path / "m.sqlite3")
    else:
        pg: Postgres = request.getfixturevalue("postgres")
        url = to_url(pg.cluster.create_database())
    eng = make_engine(url)
    try:
        migrate.upgrade(eng, lambda: None)  # type: ignore[arg-type,return-value]
        with eng.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), t.load_all()
            )
        assert diff == [], diff
    finally:
        eng.dispose()


def test_a_new_sqlite_file_is_created_private_at_head(tmp_path: Path) -> None:
    db = new_db("sqlite", tmp_path, None, None)  # type: ignore[arg-type]
    Storage(db).close()
    assert os.stat(db).st_mode & 0o777 == 0o600
    engine = make_engine(to_url(db))
    with engine.connect() as conn:
        migrate.check(conn, str(db))  # at head: no exception
    engine.dispose()


def test_create_app_without_arguments_reads_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from central.errors import CentralError

    monkeypatch.delenv("CENTRAL_DB", raising=False)
    with pytest.raises(CentralError, match="CENTRAL_DB is not set"):
        create_app()
    monkeypatch.setenv("CENTRAL_DB", str(tmp_path / "env.sqlite3"))
    monkeypatch.setenv("CENTRAL_OFFLINE_AFTER_S", "42")
    app = create_app()
    assert app.state.service.offline_after_s == 42.0
    assert app.state.service.store.path == tmp_path / "env.sqlite3"
    app.state.service.store.close()
    monkeypatch.setenv("CENTRAL_OFFLINE_AFTER_S", "soon")
    with pytest.raises(CentralError, match="CENTRAL_OFFLINE_AFTER_S must be a number"):
        create_app()


def test_a_table_declared_without_a_revision_is_caught(tmp_path: Path) -> None:
    from sqlalchemy import Column, Integer, Table

    eng = make_engine(to_url(tmp_path / "m.sqlite3"))
    probe = Table("probe_without_revision", t.metadata, Column("id", Integer, primary_key=True))
    try:
        migrate.upgrade(eng, lambda: None)  # type: ignore[arg-type,return-value]
        with eng.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), t.load_all())
        assert [d[0] for d in diff] == ["add_table"] and diff[0][1].name == probe.name
    finally:
        t.metadata.remove(probe)
        eng.dispose()


def test_more_concurrent_writers_than_pooled_connections_never_deadlock(service) -> None:  # type: ignore[no-untyped-def]
    """60 terminals submit at once (the pool holds 40, the server 40 threads): reads made
    inside a transaction reuse its connection, so nobody waits for a connection forever."""
    import threading
    import uuid

    from tests.central.conftest import submission

    codes: list[int] = []
    lock = threading.Lock()
    go = threading.Event()

    def send() -> None:
        term = Terminal(service.url, service.terminal.terminal_id, service.secret, service.clock)
        go.wait()
        r = term.call("POST", "/v1/submissions", submission(), key=str(uuid.uuid4()))
        term.session.close()
        with lock:
            codes.append(r.status_code)

    threads = [threading.Thread(target=send) for _ in range(60)]
    for th in threads:
        th.start()
    t0 = time.monotonic()
    go.set()
    for th in threads:
        th.join()
    assert codes == [201] * 60 and time.monotonic() - t0 < 20
    store = Storage(service.db)
    try:
        assert store._one("SELECT COUNT(*) FROM cases")[0] == 60
    finally:
        store.close()

"""`kiosk central`: reference central service: serve, terminals, tokens, trust, publish."""

from __future__ import annotations

import argparse
import sys
import time

from kiosk.commands import add_group

DB_HELP = "service database: postgresql://… URL or SQLite file path"
KEY_HELP = (
    "server key file that encrypts terminal secrets (default: $CENTRAL_SECRET_KEY_FILE, "
    "else DB.key beside a SQLite file)"
)


def register(sub: argparse._SubParsersAction) -> None:
    """Register the `kiosk central` group."""
    group = add_group(
        sub, "central", "reference central service: serve, terminals, tokens, publish"
    )

    p = group.add_parser(
        "serve",
        help="run the reference service (sandbox) with uvicorn",
        description="Serve the central API v1 over the database DB: a "
        "postgresql://user@host/name URL (migrated first with "
        "`kiosk central migrate`) or a SQLite file path (a new file "
        "is created at the current schema). Plain HTTP: put TLS "
        "in front.",
    )
    p.add_argument("--db", required=True, metavar="URL|PATH", help=DB_HELP)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="worker processes on one socket (default 1; PostgreSQL for N > 1 "
        "across machines, SQLite works on one machine)",
    )
    p.add_argument("--secret-key-file", metavar="FILE", default=None, help=KEY_HELP)
    # issue 18 (api): production mode, the v1.1 transition, connection limits
    p.add_argument(
        "--no-sandbox",
        dest="sandbox",
        action="store_false",
        help="production: no simulated back ends, no /sandbox routes, v1.0 "
        "signatures refused unless --accept-v1-signatures",
    )
    p.add_argument(
        "--accept-v1-signatures",
        dest="accept_v1",
        action="store_true",
        default=None,
        help="accept v1.0 signatures (Idempotency-Key not signed) during the "
        "transition (default: only with the sandbox)",
    )
    p.add_argument(
        "--refuse-v1-signatures",
        dest="accept_v1",
        action="store_false",
        help="refuse v1.0 signatures even in the sandbox",
    )
    p.add_argument(
        "--head-timeout",
        type=float,
        default=10.0,
        metavar="S",
        help="close a connection without a complete request head after S s (10)",
    )
    p.add_argument(
        "--keep-alive",
        type=float,
        default=5.0,
        metavar="S",
        help="close an idle keep-alive connection after S s (5)",
    )
    p.add_argument(
        "--max-connections",
        type=int,
        default=4096,
        metavar="N",
        help="open connections per worker; the longest-idle is closed beyond (4096)",
    )
    p.set_defaults(handler=_serve, parser=p)

    p = group.add_parser(
        "migrate",
        help="create or upgrade the service database schema",
        description="Bring the database to this code's schema (Alembic "
        "migrations shipped with the service). Safe to run again. "
        "An old unversioned SQLite database keeps every row; its "
        "terminal secrets get encrypted under the server key.",
    )
    p.add_argument("--db", required=True, metavar="URL|PATH", help=DB_HELP)
    p.add_argument("--secret-key-file", metavar="FILE", default=None, help=KEY_HELP)
    p.set_defaults(handler=_migrate, parser=p)

    key = group.add_parser("key", help="the server key: new").add_subparsers(
        dest="key_command", metavar="ACTION", required=True
    )
    p = key.add_parser(
        "new",
        help="create a server key file (0600) for terminal secrets",
        description="Write 32 random bytes (hex) to FILE, mode 0600; refuses to "
        "overwrite. Point CENTRAL_SECRET_KEY_FILE or "
        "--secret-key-file at it; keep a copy offline.",
    )
    p.add_argument("file", metavar="FILE")
    p.set_defaults(handler=_key_new, parser=p)

    terminal = group.add_parser("terminal", help="terminals: add").add_subparsers(
        dest="terminal_command", metavar="ACTION", required=True
    )
    p = terminal.add_parser(
        "add",
        help="register a terminal and print its HMAC secret",
        description="Register (or re-key) a terminal; prints the secret (hex) "
        "to put in the terminal's central.secret_file.",
    )
    p.add_argument("--db", required=True, metavar="URL|PATH", help=DB_HELP)
    p.add_argument("--secret-key-file", metavar="FILE", default=None, help=KEY_HELP)
    p.add_argument("--id", required=True, dest="terminal_id", help="terminal id (3–32 chars)")
    p.add_argument(
        "--secret",
        metavar="HEX",
        default=None,
        help="use this secret (hex, ≥ 16 bytes) instead of a random 32-byte one",
    )
    p.set_defaults(handler=_terminal_add, parser=p)

    token = group.add_parser("token", help="staff tokens: add").add_subparsers(
        dest="token_command", metavar="ACTION", required=True
    )
    p = token.add_parser(
        "add",
        help="create a staff bearer token (printed once)",
        description="Create a staff token; only its hash is stored, so it is shown this once.",
    )
    p.add_argument("--db", required=True, metavar="URL|PATH", help=DB_HELP)
    p.add_argument("--secret-key-file", metavar="FILE", default=None, help=KEY_HELP)
    p.add_argument("--name", required=True, help="who the token is for (shown in the log)")
    p.set_defaults(handler=_token_add, parser=p)

    trust = group.add_parser("trust", help="trusted catalogue keys: add").add_subparsers(
        dest="trust_command", metavar="ACTION", required=True
    )
    p = trust.add_parser("add", help="trust an Ed25519 public key for catalogue bundles")
    p.add_argument("--db", required=True, metavar="URL|PATH", help=DB_HELP)
    p.add_argument("--secret-key-file", metavar="FILE", default=None, help=KEY_HELP)
    p.add_argument("--key-id", required=True, help="key id as written in bundle signatures")
    p.add_argument(
        "--public-key", required=True, metavar="FILE", help="public key file (PEM or 32 bytes hex)"
    )
    p.set_defaults(handler=_trust_add, parser=p)

    p = group.add_parser(
        "publish",
        help="publish a signed catalogue bundle to the service",
        description="PUT BUNDLE to URL/v1/admin/catalogue with a staff token; "
        "terminals fetch it at their next heartbeat.",
    )
    p.add_argument("bundle", metavar="BUNDLE", help="signed bundle file (JSON)")
    p.add_argument("--url", required=True, help="service base URL, e.g. https://central.example")
    p.add_argument("--token", required=True, help="staff token (kiosk central token add)")
    p.set_defaults(handler=_publish, parser=p)

    from kiosk.commands import central_staff

    central_staff.register(group)
    _register_province_sim(group)
    _register_forward(group)


def _register_province_sim(group: argparse._SubParsersAction) -> None:
    p = group.add_parser(
        "province-sim",
        help="run the provincial 好差评 platform simulator",
        description="Serve the province simulator (checks fields, keeps each "
        "evaluation once, daily counts, faults on demand: POST "
        "/sim/faults). Point central at it with "
        "KIOSK_HAOCHA_PROVINCE_URL.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8090, help="port (default 8090)")
    p.add_argument("--app-id", required=True, help="the access id central sends (X-App-Id)")
    p.add_argument(
        "--secret-file",
        required=True,
        metavar="FILE",
        help="HMAC secret (hex) shared with central (KIOSK_HAOCHA_PROVINCE_SECRET_FILE)",
    )
    p.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="KIND:COUNT[:DELAY]",
        help="start with a fault, e.g. 500:3 or timeout:2:15 (repeatable)",
    )
    p.set_defaults(handler=_province_sim, parser=p)


def _register_forward(group: argparse._SubParsersAction) -> None:
    p = group.add_parser(
        "forward",
        help="run the 好差评 province forwarder on its own",
        description="Scan new ratings, open 差评 follow-ups and forward to the "
        "province (KIOSK_HAOCHA_* settings) until SIGINT/SIGTERM; "
        "for deployments whose API processes set "
        "KIOSK_HAOCHA_FORWARD=0. Several may run at once.",
    )
    p.add_argument(
        "--db",
        required=True,
        metavar="URL|PATH",
        help="service database (postgresql://… or a SQLite file)",
    )
    p.add_argument("--secret-key-file", metavar="FILE", default=None, help=KEY_HELP)
    p.set_defaults(handler=_forward, parser=p)


def _forward(args: argparse.Namespace) -> int:
    import signal
    import threading

    from central.errors import CentralError
    from central.haocha.errors import HaochaError
    from central.haocha.service import Haocha
    from central.haocha.settings import HaochaSettings
    from kiosk.logs import setup_logging

    setup_logging(None, "INFO")
    try:
        store = _store(args)
        settings = HaochaSettings.from_env().model_copy(update={"forward": True})

        def bundle() -> bytes | None:
            pub = store.published()
            return pub.bundle if pub else None

        h = Haocha(
            store.path or "",
            settings,
            time.time,
            bundle,
            engine=store.engine,
            server_key=store.server_key,
        )
    except (CentralError, HaochaError) as exc:
        return _fail(str(exc))
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    h.start()
    print(
        f"forwarding ratings of {args.db} to {settings.province_url or '(no URL: queue only)'}",
        file=sys.stderr,
    )
    done.wait()
    h.stop()
    store.close()
    return 0


def _province_sim(args: argparse.Namespace) -> int:
    from pathlib import Path

    from central.sandbox.province import ProvinceSim, serve
    from kiosk.logs import setup_logging

    try:
        secret = bytes.fromhex(Path(args.secret_file).read_text(encoding="ascii").strip())
    except (OSError, ValueError) as exc:
        return _fail(f"--secret-file: {exc}")
    sim = ProvinceSim(args.app_id, secret)
    for spec in args.fault:
        kind, _, rest = spec.partition(":")
        count, _, delay = rest.partition(":")
        try:
            sim.inject(kind, int(count or 1), float(delay or 0))
        except ValueError as exc:
            return _fail(f"--fault {spec}: {exc}")
    setup_logging(None, "INFO")
    print(f"province simulator on http://{args.host}:{args.port}; Ctrl-C stops", file=sys.stderr)
    serve(sim, args.host, args.port)
    return 0


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def _store(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from central.storage import Storage

    return Storage(args.db, key_file=args.secret_key_file)


def _serve(args: argparse.Namespace) -> int:
    from central.errors import CentralError
    from central.server import ServerSettings, serve
    from central.storage.engine import redact
    from kiosk.logs import setup_logging

    if not 1 <= args.workers <= 64:
        return _fail("--workers must be 1..64")
    setup_logging(None, "INFO")
    what = "central sandbox" if args.sandbox else "central (production, no sandbox)"
    print(
        f"{what} on http://{args.host}:{args.port} (database {redact(args.db)}, "
        f"{args.workers} worker(s)); Ctrl-C stops",
        file=sys.stderr,
    )
    limits = ServerSettings(
        head_timeout_s=args.head_timeout,
        keep_alive_s=args.keep_alive,
        max_connections=args.max_connections,
    )
    try:
        serve(
            args.db,
            args.host,
            args.port,
            workers=args.workers,
            key_file=args.secret_key_file,
            server_settings=limits,
            sandbox=args.sandbox,
            accept_v1_signatures=args.accept_v1,
        )
    except CentralError as exc:
        return _fail(str(exc))
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from central.errors import CentralError
    from central.storage import keys, migrate
    from central.storage.engine import make_engine, redact, sqlite_path, to_url

    try:
        url = to_url(args.db)
        path = sqlite_path(url)
        if path is not None:  # a SQLite database's default key lives beside it: make it now
            keys.load(args.secret_key_file, path, create=True)
        engine = make_engine(url)
        try:
            before, after = migrate.upgrade(
                engine, lambda: keys.load(args.secret_key_file, path, create=True)
            )
        finally:
            engine.dispose()
    except CentralError as exc:
        return _fail(str(exc))
    except Exception as exc:  # a driver error: say what, not a traceback
        return _fail(f"{redact(args.db)}: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
    where = Path(args.db) if path is not None else redact(args.db)
    print(
        f"{where}: schema {before or 'empty'} → {after}"
        if before != after
        else f"{where}: schema already at {after}"
    )
    return 0


def _key_new(args: argparse.Namespace) -> int:
    from pathlib import Path

    from central.errors import CentralError
    from central.storage import keys

    path = Path(args.file)
    if path.exists():
        return _fail(f"{path} exists: refusing to overwrite a server key")
    try:
        keys.write_key_file(path)
    except CentralError as exc:
        return _fail(str(exc))
    print(f"wrote {path} (0600): set CENTRAL_SECRET_KEY_FILE={path.resolve()}")
    return 0


def _terminal_add(args: argparse.Namespace) -> int:
    from central.errors import CentralError
    from kiosk.central_api import TERMINAL_ID_RE, parse_secret

    if not TERMINAL_ID_RE.fullmatch(args.terminal_id):
        return _fail(
            "--id must be 3–32 letters, digits, '-' or '_', starting with a letter or digit"
        )
    try:
        secret = parse_secret(args.secret) if args.secret is not None else None
    except ValueError as exc:
        return _fail(f"--secret: {exc}")
    try:
        store = _store(args)
        secret = store.add_terminal(args.terminal_id, secret, time.time())
        store.close()
    except CentralError as exc:
        return _fail(str(exc))
    print(secret.hex())
    return 0


def _token_add(args: argparse.Namespace) -> int:
    from central.errors import CentralError

    if not args.name.strip():
        return _fail("--name must not be empty")
    try:
        store = _store(args)
        token = store.add_token(args.name.strip(), time.time())
        store.close()
    except CentralError as exc:
        return _fail(str(exc))
    print(token)
    print("(shown once: only its hash is stored)", file=sys.stderr)
    return 0


def _trust_add(args: argparse.Namespace) -> int:
    from cryptography.hazmat.primitives import serialization

    from central.errors import CentralError
    from kiosk.catalogue.signing import load_public_key
    from kiosk.errors import KioskError

    try:
        key = load_public_key(args.public_key)
    except KioskError as exc:
        return _fail(str(exc))
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    try:
        store = _store(args)
        store.add_trusted_key(args.key_id, raw, time.time())
        store.close()
    except CentralError as exc:
        return _fail(str(exc))
    print(f"trusted {args.key_id} ({raw.hex()[:16]}…)")
    return 0


def _publish(args: argparse.Namespace) -> int:
    from central.errors import PublishError
    from central.publish import publish_bundle

    try:
        done = publish_bundle(args.bundle, args.url, args.token)
    except PublishError as exc:
        return _fail(str(exc))
    print(f"published catalogue version {done.version} ({done.items} items, ETag {done.etag})")
    return 0

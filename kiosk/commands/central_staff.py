"""`kiosk central staff`: console accounts (add, list, disable); passwords read from stdin."""

from __future__ import annotations

import argparse
import getpass
import sys
import time


def register(group: argparse._SubParsersAction) -> None:
    """Add `staff add|list|disable` under `kiosk central`."""
    staff = group.add_parser("staff", help="console accounts: add, list, disable").add_subparsers(
        dest="staff_command", metavar="ACTION", required=True
    )
    p = staff.add_parser(
        "add",
        help="create a console account (password from stdin)",
        description="Create a staff account for the web console. The password "
        "is read from stdin (one line; prompted twice on a "
        "terminal) and stored only as an argon2id hash.",
    )
    p.add_argument("name", help="login name (a-z 0-9 _ . -, 2–40)")
    p.add_argument("--role", required=True, choices=("admin", "publisher", "rating", "viewer"))
    p.add_argument("--db", required=True, metavar="PATH|URL", help="service database")
    p.set_defaults(handler=_add, parser=p)
    p = staff.add_parser("list", help="list console accounts")
    p.add_argument("--db", required=True, metavar="PATH|URL")
    p.set_defaults(handler=_list, parser=p)
    p = staff.add_parser("disable", help="disable an account and end its sessions")
    p.add_argument("name")
    p.add_argument("--db", required=True, metavar="PATH|URL")
    p.set_defaults(handler=_disable, parser=p)


def _open(db: str):  # type: ignore[no-untyped-def]
    """The console store on central's database (created or checked by Storage first)."""
    from central.console.store import ConsoleStore
    from central.errors import CentralError
    from central.storage import Storage
    from central.storage.engine import WRITE

    try:
        storage = Storage(db)
    except CentralError as exc:  # not migrated, no server key, unreachable …
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    return ConsoleStore(storage.engine.execution_options(**{WRITE: True}))


def _password() -> str | None:
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            print("error: the two passwords differ", file=sys.stderr)
            return None
        return first
    return sys.stdin.readline().rstrip("\r\n")


def _add(args: argparse.Namespace) -> int:
    from central.console import accounts
    from central.console.errors import AccountError

    password = _password()
    if password is None:
        return 1
    store = _open(args.db)
    try:
        with store.transaction() as db:
            staff = accounts.add_account(db, args.name, args.role, password, time.time())
    except AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    print(f"{staff.name}: {staff.role.value} ({staff.role.label})")
    return 0


def _list(args: argparse.Namespace) -> int:
    from central.console import accounts

    store = _open(args.db)
    with store.transaction() as db:
        rows = accounts.accounts(db)
    store.close()
    for a in rows:
        state = "disabled" if a["disabled"] else "enabled"
        print(f"{a['name']}\t{a['role']}\t{state}\tfailed={a['failed_logins']}")
    return 0


def _disable(args: argparse.Namespace) -> int:
    from central.console import accounts, sessions
    from central.console.errors import AccountError

    store = _open(args.db)
    try:
        with store.transaction() as db:
            accounts.set_disabled(db, args.name, True)
            n = sessions.close_sessions_of(db, args.name)
    except AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    print(f"{args.name}: disabled, {n} session(s) ended")
    return 0

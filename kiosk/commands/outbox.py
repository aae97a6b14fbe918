"""`kiosk outbox`: store-and-forward queue: status, retry, flush."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING

from kiosk.commands import add_config_option, add_group

if TYPE_CHECKING:
    from kiosk.config import TerminalConfig
    from kiosk.outbox import Outbox


def register(sub: argparse._SubParsersAction) -> None:
    """Register the `kiosk outbox` group."""
    group = add_group(sub, "outbox", "store-and-forward queue: status, retry, flush")
    p = group.add_parser(
        "status",
        help="rows by state and kind, oldest pending, last error",
        description="Counts of queued rows by state (pending, delivered, dead) "
        "and kind, the age of the oldest pending row, the last "
        "error, and the dead rows with their reasons.",
    )
    add_config_option(p)
    p.set_defaults(handler=_status, parser=p)

    p = group.add_parser(
        "retry-dead",
        help="make dead rows pending again",
        description="Dead rows are those central refused (4xx). After fixing "
        "the cause, make one (ID) or all of them pending again.",
    )
    add_config_option(p)
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("id", nargs="?", type=int, help="row id (see `kiosk outbox status`)")
    which.add_argument("--all", action="store_true", help="every dead row")
    p.set_defaults(handler=_retry_dead, parser=p)

    p = group.add_parser(
        "flush",
        help="deliver every pending row now and report",
        description="Deliver pending rows now, ignoring their backoff. Refused "
        "while the kiosk runs (its worker delivers by itself). "
        "Exit 0 when the queue is empty afterwards, 1 otherwise.",
    )
    add_config_option(p)
    p.add_argument(
        "--url",
        default=None,
        help='central base URL to use instead of central.url (needed when it is "embedded")',
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=120.0,
        metavar="S",
        help="give up after S seconds (default 120)",
    )
    p.set_defaults(handler=_flush, parser=p)

    p = group.add_parser(
        "repair",
        help="save a damaged queue's readable rows, then rebuild it",
        description="For a queue that doctor reports damaged (vanished, emptied, "
        "replaced, older copy, corrupt). Every readable row is saved "
        "to outbox-quarantine/STAMP/rows.jsonl (still encrypted) and "
        "the damaged files are moved there; the new queue gets the "
        "recovered rows back and continues provisional numbers above "
        "the last one issued. Refused while the kiosk runs.",
    )
    add_config_option(p)
    p.add_argument("--force", action="store_true", help="rebuild even if the queue looks healthy")
    p.set_defaults(handler=_repair, parser=p)


def _fail(message: str, code: int = 2) -> int:
    print(f"kiosk outbox: {message}", file=sys.stderr)
    return code


def _open(args: argparse.Namespace) -> tuple[TerminalConfig, Outbox | None]:
    """Config and outbox (None when no queue file exists yet); raises KioskError."""
    from kiosk import config
    from kiosk.outbox import open_existing

    cfg = config.load(args.config)
    return cfg, open_existing(cfg)


def _age(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    if seconds < 86400:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    return f"{seconds // 86400} d {seconds % 86400 // 3600} h"


def _when(t: float) -> str:
    from kiosk import clock

    return clock.strftime("%Y-%m-%d %H:%M:%S", t)


def _damaged(exc: Exception) -> int:
    from kiosk.outbox import OutboxDamaged

    if isinstance(exc, OutboxDamaged):
        print(f"kiosk outbox: {exc}", file=sys.stderr)
        print(f"fix: {exc.fix}", file=sys.stderr)
        return 3
    return _fail(str(exc))


def _status(args: argparse.Namespace) -> int:
    from kiosk.errors import KioskError

    try:
        return _status_report(args)
    except KioskError as exc:
        return _damaged(exc)


def _status_report(args: argparse.Namespace) -> int:
    from kiosk.outbox import Kind, State

    cfg, box = _open(args)
    path = cfg.resolve(cfg.outbox.path, base="data")
    if box is None:
        print(f"outbox {path}: no queue yet (nothing was ever queued)")
        return 0
    with box:
        st = box.stats()
        dead = box.rows(State.DEAD, limit=20)
    print(f"outbox {path}")
    print(f"  {'state':<10} {'submission':>10} {'rating':>8} {'total':>7}")
    for state in State:
        row = [st.count(state, kind) for kind in Kind]
        print(f"  {state.value:<10} {row[0]:>10} {row[1]:>8} {sum(row):>7}")
    if st.oldest_pending_created is None:
        print("oldest pending: none")
    else:
        print(
            f"oldest pending: {_age(st.oldest_pending_age_s or 0)} "
            f"(queued {_when(st.oldest_pending_created)})"
        )
    if st.last_error:
        print(f"last error: {st.last_error} (at {_when(st.last_error_at or 0)})")
    else:
        print("last error: none")
    if dead:
        print("dead rows (central refused them; fix the cause, then `kiosk outbox retry-dead`):")
        for r in dead:
            ref = f" {r.provisional_no}" if r.provisional_no else ""
            print(
                f"  #{r.id} {r.kind.value}{ref}, queued {_when(r.created)}, "
                f"{r.attempts} attempt(s): {r.last_error}"
            )
    return 0


def _retry_dead(args: argparse.Namespace) -> int:
    from kiosk.errors import KioskError

    try:
        _, box = _open(args)
        if box is None:
            return _fail("no queue yet: there are no dead rows", 1)
        with box:
            n = box.retry_dead(None if args.all else args.id)
    except KioskError as exc:
        return _damaged(exc)
    if n == 0:
        what = "no dead rows" if args.all else f"no dead row with id {args.id}"
        return _fail(what, 1)
    print(
        f"{n} dead row(s) are pending again; the kiosk delivers them at its next pass "
        f"(or run `kiosk outbox flush`)"
    )
    return 0


def _flush(args: argparse.Namespace) -> int:
    from kiosk.errors import KioskError

    try:
        return _flush_queue(args)
    except KioskError as exc:
        return _damaged(exc)


def _flush_queue(args: argparse.Namespace) -> int:
    from kiosk.central_client import CentralClient
    from kiosk.errors import KioskError
    from kiosk.outbox import DeliveryLock
    from kiosk.sync import SyncWorker

    cfg, box = _open(args)
    if box is None:
        print("nothing to deliver: no queue yet")
        return 0
    with box:
        if box.depth() == 0:
            print("nothing to deliver: 0 pending rows")
            return 0
        url = args.url or cfg.central.url
        if url == "embedded":
            return _fail(
                'central.url is "embedded" (the demo sandbox inside the running kiosk); '
                "pass --url http://HOST:PORT of a central service"
            )
        lock = DeliveryLock(box.path)
        if not lock.acquire():
            return _fail(
                "the kiosk is running and delivers this outbox itself; stop it first "
                "to flush by hand",
                1,
            )
        try:
            client = CentralClient.from_config(cfg, base_url=url)
            worker = SyncWorker(box, client)
            t0 = time.monotonic()
            report = worker.flush(timeout_s=args.timeout)
            left = box.depth()
        except KioskError as exc:
            return _fail(str(exc))
        finally:
            lock.release()
    print(
        f"delivered {report.delivered}, dead {report.dead}, still pending {left} "
        f"({time.monotonic() - t0:.1f} s)"
    )
    if report.errors:
        print(f"last error: {report.errors[-1]}")
    return 0 if left == 0 else 1


def _repair(args: argparse.Namespace) -> int:
    from kiosk import config
    from kiosk.crypto import load_key
    from kiosk.errors import KioskError
    from kiosk.outbox import DeliveryLock, OutboxDamaged, open_existing
    from kiosk.outbox.repair import repair

    try:
        cfg = config.load(args.config)
        path = cfg.resolve(cfg.outbox.path, base="data")
        key_file = cfg.resolve(cfg.outbox.key_file, base="data")
        assert path is not None and key_file is not None
        key = load_key(key_file)
        if not args.force:
            try:
                box = open_existing(cfg)
            except OutboxDamaged as exc:
                print(f"damage: {exc.kind}: {exc.detail}")
            else:
                damage = None
                if box is not None:
                    with box:
                        damage = box.check()
                if damage is None:
                    print(f"outbox {path} is healthy: nothing to repair (--force rebuilds anyway)")
                    return 0
                print(f"damage: {damage.kind}: {damage.detail}")
        lock = DeliveryLock(path)
        if not lock.acquire():
            return _fail("the kiosk is running: stop it first (systemctl stop kiosk)", 1)
        try:
            report = repair(path, key, terminal_id=cfg.terminal_id)
        finally:
            lock.release()
    except KioskError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"repair failed: {exc.strerror or exc}; nothing was deleted")
    rec = ", ".join(f"{n} {s}" for s, n in sorted(report.recovered.items())) or "none"
    print(f"damaged files and readable rows saved in {report.quarantine}")
    print(
        f"recovered rows: {rec}; unreadable: {len(report.unreadable_ids)}; "
        f"rows ever queued: {report.issued_rows}"
    )
    if report.lost:
        print(
            f"LOST: up to {report.lost} row(s) could not be recovered; citizens holding these "
            f"receipts must be helped at the service window (delivered rows already purged "
            f"are listed too):"
        )
        shown = report.missing_numbers[:20]
        more = len(report.missing_numbers) - len(shown)
        print("  " + ", ".join(shown) + (f" and {more} more (see REPORT.txt)" if more > 0 else ""))
    for day, seq in sorted(report.next_seq.items())[-1:]:
        print(f"next provisional number: {cfg.terminal_id}-{day}-{seq:04d} (never reissued)")
    return 0

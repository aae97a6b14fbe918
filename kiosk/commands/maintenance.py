"""`kiosk maintenance`: the technician's switch and audit trail from a shell (SSH, laptop)."""

from __future__ import annotations

import argparse
import getpass
from typing import Any

from kiosk.commands import add_config_option, add_group


def register(sub: argparse._SubParsersAction) -> None:
    """Register the `kiosk maintenance` group."""
    group = add_group(
        sub, "maintenance", "out of service / back in service, PIN lockout, audit log"
    )
    p = group.add_parser("status", help="in or out of service, PIN lockout, the last audit events")
    add_config_option(p)
    p.add_argument(
        "--tail", type=int, default=10, metavar="N", help="audit events to show (default 10)"
    )
    p.set_defaults(handler=_status, parser=p)
    p = group.add_parser(
        "pause",
        help="take the terminal out of service (the running kiosk follows within 1 s)",
        description="Citizens see 本机正在维护，暂停服务 once the current session ends; "
        "it stays so across restarts until `kiosk maintenance resume`.",
    )
    add_config_option(p)
    p.set_defaults(handler=_pause, parser=p)
    p = group.add_parser("resume", help="put the terminal back in service")
    add_config_option(p)
    p.set_defaults(handler=_resume, parser=p)
    p = group.add_parser("audit", help="print the audit log (one JSON object a line)")
    add_config_option(p)
    p.add_argument("--tail", type=int, default=50, metavar="N", help="last N events (default 50)")
    p.set_defaults(handler=_audit, parser=p)


def _parts(args: argparse.Namespace) -> tuple[Any, Any, Any]:
    """The config, its maintenance mode (PIN state, audit log) and the out-of-service switch."""
    from kiosk import config
    from kiosk.admin.maintenance import MaintenanceMode
    from kiosk.admin.paused import PausedFlag

    cfg = config.load(args.config)
    return cfg, MaintenanceMode.from_config(cfg), PausedFlag.from_config(cfg)


def _who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _when(epoch: float) -> str:
    from kiosk import clock

    return clock.strftime("%Y-%m-%d %H:%M:%S", epoch)


def _status(args: argparse.Namespace) -> int:
    cfg, mode, flag = _parts(args)
    since = flag.since()
    if flag.is_set():
        print(
            f"terminal {cfg.terminal_id}: OUT OF SERVICE"
            + (f" since {_when(since)}" if since else "")
        )
    else:
        print(f"terminal {cfg.terminal_id}: in service")
    if not cfg.admin_pin_hash:
        print("maintenance PIN: not set (kiosk config set-pin)")
    elif mode.guard.remaining_lockout():
        print(
            f"maintenance PIN: locked for {mode.guard.remaining_lockout():.0f} s "
            f"after {mode.guard.failures} wrong PINs"
        )
    else:
        print(f"maintenance PIN: set, {mode.guard.failures} wrong attempt(s) in a row")
    _print_events(mode.audit.tail(args.tail))
    return 0


def _switch(args: argparse.Namespace, paused: bool) -> int:
    cfg, mode, flag = _parts(args)
    if flag.is_set() == paused:
        print(f"terminal {cfg.terminal_id} is already {'out of' if paused else 'in'} service")
        return 0
    flag.set(paused)
    mode.audit.record(
        "out_of_service" if paused else "in_service", outcome="ok", by=f"cli:{_who()}"
    )
    print(
        f"terminal {cfg.terminal_id}: {'out of' if paused else 'back in'} service "
        "(a running kiosk follows within 1 s; a session in progress finishes first)"
    )
    return 0


def _pause(args: argparse.Namespace) -> int:
    return _switch(args, True)


def _resume(args: argparse.Namespace) -> int:
    return _switch(args, False)


def _audit(args: argparse.Namespace) -> int:
    import json

    _cfg, mode, _flag = _parts(args)
    for event in mode.audit.tail(args.tail):
        print(json.dumps(event, ensure_ascii=False))
    return 0


def _print_events(events: list[dict[str, Any]]) -> None:
    if not events:
        print("audit log: empty")
        return
    print("last audit events:")
    for e in events:
        extra = " ".join(f"{k}={v}" for k, v in e.items() if k not in ("ts", "action"))
        print(f"  {_when(e['ts'])}  {e['action']}" + (f"  {extra}" if extra else ""))

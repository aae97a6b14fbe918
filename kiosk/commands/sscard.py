"""`kiosk sscard`: the 社保卡 reader on PC/SC: status and a test read (technicians only)."""

from __future__ import annotations

import argparse
import json
import sys

from kiosk.commands import add_group

EXIT_DEVICE = 4
EXIT_NO_CARD = 3


def register(sub: argparse._SubParsersAction) -> None:
    """Register the `kiosk sscard` group."""
    group = add_group(sub, "sscard", "社保卡 reader (PC/SC): status and a test read")
    st = group.add_parser(
        "status",
        help="PC/SC service, the configured reader, whether a card is in "
        "(JSON); reads nothing from the card",
    )
    rd = group.add_parser(
        "read",
        help="read the card in the reader once and print its public data "
        "(ID number and name masked unless --full)",
    )
    rd.add_argument(
        "--timeout", type=float, default=10.0, help="seconds to wait for a card (default 10)"
    )
    rd.add_argument(
        "--full",
        action="store_true",
        help="print ID number and name unmasked (the technician's own test card only)",
    )
    for p in (st, rd):
        p.add_argument(
            "--device",
            metavar="URL",
            help="reader URL (default: sscard.url of the config): "
            "pcsc://, pcsc://?reader=NAME, sim://sscard",
        )
        p.add_argument("--config", default=None, help="terminal.toml (default: the demo config)")
    st.set_defaults(handler=_status)
    rd.set_defaults(handler=_read)


def _reader(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from drivers.sscard import SSCardReader

    if args.device:
        return SSCardReader(args.device)
    from kiosk import config as config_mod

    cfg = config_mod.load(args.config)
    return SSCardReader(cfg.sscard.url, poll_interval=cfg.sscard.poll_interval_s)


def status_of(reader) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """{"ok", "reader", "card", "error"} of a reader (used by doctor too)."""
    from drivers.sscard.errors import SSCardError

    out: dict[str, object] = {"url": reader.url, "ok": False, "reader": "", "card": False}
    try:
        name = reader.transport.pick()
        out.update(reader=name, card=reader.transport.present(name), ok=True)
    except SSCardError as exc:
        out["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        reader.transport.close()
    return out


def _status(args: argparse.Namespace) -> int:
    st = status_of(_reader(args))
    print(json.dumps(st, ensure_ascii=False))
    return 0 if st["ok"] else EXIT_DEVICE


def _read(args: argparse.Namespace) -> int:
    from drivers.privacy import mask_id_number, mask_name
    from drivers.sscard.errors import NoReaderError, ServiceError, SSCardError

    reader = _reader(args)
    try:
        card = reader.read_now(args.timeout)
    except (ServiceError, NoReaderError) as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_DEVICE
    except SSCardError as exc:
        print(f"card refused: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_DEVICE
    finally:
        reader.transport.close()
    if card is None:
        print(f"no card within {args.timeout:g} s", file=sys.stderr)
        return EXIT_NO_CARD
    print(
        json.dumps(
            {
                "card_number": card.card_number if args.full else card.card_number[:2] + "*" * 7,
                "id_number": card.id_number if args.full else mask_id_number(card.id_number),
                "name": card.name if args.full else mask_name(card.name),
                "region_code": card.region_code,
                "card_version": card.card_version,
                "generation": card.generation,
                "issued_on": str(card.issued_on or ""),
                "valid_until": str(card.valid_until or ""),
                "atr": card.atr.hex(" ").upper(),
            },
            ensure_ascii=False,
        )
    )
    return 0

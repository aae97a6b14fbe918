"""`kiosk card`: ID card reader: read a card, SAM status."""

from __future__ import annotations

import argparse
import json
import sys

from drivers.idcard.card import IdCard
from drivers.idcard.errors import CardDataError, IdCardError
from drivers.idcard.reader import IdCardReader
from drivers.transport import BAUDRATES
from kiosk.commands import add_group

EXIT_OK = 0
EXIT_NO_CARD = 3
EXIT_DEVICE = 4

_LABELS = (
    ("card_type", "证件类型 card type"),
    ("name", "姓名 name"),
    ("sex", "性别 sex"),
    ("nation", "民族/国籍 nation"),
    ("birth_date", "出生 birth date"),
    ("address", "住址 address"),
    ("id_number", "号码 number"),
    ("authority", "签发机关 authority"),
    ("valid_from", "有效期起 valid from"),
    ("valid_to", "有效期止 valid to"),
    ("photo_bytes", "照片 photo (WLT bytes)"),
    ("check_digit_ok", "校验位 check digit ok"),
)


def register(sub: argparse._SubParsersAction) -> None:
    """Register the `kiosk card` group."""
    group = add_group(sub, "card", "ID card reader: read a card, SAM status")
    read = group.add_parser(
        "read",
        help="wait for a card and print it (masked unless --unmasked)",
        description="Wait for an ID card on the reader and print it. Exit 0: card read; "
        "3: no card within --timeout; 4: device fault (cause on stderr).",
    )
    _device_options(read)
    read.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="S",
        help="seconds to wait for a card (default 10)",
    )
    read.add_argument("--json", action="store_true", help="print the card as one JSON object")
    read.add_argument(
        "--unmasked",
        action="store_true",
        help="show name, number, address and birth date in full (personal data!)",
    )
    read.set_defaults(handler=_read)
    sam = group.add_parser(
        "sam",
        help="print the SAM status and id",
        description="Check the reader's SAM (security module): status and id. "
        "Exit 0 when healthy, 4 on a device fault.",
    )
    _device_options(sam)
    sam.set_defaults(handler=_sam)


def _device_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--device",
        required=True,
        metavar="URL",
        help="device path or URL: /dev/ttyUSB0, socket://host:port, sim://idcard?card=mainland",
    )
    parser.add_argument(
        "--baudrate",
        type=int,
        default=115200,
        choices=BAUDRATES,
        metavar="N",
        help="line speed (default 115200)",
    )


def _fault(args: argparse.Namespace, exc: object) -> int:
    print(f"kiosk card {args.card_command}: device fault: {exc}", file=sys.stderr)
    return EXIT_DEVICE


def _read(args: argparse.Namespace) -> int:
    reader = IdCardReader(args.device, baudrate=args.baudrate)
    try:
        with reader:
            card = reader.wait_for_card(max(0.0, args.timeout))
    except CardDataError as exc:
        return _fault(args, f"card data unreadable: {exc}")
    except IdCardError as exc:
        return _fault(args, exc)
    if card is None:
        print(f"kiosk card read: no card presented within {args.timeout:g} s", file=sys.stderr)
        return EXIT_NO_CARD
    _print_card(card, masked=not args.unmasked, as_json=args.json)
    return EXIT_OK


def _print_card(card: IdCard, *, masked: bool, as_json: bool) -> None:
    data = card.to_json(masked=masked)
    if as_json:
        print(json.dumps(data, ensure_ascii=False))
        return
    labels = dict(_LABELS)
    for key, value in data.items():
        print(f"{labels.get(key, key)}: {'' if value is None else value}")


def _sam(args: argparse.Namespace) -> int:
    reader = IdCardReader(args.device, baudrate=args.baudrate)
    try:
        with reader:
            status = reader.check_sam()
            sam_id = reader.sam_id()
    except IdCardError as exc:
        return _fault(args, exc)
    print(f"SAM status: {status.describe()}")
    print(f"SAM id: {sam_id}")
    return EXIT_OK

"""`kiosk document render ITEM_CODE --demo --out FILE.pdf`: a print item's specimen (样张) offline."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from kiosk.commands import add_config_option, add_group


def register(sub: argparse._SubParsersAction) -> None:
    """Register the `kiosk document` group."""
    group = add_group(sub, "document", "A4 documents of print items: render a specimen")
    render = group.add_parser(
        "render", help="render ITEM_CODE's document with demo data (marked 样张)"
    )
    render.add_argument("item_code", metavar="ITEM_CODE")
    render.add_argument(
        "--demo",
        action="store_true",
        required=True,
        help="demo holder and synthetic data (a real certificate needs central's "
        "核验码: it is printed at the terminal)",
    )
    render.add_argument("--out", required=True, metavar="FILE.pdf", help="where to write the PDF")
    render.add_argument(
        "--months",
        type=int,
        default=None,
        metavar="N",
        help="records over the last N months (default: 12)",
    )
    add_config_option(render)
    render.set_defaults(handler=_render)


def _render(args: argparse.Namespace) -> int:
    from kiosk import config as config_mod
    from kiosk import services
    from kiosk.documents.demo import specimen
    from kiosk.documents.errors import DocumentError
    from kiosk.documents.render import render_document
    from kiosk.errors import KioskError

    try:
        cfg = config_mod.load(args.config)
        catalogue = services.load_catalogue(cfg)
    except KioskError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    item = catalogue.get(args.item_code) if catalogue is not None else None
    if item is None or item.document is None:
        codes = ", ".join(i.code for i in catalogue.items if i.document) if catalogue else ""
        print(
            f"error: {args.item_code} is not a print item with a document (print items: {codes})",
            file=sys.stderr,
        )
        return 2
    started = time.perf_counter()
    try:
        pdf, pages = render_document(
            specimen(item, months=args.months, terminal_id=cfg.terminal_id, hall_name=cfg.hall_name)
        )
    except DocumentError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    out = Path(args.out)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pdf)
    print(
        f"{out}: {item.document.title}, {pages} page(s), {len(pdf)} bytes, "
        f"{(time.perf_counter() - started) * 1000:.0f} ms (specimen 样张: not a certificate)"
    )
    return 0

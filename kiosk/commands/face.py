"""`kiosk face check IMAGE...`: the quality gate's verdict per image, as JSON lines."""

from __future__ import annotations

import argparse
import json
import sys

from kiosk.commands import add_group

EXIT_SOME_FAILED = 1
EXIT_UNREADABLE = 2


def register(sub: argparse._SubParsersAction) -> None:
    """Register the `kiosk face` group."""
    group = add_group(sub, "face", "人证比对 tools: the quality gate on image files")
    check = group.add_parser(
        "check",
        help="print the quality gate's verdict for each image as one JSON "
        "line (exit 1 when any image fails the gate)",
    )
    check.add_argument("images", nargs="+", metavar="IMAGE", help="PNG/JPEG files")
    check.set_defaults(handler=_check)


def _check(args: argparse.Namespace) -> int:
    from drivers.sim.faces import load_file
    from kiosk.identity import quality

    rc = 0
    for path in args.images:
        try:
            img = load_file(path)
        except (OSError, ValueError) as exc:
            print(
                json.dumps({"image": path, "error": f"not a readable image: {type(exc).__name__}"})
            )
            rc = max(rc, EXIT_UNREADABLE)
            continue
        obs, verdict = quality.check(img)
        print(json.dumps({"image": path, **verdict.as_dict(obs)}, ensure_ascii=False))
        if not verdict.ok:
            rc = max(rc, EXIT_SOME_FAILED)
        sys.stdout.flush()
    return rc

"""`kiosk camera`: the 人证比对 camera: status, snapshot (technicians only)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kiosk.commands import add_group

EXIT_DEVICE = 4


def register(sub: argparse._SubParsersAction) -> None:
    """Register the `kiosk camera` group."""
    group = add_group(sub, "camera", "camera of 人证比对: status and a test snapshot")
    st = group.add_parser(
        "status",
        help="open the camera, grab one frame, print what it saw as JSON "
        "(size, brightness, faces, quality verdict); nothing is saved",
    )
    st.add_argument(
        "--device",
        metavar="URL",
        help="camera URL (default: camera.url of the config): "
        "/dev/videoN, usb://VID:PID, sim://camera?source=…",
    )
    st.add_argument("--config", default=None, help="terminal.toml (default: the demo config)")
    st.set_defaults(handler=_status)
    snap = group.add_parser(
        "snapshot",
        help="grab one frame and write it as PNG, to check framing and light. "
        "For the TECHNICIAN'S OWN FACE only: never point it at a citizen "
        "(the kiosk itself never writes a face image to disk)",
    )
    snap.add_argument(
        "--preview", required=True, metavar="FILE", help="PNG file to write (mode 0600)"
    )
    snap.add_argument(
        "--device", metavar="URL", help="camera URL (default: camera.url of the config)"
    )
    snap.add_argument("--config", default=None, help="terminal.toml (default: the demo config)")
    snap.set_defaults(handler=_snapshot)


def _camera(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from drivers.camera import Camera
    from kiosk import config as config_mod

    if args.device:
        return Camera(args.device)
    cfg = config_mod.load(args.config)
    c = cfg.camera
    return Camera(c.url, width=c.width, height=c.height, fps=c.fps)


def _grab(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from drivers.camera import CameraError

    cam = _camera(args)
    try:
        info = cam.open()
        return info, cam.read()
    except CameraError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None, None
    finally:
        cam.close()


def _status(args: argparse.Namespace) -> int:
    from kiosk.identity import quality

    info, frame = _grab(args)
    if frame is None:
        return EXIT_DEVICE
    obs, verdict = quality.check(frame)
    h, w = frame.shape[:2]
    print(
        json.dumps(
            {
                "url": info.url,
                "device": info.device,
                "backend": info.backend,
                "width": w,
                "height": h,
                "brightness": round(float(frame.mean()), 1),
                "verdict": verdict.as_dict(obs),
            },
            ensure_ascii=False,
        )
    )
    return 0


def _snapshot(args: argparse.Namespace) -> int:
    import os

    from PIL import Image

    _info, frame = _grab(args)
    if frame is None:
        return EXIT_DEVICE
    out = Path(args.preview)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        Image.fromarray(frame).save(fh, format="PNG")
    print(f"wrote {out} ({frame.shape[1]}×{frame.shape[0]}); delete it when done")
    return 0

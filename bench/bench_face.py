"""人证比对: frames/s of the capture + quality loop at 640×480 (goal ≥ 10 fps, so the guidance
feels live), against a bare dlib detector in its own process on the same picture; and the
time from a passed challenge to central's answer (JPEG crop, signed POST, the sandbox's real
embedding comparison), against the embedding alone."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FRAMES = 60
CALLS = 10
BARE = r"""
import time, cv2, dlib
from skimage import data
img = cv2.resize(data.astronaut(), (640, 480))
det = dlib.get_frontal_face_detector()
det(img, 0)
n = %d
t0 = time.perf_counter()
for _ in range(n):
    det(img, 0)
print(n / (time.perf_counter() - t0))
"""


def _loop_fps() -> dict[str, float]:
    from drivers.camera import Camera
    from kiosk.identity import models, quality

    models.get()
    cam = Camera("sim://camera?source=astronaut&fps=0")
    cam.open()
    quality.check(cam.read())
    t0 = time.perf_counter()
    ok = 0
    for _ in range(FRAMES):
        ok += quality.check(cam.read())[1].ok
    dt = time.perf_counter() - t0
    cam.close()
    return {"fps": round(FRAMES / dt, 1), "ok_frames": ok}


def _bare_fps() -> float:
    out = subprocess.run(
        [sys.executable, "-c", BARE % FRAMES],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return float(out.stdout.strip())


def _verify_times() -> dict[str, float]:
    from central.server import run_in_thread
    from drivers.sim import face_actor, faces
    from kiosk.central_client import CentralClient
    from kiosk.identity import models, quality
    from kiosk.identity.flow import encode_crop

    secret = bytes.fromhex("5a" * 32)
    tmp = Path(tempfile.mkdtemp(prefix="bench-face-"))
    handle = run_in_thread(tmp / "c.sqlite3", "127.0.0.1", 0)
    try:
        handle.app.state.service.store.add_terminal("BENCH-01", secret, time.time())
        client = CentralClient(handle.url, "BENCH-01", secret)
        frame = face_actor.frame(faces.load("astronaut"))
        obs = quality.analyse(frame)
        assert obs.box is not None

        def once() -> float:
            t0 = time.perf_counter()
            payload = {
                "id_number": "610902199101010010",
                "name": "王小明",
                "image_jpeg_b64": encode_crop(frame, obs.box),
                "liveness": {"challenge": "blink", "passed": True, "frames": 20},
            }
            verdict = client.verify_face(payload)
            assert verdict.match
            return time.perf_counter() - t0

        once()  # the sandbox computes its reference descriptor on first use
        times = sorted(once() for _ in range(CALLS))
        import base64

        import cv2
        import numpy as np

        jpeg = base64.b64decode(encode_crop(frame, obs.box))
        crop = cv2.cvtColor(
            cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB
        )
        t0 = time.perf_counter()
        for _ in range(CALLS):
            models.embedding(crop)  # what the sandbox computes per request
        embed = (time.perf_counter() - t0) / CALLS
        client.close()
    finally:
        handle.stop()
    return {
        "answer_p50_ms": round(statistics.median(times) * 1000, 1),
        "answer_max_ms": round(times[-1] * 1000, 1),
        "embedding_alone_ms": round(embed * 1000, 1),
    }


def run() -> dict:
    """fps of the quality loop vs a bare detector; challenge passed → central answer."""
    bare = _bare_fps()
    loop = _loop_fps()
    verify = _verify_times()
    return {
        "loop_fps_640x480": loop["fps"],
        "goal_fps": 10,
        "bare_detector_fps": round(bare, 1),
        "loop_vs_bare": round(loop["fps"] / bare, 2),
        "gate_ok_frames": loop["ok_frames"],
        "frames": FRAMES,
        **verify,
        "answer_vs_embedding": round(verify["answer_p50_ms"] / verify["embedding_alone_ms"], 2),
    }

"""A simulated person in front of the camera, made from one real photograph.

The liveness challenge needs a blink and head turns, but the packages ship only still
photographs. The actor makes them from the still's own pixels, guided by dlib's 68 landmarks:
- **framing**: the photo cropped 4:3 around the face (the person stands nearer or farther)
  and scaled to the camera's frame size; `light` scales the brightness;
- **eyes closed**: each eye (landmarks 36–41, 42–47) is inpainted from the surrounding skin
  (OpenCV Telea) and a dark lash line is drawn from corner to corner where the lids meet;
- **head turn**: a piecewise-affine warp (Delaunay triangles over the landmarks and the frame
  border) moves every landmark as a point on a vertical cylinder of the face's width would move
  when rotated by the angle, with the nose standing out of the cylinder, so the nose shifts
  towards the turn more than the eyes and the far cheek narrows, as in a real turn.
Nothing here is a flag: the terminal's detector and landmark model must see the change.
"Left" is the person's own left, which is the image's right in the (unmirrored) camera frame.
"""

from __future__ import annotations

import functools
import math
import threading
from typing import Any

_lock = threading.Lock()


@functools.lru_cache(maxsize=1)
def _models() -> tuple[Any, Any]:
    import dlib
    import face_recognition_models as frm

    return dlib.get_frontal_face_detector(), dlib.shape_predictor(
        frm.pose_predictor_model_location()
    )


def landmarks(img: Any, upsample: int = 1) -> Any:
    """68×2 landmark array of the largest face in `img`, or None."""
    import numpy as np

    with _lock:
        det, sp = _models()
        faces = det(img, upsample)
        if not faces:
            return None
        box = max(faces, key=lambda r: r.area())
        shape = sp(img, box)
    return np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)


def frame(
    still: Any,
    width: int = 640,
    height: int = 480,
    face_frac: float = 0.3,
    light: float = 1.0,
    offset: float = 0.0,
) -> Any:
    """The still as a camera would see it: face `face_frac` of the frame width, `offset` of the
    frame width off-centre, brightness × `light`."""
    import cv2
    import numpy as np

    pts = landmarks(still)
    if pts is None:  # no face: just fit the picture to the frame
        crop = still
    else:
        x0, y0 = pts.min(axis=0)
        x1, y1 = pts.max(axis=0)
        fw = max(x1 - x0, 1.0)
        cw = fw / face_frac
        ch = cw * height / width
        cx = (x0 + x1) / 2 - offset * cw
        cy = (y0 + y1) / 2 - 0.08 * ch
        pad = int(max(cw, ch))
        big = cv2.copyMakeBorder(
            np.ascontiguousarray(still), pad, pad, pad, pad, cv2.BORDER_REPLICATE
        )
        xa, ya = int(round(cx - cw / 2)) + pad, int(round(cy - ch / 2)) + pad
        crop = big[ya : ya + int(round(ch)), xa : xa + int(round(cw))]
    out = cv2.resize(
        crop,
        (width, height),
        interpolation=cv2.INTER_AREA if crop.shape[1] > width else cv2.INTER_CUBIC,
    )
    if light != 1.0:
        out = np.clip(out.astype(np.float32) * light, 0, 255).astype(np.uint8)
    return out


def closed_eyes(img: Any, pts: Any | None = None, amount: float = 1.0) -> Any:
    """`img` with both eyes shut (amount 1) or half shut (0.5): see the module docstring."""
    import cv2
    import numpy as np

    pts = landmarks(img) if pts is None else pts
    if pts is None:
        return img.copy()
    out = np.ascontiguousarray(img).copy()
    for lo in (36, 42):
        eye = pts[lo : lo + 6]
        w = np.linalg.norm(eye[3] - eye[0])
        centre = eye.mean(axis=0)
        if amount < 1.0:  # cover only the upper part of the eye (a drooping lid)
            keep = eye.copy()
            keep[1:3, 1] = keep[1:3, 1] + (centre[1] - keep[1:3, 1]) * amount * 1.6
            poly = np.vstack([eye[0], eye[1], eye[2], eye[3], keep[2], keep[1]])
        else:
            poly = eye
        drawn = np.zeros(out.shape[:2], np.uint8)
        cv2.fillConvexPoly(drawn, np.round(poly).astype(np.int32), 255)
        mask = cv2.dilate(drawn, np.ones((3, 3), np.uint8), iterations=max(1, int(w / 12)))
        out = cv2.inpaint(out, mask, max(3, int(w / 4)), cv2.INPAINT_TELEA)
        if amount >= 1.0:
            lash = np.array(
                [
                    eye[0],
                    (eye[1] + eye[5]) / 2 + (0, w * 0.05),
                    (eye[2] + eye[4]) / 2 + (0, w * 0.05),
                    eye[3],
                ]
            )
            cv2.polylines(
                out,
                [np.round(lash).astype(np.int32)],
                False,
                (40, 28, 24),
                max(1, int(round(w / 14))),
                cv2.LINE_AA,
            )
    return out


# Extra depth (as a fraction of the face half-width) of each landmark in front of the cylinder.
def _depth(i: int) -> float:
    if 27 <= i <= 35:  # nose bridge to tip, nostrils
        return (0.12, 0.22, 0.32, 0.42, 0.18, 0.22, 0.25, 0.22, 0.18)[i - 27]
    if 48 <= i <= 67:  # lips
        return 0.12
    if 17 <= i <= 26:  # brows
        return 0.05
    return 0.0


def turned(img: Any, direction: str, degrees: float = 25.0, pts: Any | None = None) -> Any:
    """`img` with the head turned to the person's `direction` ("left"/"right") by `degrees`."""
    import cv2
    import numpy as np
    from scipy.spatial import Delaunay

    pts = landmarks(img) if pts is None else pts
    if pts is None:
        return img.copy()
    h, w = img.shape[:2]
    cx = (pts[0, 0] + pts[16, 0]) / 2
    r = max((pts[16, 0] - pts[0, 0]) / 2, 1.0)
    theta = math.radians(degrees) * (1 if direction == "left" else -1)  # left → image right
    dst = pts.copy()
    for i, (x, _y) in enumerate(pts):
        e = _depth(i)
        u = max(-1.0, min(1.0, (x - cx) / (r * (1 + e))))
        phi = math.asin(u)
        dst[i, 0] = cx + r * (1 + e) * math.sin(phi + theta)
    border = np.array(
        [
            (0, 0),
            (w - 1, 0),
            (0, h - 1),
            (w - 1, h - 1),
            (w / 2, 0),
            (w / 2, h - 1),
            (0, h / 2),
            (w - 1, h / 2),
        ],
        dtype=np.float64,
    )
    # a ring around the face keeps the background still while the face turns
    ring = np.array(
        [
            (cx + 1.6 * r * math.cos(a), pts[:, 1].mean() + 1.9 * r * math.sin(a))
            for a in np.linspace(0, 2 * math.pi, 12, endpoint=False)
        ]
    )
    ring = np.clip(ring, 0, (w - 1, h - 1))
    src_all = np.vstack([pts, ring, border])
    dst_all = np.vstack([dst, ring, border])
    tri = Delaunay(src_all)
    out = np.ascontiguousarray(img).copy()
    for simplex in tri.simplices:
        s = src_all[simplex].astype(np.float32)
        d = dst_all[simplex].astype(np.float32)
        x, y, bw, bh = cv2.boundingRect(np.round(d).astype(np.int32))
        if bw <= 0 or bh <= 0:
            continue
        m = cv2.getAffineTransform(s, d - np.array([x, y], dtype=np.float32))
        patch = cv2.warpAffine(
            np.ascontiguousarray(img),
            m,
            (bw, bh),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REFLECT_101,
        )
        mask = np.zeros((bh, bw), np.uint8)
        cv2.fillConvexPoly(mask, np.round(d - [x, y]).astype(np.int32), 1)
        x1, y1 = min(x + bw, w), min(y + bh, h)
        xa, ya = max(x, 0), max(y, 0)
        if x1 <= xa or y1 <= ya:
            continue
        sub = mask[ya - y : y1 - y, xa - x : x1 - x].astype(bool)
        out[ya:y1, xa:x1][sub] = patch[ya - y : y1 - y, xa - x : x1 - x][sub]
    return out


def sequence(still_frame: Any, action: str, steps: int = 4) -> list[Any]:
    """Frames of one action from an already framed still: blink (open, half, shut, half,
    open) or a turn (0 → `steps` growing angles → back)."""
    pts = landmarks(still_frame)
    if action == "blink":
        half = closed_eyes(still_frame, pts, 0.5)
        shut = closed_eyes(still_frame, pts, 1.0)
        return [still_frame, half, shut, shut, half, still_frame]
    if action in ("left", "right"):
        angles = [30.0 * (k + 1) / steps for k in range(steps)]
        frames = [turned(still_frame, action, a, pts) for a in angles]
        return [still_frame, *frames, frames[-1], *reversed(frames[:-1]), still_frame]
    raise ValueError(f"unknown action {action!r} (blink, left, right)")

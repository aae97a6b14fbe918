"""The quality gate: is this frame good enough to compare faces, and if not, what to say.

One face, centred, large enough, lit, sharp, frontal, eyes open. `analyse(frame)` measures,
`Verdict.problem` names the first thing to fix (in the order a citizen can fix them) and
`guidance_key` is the i18n key of what the screen says ("请靠近一点", "光线太暗" …).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from kiosk.identity import models

log = logging.getLogger(__name__)

MIN_FACE_FRAC = 0.22
"""Face width / frame width below this: "请靠近一点"."""
MAX_FACE_FRAC = 0.65
MAX_OFF_CENTRE = 0.16
"""Face centre off the frame centre by more than this fraction of the frame width or height."""
MIN_LUMA, MAX_LUMA = 70.0, 215.0
"""Mean brightness (0–255) of the face box."""
MIN_SHARPNESS = 12.0
"""Variance of the Laplacian of the face, scaled to 160 px wide (a motion-blurred face is below)."""
MIN_EAR = 0.17
"""Eye aspect ratio below this: eyes closed (open eyes measure 0.25–0.35)."""
MAX_YAW = 0.18
"""|nose offset / eye distance| above this: not facing the camera."""

PROBLEMS = (
    "no_face",
    "many_faces",
    "too_far",
    "too_close",
    "off_centre",
    "too_dark",
    "too_bright",
    "blurry",
    "not_frontal",
    "eyes_closed",
)


def eye_aspect_ratio(pts: Any) -> float:
    """Mean EAR of both eyes (Soukupová & Čech 2016) from 68 landmarks."""
    import numpy as np

    def ear(e: Any) -> float:
        return float(
            (np.linalg.norm(e[1] - e[5]) + np.linalg.norm(e[2] - e[4]))
            / (2 * max(float(np.linalg.norm(e[0] - e[3])), 1e-6))
        )

    return (ear(pts[36:42]) + ear(pts[42:48])) / 2


def yaw_ratio(pts: Any) -> float:
    """Horizontal nose offset from the eyes' midpoint / eye distance (image coordinates:
    positive when the nose is right of centre in the raw frame, i.e. the person turned to
    their own left)."""
    import numpy as np

    mid = (pts[36] + pts[45]) / 2
    dist = max(float(np.linalg.norm(pts[45] - pts[36])), 1e-6)
    return float((pts[30][0] - mid[0]) / dist)


@dataclass(frozen=True)
class Observation:
    """What one frame shows (no pixels)."""

    width: int
    height: int
    faces: int
    box: tuple[int, int, int, int] | None = None
    luma: float = 0.0
    sharpness: float = 0.0
    ear: float = 0.0
    yaw: float = 0.0
    landmarks: Any = field(default=None, repr=False, compare=False)

    @property
    def face_frac(self) -> float:
        """Face width as a fraction of the frame width."""
        return (self.box[2] - self.box[0]) / self.width if self.box else 0.0


@dataclass(frozen=True)
class Verdict:
    """The gate's answer for one frame."""

    ok: bool
    problem: str = ""
    score: float = 0.0
    """Higher is a better frame to send (sharp, frontal, well lit)."""

    @property
    def guidance_key(self) -> str:
        """i18n key of the live guidance line."""
        return f"face.guide.{self.problem or 'ok'}"

    def as_dict(self, obs: Observation) -> dict[str, Any]:
        """JSON form for `kiosk face check`."""
        return {
            "ok": self.ok,
            "problem": self.problem or None,
            "faces": obs.faces,
            "face_frac": round(obs.face_frac, 3),
            "luma": round(obs.luma, 1),
            "sharpness": round(obs.sharpness, 1),
            "ear": round(obs.ear, 3),
            "yaw": round(obs.yaw, 3),
            "score": round(self.score, 3),
        }


def analyse(frame: Any) -> Observation:
    """Measure one RGB frame: faces, the largest face's box, light, sharpness, eyes, yaw."""
    import cv2
    import numpy as np

    h, w = frame.shape[:2]
    boxes = models.detect(frame, 0)
    if not boxes:
        return Observation(w, h, 0)
    box = max(boxes, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))
    x0, y0 = max(box[0], 0), max(box[1], 0)
    x1, y1 = min(box[2], w), min(box[3], h)
    face = frame[y0:y1, x0:x1]
    if face.size == 0:
        return Observation(w, h, len(boxes), box)
    gray = cv2.cvtColor(np.ascontiguousarray(face), cv2.COLOR_RGB2GRAY)
    luma = float(gray.mean())
    small = cv2.resize(gray, (160, max(1, int(160 * gray.shape[0] / gray.shape[1]))))
    sharp = float(cv2.Laplacian(small, cv2.CV_64F).var())
    pts = models.landmarks(frame, box)
    return Observation(
        w, h, len(boxes), box, luma, sharp, eye_aspect_ratio(pts), yaw_ratio(pts), pts
    )


def judge(obs: Observation) -> Verdict:
    """The first problem of `obs` a citizen should fix, or ok with a frame score."""
    if obs.faces == 0 or obs.box is None:
        return Verdict(False, "no_face")
    if obs.faces > 1:
        return Verdict(False, "many_faces")
    frac = obs.face_frac
    if frac < MIN_FACE_FRAC:
        return Verdict(False, "too_far")
    if frac > MAX_FACE_FRAC:
        return Verdict(False, "too_close")
    cx = (obs.box[0] + obs.box[2]) / 2 / obs.width - 0.5
    cy = (obs.box[1] + obs.box[3]) / 2 / obs.height - 0.5
    if abs(cx) > MAX_OFF_CENTRE or abs(cy) > MAX_OFF_CENTRE * 1.4:
        return Verdict(False, "off_centre")
    if obs.luma < MIN_LUMA:
        return Verdict(False, "too_dark")
    if obs.luma > MAX_LUMA:
        return Verdict(False, "too_bright")
    if obs.sharpness < MIN_SHARPNESS:
        return Verdict(False, "blurry")
    if abs(obs.yaw) > MAX_YAW:
        return Verdict(False, "not_frontal")
    if obs.ear < MIN_EAR:
        return Verdict(False, "eyes_closed")
    score = (
        min(obs.sharpness, 200) / 200
        + (1 - abs(obs.yaw) / MAX_YAW)
        + (1 - abs(obs.luma - 140) / 140)
        + min(frac, 0.45)
    )
    return Verdict(True, "", score)


def check(frame: Any) -> tuple[Observation, Verdict]:
    """analyse + judge."""
    obs = analyse(frame)
    return obs, judge(obs)

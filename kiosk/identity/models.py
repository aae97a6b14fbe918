"""The shipped face models, loaded once per process (about 2 s), shared by every thread.

- detection: dlib's HOG frontal face detector (built into dlib);
- landmarks: the 68-point shape predictor of `face_recognition_models` (iBUG 300-W);
- embedding: dlib's ResNet face descriptor (128-D; same person below ≈ 0.6 Euclidean).
dlib objects are not safe to call from two threads at once, hence the lock.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from kiosk.identity.errors import ModelUnavailable

_lock = threading.RLock()
_models: Models | None = None


@dataclass(frozen=True)
class Models:
    """The three dlib models."""

    detector: Any
    predictor: Any
    encoder: Any


def get() -> Models:
    """The loaded models (loaded on first call)."""
    global _models
    with _lock:
        if _models is None:
            try:
                import dlib
                import face_recognition_models as frm
            except ImportError as exc:  # pragma: no cover - the `face` extra is always installed
                raise ModelUnavailable(f"face models not installed: {exc}") from None
            _models = Models(
                dlib.get_frontal_face_detector(),
                dlib.shape_predictor(frm.pose_predictor_model_location()),
                dlib.face_recognition_model_v1(frm.face_recognition_model_location()),
            )
        return _models


def detect(rgb: Any, upsample: int = 0) -> list[tuple[int, int, int, int]]:
    """Face boxes (left, top, right, bottom) in `rgb`."""
    m = get()
    with _lock:
        rects = m.detector(rgb, upsample)
    return [(r.left(), r.top(), r.right(), r.bottom()) for r in rects]


def landmarks(rgb: Any, box: tuple[int, int, int, int]) -> Any:
    """68×2 float array of landmarks of the face in `box`."""
    import dlib
    import numpy as np

    m = get()
    with _lock:
        shape = m.predictor(rgb, dlib.rectangle(*box))
    return np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)


def embedding(rgb: Any, box: tuple[int, int, int, int] | None = None) -> Any:
    """128-D descriptor of the face in `box` (the largest face when None), or None."""
    import dlib
    import numpy as np

    m = get()
    with _lock:
        if box is None:
            rects = m.detector(rgb, 1)
            if not rects:
                return None
            rect = max(rects, key=lambda r: r.area())
        else:
            rect = dlib.rectangle(*box)
        shape = m.predictor(rgb, rect)
        return np.array(m.encoder.compute_face_descriptor(rgb, shape, 1))

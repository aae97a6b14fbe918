"""Sandbox stand-in for the authority's 人证核验 service: a real face-embedding comparison.

Each demo identity (the ID-card simulator's demo cards) has a reference photo, a real
photograph that an installed package ships (see drivers.sim.faces); the live frame's dlib
ResNet descriptor is compared with the reference's. Nothing is stored: the frame is decoded in
memory, compared and dropped.
"""

from __future__ import annotations

import base64
import logging
import threading
from typing import Any

from central.errors import ApiError
from kiosk import central_api as api

log = logging.getLogger(__name__)

# ID number of a demo card → name of its reference photo in drivers.sim.faces.
REFERENCES = {
    "610902199101010010": "astronaut",  # demo mainland card (王小明)
    "810000199005050026": "grace_hopper",  # demo HK/Macau/Taiwan residence permit (陈大文)
}


def score_of(distance: float) -> float:
    """Similarity 0–1 from a descriptor distance (1 − d / 1.2, clipped)."""
    return round(max(0.0, min(1.0, 1.0 - distance / 1.2)), 4)


class FaceSandbox:
    """Reference descriptors per demo identity (computed once, on first use)."""

    def __init__(self, references: dict[str, str] | None = None) -> None:
        self.references = dict(REFERENCES if references is None else references)
        self._descriptors: dict[str, Any] = {}
        self._lock = threading.Lock()

    def reference(self, id_number: str) -> Any:
        """The reference descriptor of an identity, or None when it has no photo."""
        name = self.references.get(id_number)
        if name is None:
            return None
        with self._lock:
            if id_number not in self._descriptors:
                from drivers.sim import faces
                from kiosk.identity import models

                self._descriptors[id_number] = models.embedding(faces.load(name))
            return self._descriptors[id_number]

    def verify(self, req: api.FaceVerification) -> tuple[bool, float]:
        """(match, score) of the request's image against the identity's reference photo."""
        import cv2
        import numpy as np

        if not req.liveness.passed:
            raise ApiError(422, "liveness_required", "the liveness challenge was not passed")
        ref = self.reference(req.id_number)
        if ref is None:
            raise ApiError(
                404, "no_reference", "no reference photo is registered for this identity"
            )
        raw = base64.b64decode(req.image_jpeg_b64)
        img = cv2.imdecode(np.frombuffer(raw, np.uint8), cv2.IMREAD_COLOR)
        del raw
        if img is None:
            raise ApiError(422, "bad_image", "image_jpeg_b64 is not a decodable JPEG")
        from kiosk.identity import models

        live = models.embedding(cv2.cvtColor(img, cv2.COLOR_BGR2RGB))
        del img
        if live is None:
            raise ApiError(422, "no_face", "no face found in the image")
        distance = float(np.linalg.norm(live - ref))
        return distance <= api.FACE_MATCH_THRESHOLD, score_of(distance)

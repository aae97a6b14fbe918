"""Real photographs that installed packages ship, by name, as RGB arrays (never copied to disk).

- ``astronaut``: Eileen Collins, NASA portrait (public domain), bundled with scikit-image
  (``skimage.data.astronaut``).
- ``grace_hopper``: Grace Hopper, U.S. Navy portrait (public domain), bundled with matplotlib
  (``mpl-data/sample_data/grace_hopper.jpg``).
- ``coffee``, ``chelsea`` (a cup, a cat): scikit-image images without a human face.
- ``pair``: astronaut and grace_hopper side by side (two faces in one frame).
"""

from __future__ import annotations

import functools
from typing import Any

NAMES = ("astronaut", "grace_hopper", "coffee", "chelsea", "pair")
PEOPLE = ("astronaut", "grace_hopper")


@functools.lru_cache(maxsize=8)
def _load(name: str) -> Any:
    import numpy as np

    if name in ("astronaut", "coffee", "chelsea"):
        from skimage import data

        return np.ascontiguousarray(getattr(data, name)()[..., :3])
    if name == "grace_hopper":
        from matplotlib import cbook
        from PIL import Image

        with Image.open(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)) as im:
            return np.asarray(im.convert("RGB")).copy()
    if name == "pair":
        import cv2

        a, g = _load("astronaut"), _load("grace_hopper")
        g = cv2.resize(g, (g.shape[1] * a.shape[0] // g.shape[0], a.shape[0]))
        return np.ascontiguousarray(np.hstack([a, g]))
    raise KeyError(name)


def load(name: str) -> Any:
    """A named photo (see the module docstring) as a read-only RGB uint8 array."""
    if name not in NAMES:
        raise KeyError(f"unknown face image {name!r}; known: {', '.join(NAMES)}")
    img = _load(name)
    img.setflags(write=False)
    return img


def load_file(path: str) -> Any:
    """An image file (PNG/JPEG/…) as an RGB uint8 array."""
    import numpy as np
    from PIL import Image

    with Image.open(path) as im:
        return np.asarray(im.convert("RGB")).copy()

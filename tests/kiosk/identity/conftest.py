"""Real photographs from installed packages, framed as a 640×480 camera would see them; the
face models load once per test session."""

from __future__ import annotations

from typing import Any

import pytest

from drivers.sim import face_actor, faces
from kiosk.identity import models


@pytest.fixture(scope="session")
def face_models() -> Any:
    return models.get()


@pytest.fixture(scope="session")
def astronaut_frame(face_models: Any) -> Any:
    return face_actor.frame(faces.load("astronaut"))


@pytest.fixture(scope="session")
def hopper_frame(face_models: Any) -> Any:
    return face_actor.frame(faces.load("grace_hopper"))


@pytest.fixture(scope="session")
def sequences(astronaut_frame: Any) -> dict[str, list[Any]]:
    """Blink and head turns built by drivers.sim.face_actor from the astronaut's real photo:
    eyes inpainted from the surrounding skin with a lash line (blink), a landmark-driven
    piecewise-affine warp (turns). See face_actor's docstring."""
    return {a: face_actor.sequence(astronaut_frame, a) for a in ("blink", "left", "right")}

"""人证比对 end to end: the face step over the simulated camera, the real central sandbox on
127.0.0.1 (signed requests), real dlib embeddings on real photographs.

The demo mainland card's reference photo is scikit-image's astronaut; the live frames are the
same person reframed by the camera simulator (other crop, scale, JPEG), so a match is a real
descriptor distance below 0.6, and Grace Hopper in front of the camera is a real non-match.
"""

from __future__ import annotations

import base64
import json
import random
from typing import Any

import pytest

from central.sandbox.face import REFERENCES
from drivers.camera import Camera
from kiosk import central_api as api
from kiosk.central_client import CentralClient
from kiosk.central_errors import Rejected
from kiosk.identity import flow as flow_mod
from kiosk.identity import quality
from kiosk.identity.flow import FaceFlow, Phase, encode_crop
from kiosk.session.ports import run_inline
from tests.kiosk._central import SECRET, TERMINAL_ID, Sandbox

CARD = "610902199101010010"  # demo mainland card → astronaut


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Any:
    sb = Sandbox(tmp_path_factory.mktemp("central") / "c.sqlite3")
    yield sb
    sb.stop()


@pytest.fixture(scope="module")
def client(sandbox: Any) -> Any:
    c = CentralClient(sandbox.url, TERMINAL_ID, SECRET)
    yield c
    c.close()


def _payload(
    frame: Any, challenge: str = "blink", passed: bool = True, id_number: str = CARD
) -> dict[str, Any]:
    obs = quality.analyse(frame)
    assert obs.box is not None
    return {
        "id_number": id_number,
        "name": "王小明",
        "image_jpeg_b64": encode_crop(frame, obs.box),
        "liveness": {"challenge": challenge, "passed": passed, "frames": 12},
    }


def test_same_person_matches_another_does_not(
    client: Any, astronaut_frame: Any, hopper_frame: Any
) -> None:
    same = client.verify_face(_payload(astronaut_frame))
    other = client.verify_face(_payload(hopper_frame))
    assert same.match and not other.match
    assert same.score > 0.6 > other.score  # 1 - d/1.2: d ≈ 0.2 vs d ≈ 0.7
    assert same.verify_id.startswith("FV-") and same.verify_id != other.verify_id
    # the card of the second demo identity (Grace Hopper's photo) matches her, not the astronaut
    hk = REFERENCES and "810000199005050026"
    assert client.verify_face(_payload(hopper_frame, id_number=hk)).match
    assert not client.verify_face(_payload(astronaut_frame, id_number=hk)).match


def test_refusals_echo_nothing(client: Any, sandbox: Any, astronaut_frame: Any) -> None:
    with pytest.raises(Rejected) as e:
        client.verify_face(_payload(astronaut_frame, passed=False))
    assert e.value.status == 422 and e.value.code == "liveness_required"
    with pytest.raises(Rejected) as e:
        client.verify_face(_payload(astronaut_frame, id_number="11010519491231002X"))
    assert e.value.status == 404 and "11010519491231002X" not in e.value.message
    bad = _payload(astronaut_frame)
    bad["image_jpeg_b64"] = base64.b64encode(b"\xff\xd8\xff" + b"x" * 300).decode()
    with pytest.raises(Rejected) as e:
        client.verify_face(bad)
    assert e.value.code == "bad_image"
    # unsigned → 401
    import requests

    r = requests.post(
        sandbox.url + api.FACE_PATH,
        data=json.dumps(_payload(astronaut_frame)),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert r.status_code == 401 and CARD not in r.text


class _Pump:
    """Drives a FaceFlow as the UI would: frames from the camera, analysed, handed on."""

    def __init__(self, camera: Camera) -> None:
        self.camera = camera
        self.on = False

    def start(self, _flow: FaceFlow) -> Any:
        self.on = True
        return self.stop

    def stop(self) -> None:
        self.on = False
        self.camera.close()

    def run(self, flow: FaceFlow, frames: int, until: Phase | None = None) -> None:
        from drivers.camera import CameraError

        for _ in range(frames):
            if not self.on or flow.phase is until:
                return
            try:
                frame = self.camera.read()
            except CameraError as exc:
                flow.on_camera_fault(exc.reason)
                return
            obs, v = quality.check(frame)
            flow.on_frame(frame, obs, v)


def _flow(
    client: Any, camera: Camera, clock: Any = None, seed: int = 1
) -> tuple[FaceFlow, _Pump, list[str]]:
    pump = _Pump(camera)
    passed: list[str] = []
    f = FaceFlow(
        id_number=CARD,
        name="王小明",
        start_capture=pump.start,
        verify=client.verify_face,
        runner=run_inline,
        clock=clock or (lambda: 0.0),
        on_passed=passed.append,
        rng=random.Random(seed),
    )
    return f, pump, passed


def _act(camera: Camera, challenge: Any) -> None:
    camera.sim.perform(
        {"blink": "blink", "turn_left": "left", "turn_right": "right"}[challenge.value]
    )


def test_consent_challenge_match(client: Any, face_models: Any) -> None:
    cam = Camera("sim://camera?source=astronaut&fps=0")
    f, pump, passed = _flow(client, cam)
    assert f.phase is Phase.CONSENT and not pump.on  # no camera before consent
    f.consent()
    pump.run(f, flow_mod.STEADY_FRAMES)
    assert f.phase is Phase.CHALLENGE and f.challenge is not None
    pump.run(f, 4)
    assert f.phase is Phase.CHALLENGE  # a still face does not pass
    _act(cam, f.challenge)
    pump.run(f, 30)
    assert f.phase is Phase.PASSED and passed == [f.verify_id] and not pump.on
    assert f.preview is None and f._best is None


def test_someone_else_fails_three_times_then_window(client: Any, face_models: Any) -> None:
    cam = Camera("sim://camera?source=grace_hopper&fps=0")
    f, pump, passed = _flow(client, cam, seed=2)

    class TurnsOnly(random.Random):
        # the actor's inpainted blink does not fool the landmark model on Grace Hopper's
        # photo (her EAR stays open), so this test asks her for head turns only
        def choice(self, seq: Any) -> Any:
            return [c for c in seq if c.value.startswith("turn")][self.randrange(2)]

    f.rng = TurnsOnly(2)
    f.consent()
    for attempt in range(flow_mod.MAX_TRIES):
        pump.run(f, 40, until=Phase.CHALLENGE)  # the last try's turn may still be playing
        _act(cam, f.challenge)
        pump.run(f, 30)
        assert f.fail_reason == "no_match"
        if attempt < flow_mod.MAX_TRIES - 1:
            assert f.phase is Phase.FAILED
            f.retry()
    assert f.phase is Phase.GIVE_UP and not passed
    f.retry()
    assert f.phase is Phase.GIVE_UP  # no fourth try


def test_timeout_and_unplug_mid_capture(client: Any, face_models: Any) -> None:
    now = [0.0]
    cam = Camera("sim://camera?source=astronaut&fps=0&unplug_after=5")
    f, pump, _ = _flow(client, cam, clock=lambda: now[0])
    f.factor = 1.5  # 长辈模式: 45 s instead of 30
    f.consent()
    pump.run(f, 10)
    assert f.phase is Phase.CAMERA_FAULT and f.fail_reason == "lost" and f.tries == 0
    assert not pump.on and f.preview is None
    cam.sim.replug()
    now[0] = 10.0
    f.retry()
    assert f.phase is Phase.PREVIEW
    now[0] = 10.0 + 44
    f.tick()
    assert f.phase is Phase.PREVIEW
    now[0] = 10.0 + 46
    f.tick()
    assert f.phase is Phase.FAILED and f.fail_reason == "timeout" and f.tries == 1


def test_a_frame_arriving_after_the_wipe_is_dropped(client: Any, astronaut_frame: Any) -> None:
    cam = Camera("sim://camera?source=astronaut&fps=0")
    f, pump, _ = _flow(client, cam)
    f.consent()
    frame = cam.read()
    obs, v = quality.check(frame)
    f.wipe()  # the session ended while this frame was on its way to the UI thread
    f.on_frame(frame, obs, v)
    assert f.preview is None and f._best is None and not pump.on

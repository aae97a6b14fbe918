"""Quality gate and liveness judge on real photographs (scikit-image's astronaut, matplotlib's
Grace Hopper, scikit-image's coffee cup)."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.sim import face_actor, faces
from kiosk.identity import liveness, quality
from kiosk.identity.liveness import Challenge, Judge


def test_one_frontal_face_passes_the_gate(astronaut_frame: Any, hopper_frame: Any) -> None:
    for frame in (astronaut_frame, hopper_frame):
        obs, v = quality.check(frame)
        assert v.ok, v
        assert obs.faces == 1 and 0.22 <= obs.face_frac <= 0.65
        assert v.guidance_key == "face.guide.ok"


@pytest.mark.parametrize(
    ("kw", "problem"),
    [
        ({"face_frac": 0.12}, "too_far"),
        ({"light": 0.3}, "too_dark"),
        ({"offset": 0.3}, "off_centre"),
    ],
)
def test_guidance_names_what_to_fix(face_models: Any, kw: dict[str, float], problem: str) -> None:
    obs, v = quality.check(face_actor.frame(faces.load("astronaut"), **kw))
    assert not v.ok and v.problem == problem
    assert v.guidance_key == f"face.guide.{problem}"


def test_no_face_two_faces_blur_and_shut_eyes(astronaut_frame: Any, sequences: Any) -> None:
    assert quality.check(cv2.resize(faces.load("coffee"), (640, 480)))[1].problem == "no_face"
    pair = np.ascontiguousarray(cv2.resize(faces.load("pair"), (640, 320)))
    pair = cv2.copyMakeBorder(pair, 80, 80, 0, 0, cv2.BORDER_REPLICATE)
    obs, v = quality.check(pair)
    assert obs.faces == 2 and v.problem == "many_faces"
    assert quality.check(cv2.GaussianBlur(astronaut_frame, (0, 0), 4))[1].problem == "blurry"
    shut = sequences["blink"][2]
    assert quality.check(shut)[1].problem == "eyes_closed"


@pytest.mark.parametrize(
    ("action", "challenge"),
    [("blink", Challenge.BLINK), ("left", Challenge.LEFT), ("right", Challenge.RIGHT)],
)
def test_each_action_passes_its_own_challenge_only(
    sequences: Any, action: str, challenge: Challenge
) -> None:
    obs = [quality.analyse(f) for f in sequences[action]]
    for other in Challenge:
        judge = Judge(other)
        for o in obs:
            judge.feed(o)
        assert judge.passed == (other is challenge), (action, other)


def test_a_still_photo_passes_no_challenge(astronaut_frame: Any) -> None:
    o = quality.analyse(astronaut_frame)
    for c in Challenge:
        judge = Judge(c)
        for _ in range(30):
            judge.feed(o)
        assert not judge.passed


@settings(max_examples=200, deadline=None)
@given(
    ears=st.lists(st.floats(0.2, 0.4), min_size=3, max_size=3),
    later=st.lists(st.floats(0.0, 0.5), max_size=20),
)
def test_blink_judge_needs_shut_then_open(ears: list[float], later: list[float]) -> None:
    judge = Judge(Challenge.BLINK)

    def mk(e: float) -> quality.Observation:
        return quality.Observation(640, 480, 1, (0, 0, 1, 1), ear=e, landmarks=np.zeros((68, 2)))

    for e in ears + later:
        judge.feed(mk(e))
    base = sorted(ears)[1]
    shut_at = next((i for i, e in enumerate(later) if e < base * liveness.BLINK_DROP), None)
    expect = shut_at is not None and any(
        e > base * liveness.BLINK_BACK for e in later[shut_at + 1 :]
    )
    assert judge.passed == expect


def test_challenges_are_random() -> None:
    import random

    seen = {liveness.pick(random.Random(i)) for i in range(30)}
    assert seen == set(Challenge)


def test_every_verdict_and_challenge_has_words_in_both_languages() -> None:
    from kiosk.ui.i18n import table

    for lang in ("zh_CN", "en"):
        keys = table(lang)
        for p in (*quality.PROBLEMS, "ok"):
            assert f"face.guide.{p}" in keys, (lang, p)
        for c in Challenge:
            assert f"face.challenge.{c.value}" in keys
        for r in ("no_match", "timeout", "unavailable"):
            assert f"face.failed.{r}" in keys
    zh = table("zh_CN")
    assert (zh["face.guide.no_face"], zh["face.guide.too_far"], zh["face.guide.too_dark"]) == (
        "请正对摄像头",
        "请靠近一点",
        "光线太暗",
    )


@settings(max_examples=300, deadline=None)
@given(
    faces=st.integers(0, 3),
    x0=st.integers(0, 600),
    w=st.integers(1, 600),
    luma=st.floats(0, 255),
    sharp=st.floats(0, 500),
    ear=st.floats(0, 0.5),
    yaw=st.floats(-1, 1),
)
def test_the_gate_passes_exactly_the_frames_inside_every_limit(
    faces: int, x0: int, w: int, luma: float, sharp: float, ear: float, yaw: float
) -> None:
    box = (x0, 100, x0 + w, 100 + w)
    obs = quality.Observation(640, 480, faces, box if faces else None, luma, sharp, ear, yaw)
    v = quality.judge(obs)
    cx = (x0 + w / 2) / 640 - 0.5
    cy = (100 + w / 2) / 480 - 0.5
    inside = (
        faces == 1
        and quality.MIN_FACE_FRAC <= w / 640 <= quality.MAX_FACE_FRAC
        and abs(cx) <= quality.MAX_OFF_CENTRE
        and abs(cy) <= quality.MAX_OFF_CENTRE * 1.4
        and quality.MIN_LUMA <= luma <= quality.MAX_LUMA
        and sharp >= quality.MIN_SHARPNESS
        and abs(yaw) <= quality.MAX_YAW
        and ear >= quality.MIN_EAR
    )
    assert v.ok == inside
    assert v.ok == (v.problem == "") and (v.problem in quality.PROBLEMS or v.ok)

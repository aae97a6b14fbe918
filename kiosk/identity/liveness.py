"""The action challenge: blink, turn left or turn right, judged from landmarks over frames.

A photo held up to the camera passes the quality gate but cannot blink or turn its nose out
of the eye line; a replayed video cannot know which action will be asked. The baseline is
taken from the frames before the action, so a face that already looks sideways gains nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from enum import Enum

from kiosk.identity.quality import Observation

BLINK_DROP = 0.65
"""EAR below this fraction of the open-eye baseline counts as shut."""
BLINK_BACK = 0.85
"""…and back above this fraction as open again."""
TURN = 0.15
"""Yaw change from the baseline that counts as a turn (≈ 20° of head rotation)."""
BASELINE_FRAMES = 3


class Challenge(str, Enum):
    """The action asked of the citizen."""

    BLINK = "blink"
    LEFT = "turn_left"
    RIGHT = "turn_right"


def pick(rng: random.Random | None = None) -> Challenge:
    """A challenge at random (unpredictable for a replayed video)."""
    return (rng or random.SystemRandom()).choice(list(Challenge))


@dataclass
class Judge:
    """Feed observations of frames with one face; `passed` once the action was seen."""

    challenge: Challenge
    frames: int = 0
    passed: bool = False
    _ears: list[float] = field(default_factory=list)
    _yaws: list[float] = field(default_factory=list)
    _shut: bool = False

    def feed(self, obs: Observation) -> bool:
        """One frame; returns `passed`."""
        if self.passed or obs.faces != 1 or obs.landmarks is None:
            return self.passed
        self.frames += 1
        if len(self._ears) < BASELINE_FRAMES:
            self._ears.append(obs.ear)
            self._yaws.append(obs.yaw)
            return False
        ear0 = sorted(self._ears)[len(self._ears) // 2]
        yaw0 = sorted(self._yaws)[len(self._yaws) // 2]
        if self.challenge is Challenge.BLINK:
            if obs.ear < ear0 * BLINK_DROP:
                self._shut = True
            elif self._shut and obs.ear > ear0 * BLINK_BACK:
                self.passed = True
        else:
            # image coordinates: the person's own left moves the nose to the frame's right
            sign = 1 if self.challenge is Challenge.LEFT else -1
            if (obs.yaw - yaw0) * sign > TURN:
                self.passed = True
        return self.passed

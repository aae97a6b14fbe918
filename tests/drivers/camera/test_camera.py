"""The camera driver: URL forms, usb://VID:PID lookup in (a copy of) sysfs, typed errors, the
simulator's faults and hot-plug recovery. The simulator plays real photographs."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.camera import Camera, CameraBusy, CameraError, CameraLost, CameraMissing
from drivers.camera.camera import find_usb_video


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_sim_plays_rgb_frames_of_the_configured_size() -> None:
    cam = Camera("sim://camera?source=astronaut&fps=0", width=320, height=240)
    info = cam.open()
    frame = cam.read()
    assert info.backend == "sim" and frame.shape == (240, 320, 3) and frame.dtype == np.uint8
    assert 100 < frame.mean() < 200  # a real photo, not a blank


def test_missing_and_busy_are_typed() -> None:
    with pytest.raises(CameraMissing):
        Camera("sim://camera?missing=1").open()
    with pytest.raises(CameraBusy):
        Camera("sim://camera?busy=1").open()
    with pytest.raises(CameraMissing):
        Camera("/dev/video-does-not-exist").open()
    assert not Camera("/dev/video-does-not-exist").present()
    with pytest.raises(CameraError):
        Camera("rtsp://elsewhere/cam").open()
    with pytest.raises(ValueError):
        Camera("sim://camera?colour=blue").open()


def test_unplug_mid_capture_then_replug_recovers_within_the_interval() -> None:
    clock = Clock()
    cam = Camera(
        "sim://camera?source=astronaut&fps=0&unplug_after=3", reconnect_interval=1.0, clock=clock
    )
    for _ in range(3):
        cam.read()
    with pytest.raises(CameraLost):
        cam.read()
    assert not cam.present()
    with pytest.raises(CameraLost):  # within the interval: no reopen attempt, same error
        cam.read()
    cam.sim.replug()
    with pytest.raises(CameraLost):
        cam.read()
    clock.t = 1.1
    assert cam.read().shape == (480, 640, 3) and cam.present()


def _fake_sysfs(root: Path, nodes: dict[str, tuple[str, str]]) -> Path:
    v4l = root / "class" / "video4linux"
    for name, (vid, pid) in nodes.items():
        usb = root / "devices" / f"usb-{name}"
        intf = usb / "1-1:1.0"
        intf.mkdir(parents=True)
        (usb / "idVendor").write_text(vid + "\n")
        (usb / "idProduct").write_text(pid + "\n")
        (v4l / name).mkdir(parents=True)
        os.symlink(intf, v4l / name / "device")
    return v4l


def test_usb_lookup_finds_the_node_by_vid_pid(tmp_path: Path) -> None:
    v4l = _fake_sysfs(
        tmp_path,
        {"video0": ("0c45", "6366"), "video2": ("046d", "0825"), "video10": ("046d", "0825")},
    )
    assert find_usb_video("046d", "0825", v4l) == "/dev/video2"  # numeric order, not text
    assert find_usb_video("0C45", "6366", v4l) == "/dev/video0"
    assert find_usb_video("1234", "5678", v4l) is None
    assert find_usb_video("046d", "0825", tmp_path / "nothing") is None


@given(st.text(max_size=30))
def test_any_url_gives_a_typed_error_or_a_camera(url: str) -> None:
    cam = Camera(url)
    try:
        cam.resolve()
    except CameraError:
        pass


def test_a_directory_is_played_as_a_sequence(tmp_path: Path) -> None:
    from PIL import Image

    for i, level in enumerate((30, 120, 220)):
        Image.fromarray(np.full((48, 64, 3), level, np.uint8)).save(tmp_path / f"f{i}.png")
    cam = Camera(f"sim://camera?source={tmp_path}&fps=0", width=64, height=48)
    means = [round(float(cam.read().mean())) for _ in range(4)]
    assert means == [30, 120, 220, 30]

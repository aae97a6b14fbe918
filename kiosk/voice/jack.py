"""Are headphones plugged in? The kernel reports ALSA's headphone jack (HDA, USB audio) as an
input device with the switch SW_HEADPHONE_INSERT; its state is read with the EVIOCGSW ioctl.
Where no such device exists (many USB sound cards, boxes without a sound card) the technician's
config flag `voice.headphones` ("present" / "absent") decides; "auto" reads the jack."""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

SW_HEADPHONE_INSERT = 0x02
SW_LINEOUT_INSERT = 0x06
SW_MAX = 0x10
SYSFS_INPUT = Path("/sys/class/input")
DEV_INPUT = Path("/dev/input")


def _ioc(direction: int, type_: int, nr: int, size: int) -> int:
    return (direction << 30) | (size << 16) | (type_ << 8) | nr


def eviocgsw(length: int) -> int:
    """The EVIOCGSW(len) request number (linux/input.h: _IOC(_IOC_READ, 'E', 0x1b, len))."""
    return _ioc(2, ord("E"), 0x1B, length)


def switch_bits(caps: str) -> set[int]:
    """Parse a sysfs `capabilities/sw` bitmap (hex words, most significant first) to bit numbers."""
    bits: set[int] = set()
    words = caps.split()
    for i, word in enumerate(reversed(words)):
        value = int(word, 16)
        for b in range(64):
            if value >> b & 1:
                bits.add(i * 64 + b)
    return bits


def jack_devices(sysfs: Path = SYSFS_INPUT) -> list[Path]:
    """/dev/input/eventN devices that report a headphone jack switch."""
    found = []
    for ev in sorted(sysfs.glob("event*")):
        try:
            caps = (ev / "device" / "capabilities" / "sw").read_text()
        except OSError:
            continue
        if SW_HEADPHONE_INSERT in switch_bits(caps):
            found.append(DEV_INPUT / ev.name)
    return found


def read_switch(device: Path, bit: int = SW_HEADPHONE_INSERT) -> bool:
    """The current state of one switch of an input device (EVIOCGSW)."""
    buf = bytearray((SW_MAX + 7) // 8 + 1)
    fd = os.open(device, os.O_RDONLY | os.O_NONBLOCK)
    try:
        fcntl.ioctl(fd, eviocgsw(len(buf)), buf, True)
    finally:
        os.close(fd)
    return bool(buf[bit // 8] >> (bit % 8) & 1)


class Headphones:
    """Headphone presence from the jack, or from the config where the jack cannot tell."""

    def __init__(self, setting: str = "auto", sysfs: Path = SYSFS_INPUT) -> None:
        self.setting = setting
        self.sysfs = sysfs
        self.source = "config"
        """"jack" when the kernel reports the jack, "config" when the flag decides."""
        self._warned = False

    def present(self) -> bool:
        """Whether headphones are plugged in now."""
        if self.setting != "auto":
            self.source = "config"
            return self.setting == "present"
        for dev in jack_devices(self.sysfs):
            try:
                state = read_switch(dev)
            except OSError as exc:
                if not self._warned:
                    log.warning("headphone jack %s not readable: %s", dev, exc)
                    self._warned = True
                continue
            self.source = "jack"
            return state
        self.source = "config"
        return False

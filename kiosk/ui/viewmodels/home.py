"""View-model of the home screen."""
from __future__ import annotations

import time
from collections.abc import Callable

from kivy.event import EventDispatcher
from kivy.properties import StringProperty

WEEKDAYS_ZH = "一二三四五六日"


def format_clock(t: time.struct_time) -> tuple[str, str]:
    """('14:05', '2026年11月25日 星期三') for the home screen clock."""
    return (time.strftime("%H:%M", t),
            f"{t.tm_year}年{t.tm_mon}月{t.tm_mday}日 星期{WEEKDAYS_ZH[t.tm_wday]}")


class HomeViewModel(EventDispatcher):
    """Hall name and clock for the home screen."""

    hall_name = StringProperty("")
    clock_text = StringProperty("")
    date_text = StringProperty("")
    status_text = StringProperty("")

    def __init__(self, hall_name: str, clock: Callable[[], float] = time.time, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._clock = clock
        self.hall_name = hall_name
        self.status_text = "请选择您要办理的事项"
        self.tick()

    def tick(self, *_: object) -> None:
        """Refresh the clock from the injected time source."""
        self.clock_text, self.date_text = format_clock(time.localtime(self._clock()))

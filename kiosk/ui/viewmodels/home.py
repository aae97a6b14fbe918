"""View-model of the home screen: tiles, category filter, clock, status indicators."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kivy.properties import BooleanProperty, ListProperty, StringProperty

from kiosk import clock as terminal_clock
from kiosk.ui.viewmodels.base import PagedViewModel

if TYPE_CHECKING:
    from kiosk.session.engine import SessionEngine

TINTS = (
    (0.07, 0.42, 0.78, 1),
    (0.0, 0.55, 0.45, 1),
    (0.85, 0.45, 0.05, 1),
    (0.55, 0.25, 0.65, 1),
    (0.75, 0.15, 0.2, 1),
    (0.1, 0.5, 0.2, 1),
    (0.15, 0.3, 0.6, 1),
    (0.45, 0.35, 0.1, 1),
)
# Tiles per page: (portrait, elderly) → count (portrait 3×4 / 2×3, landscape 4×2 / 3×2).
PER_PAGE = {(True, False): 12, (True, True): 6, (False, False): 8, (False, True): 6}


def format_clock(t: time.struct_time, lang: str = "zh_CN") -> tuple[str, str]:
    """('14:05', '2026年11月25日 星期三') for the home screen clock."""
    from kiosk.ui.i18n import t as tr

    return (
        time.strftime("%H:%M", t),
        tr(
            "clock.date",
            lang,
            y=t.tm_year,
            m=t.tm_mon,
            d=t.tm_mday,
            weekday=tr(f"weekday.{t.tm_wday}", lang),
        ),
    )


def reason_key(reason: str) -> str:
    """i18n key of an unavailability reason (device:printer → reason.device.printer)."""
    return "reason." + reason.replace(":", ".")


def status_key(reason: str) -> str:
    """i18n key of a device fault reason."""
    known = {"paper_out", "near_end", "cover_open", "offline", "error", "unknown", "unreachable"}
    reason = {"media_empty": "paper_out", "door_open": "cover_open"}.get(reason, reason)  # A4 (IPP)
    return f"status.{reason}" if reason in known else "status.fault"


def unavailable_text(tr: Callable[..., str], reason: str, engine: SessionEngine, item: Any) -> str:
    """Why `item` cannot be served (`reason` from engine.unavailable_reason) and what to do."""
    if reason.startswith("device:"):
        fault = engine.devices.get(reason.split(":", 1)[1], "")
        return tr(
            "unavail." + reason.replace(":", "."),
            status=tr(status_key(fault) if fault else "status.fault"),
        )
    if reason == "hours":
        return tr("unavail.hours", hours=" ".join(item.hours) if item.hours else "00:00-24:00")
    if reason in ("offline", "offline_pay", "intake", "disabled"):
        return tr("unavail." + reason)
    return tr("unavail.disabled")


class HomeViewModel(PagedViewModel):
    """Hall name, clock, indicators and the item tiles of the current category and page."""

    hall_name = StringProperty("")
    clock_text = StringProperty("")
    date_text = StringProperty("")
    status_text = StringProperty("")
    online = BooleanProperty(True)
    online_text = StringProperty("")
    devices = ListProperty()
    categories = ListProperty()
    category = StringProperty("")
    tiles = ListProperty()
    page_text = StringProperty("")
    notice_open = BooleanProperty(False)
    notice_text = StringProperty("")
    """Why a greyed tile cannot be served now, and where to go instead (shown when tapped)."""
    elderly = BooleanProperty(False)
    portrait = BooleanProperty(True)

    def __init__(
        self,
        engine: SessionEngine,
        hall_name: str = "",
        clock: Callable[[], float] = time.time,
        hall: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(engine, **kwargs)
        self._clock = clock
        self.hall = hall
        """kiosk.ui.viewmodels.help.HallInfo (the hall's name in English), if known."""
        self.hall_name = hall_name or engine.hall_name
        self.update(engine)

    def tick(self, *_: object) -> None:
        """Refresh the clock from the injected time source."""
        self.clock_text, self.date_text = format_clock(
            terminal_clock.struct(self._clock()), self.engine.lang
        )

    def wipe(self) -> None:
        """Home holds nothing personal; only the paging resets."""
        self.page = 0
        self.category = ""
        self.notice_open, self.notice_text = False, ""
        self.update(self.engine)

    def update(self, engine: SessionEngine) -> None:
        """Recompute everything from the engine."""
        self.elderly = engine.elderly
        if self.hall is not None:
            self.hall_name = self.hall.display_name(engine.lang)
        self.tick()
        self.status_text = self.tr("home.choose" if engine.online else "home.offline_first")
        self.online = engine.online
        self.online_text = self.tr("status.online" if engine.online else "status.offline_net")
        self.devices = [
            {
                "text": self.tr(
                    "home.device_status",
                    device=self.tr("device." + d),
                    status=self.tr(status_key(r) if r else "status.ok"),
                ),
                "ok": not r,
            }
            for d, r in engine.devices.items()
            if r != "disabled"
        ]
        cat = engine.catalogue
        if cat is None:
            self.categories, self.tiles, self.pages, self.page_text = [], [], 1, ""
            return
        items = cat.enabled_items()
        used = [c for c in cat.categories if any(i.category == c.code for i in items)]
        self.categories = [
            {"code": "", "text": self.tr("home.all"), "selected": self.category == ""}
        ] + [
            {"code": c.code, "text": c.en if self.en else c.zh, "selected": self.category == c.code}
            for c in used
        ]
        if self.category:
            items = tuple(i for i in items if i.category == self.category)
        # what can be served now comes first (offline: the items that still work are on page 1)
        items = tuple(sorted(items, key=lambda i: bool(engine.unavailable_reason(i))))
        per = PER_PAGE[(self.portrait, engine.elderly)]
        self.pages = max(1, -(-len(items) // per))
        self.page = min(self.page, self.pages - 1)
        shown = items[self.page * per : (self.page + 1) * per]
        codes = [c.code for c in cat.categories]
        tiles = []
        for it in shown:
            reason = engine.unavailable_reason(it)
            idx = codes.index(it.category) if it.category in codes else 0
            catobj = cat.categories[idx] if cat.categories else None
            tiles.append(
                {
                    "code": it.code,
                    "name": it.name(engine.lang),
                    "dept": it.department_en if self.en else it.department_zh,
                    "glyph": (
                        (catobj.en if self.en else catobj.zh) if catobj else it.name(engine.lang)
                    )[:1],
                    "tint": list(TINTS[idx % len(TINTS)]),
                    "reason": self.tr(reason_key(reason)) if reason else "",
                    "available": not reason,
                }
            )
        self.tiles = tiles
        self.page_text = self.tr("common.page", page=self.page + 1, pages=self.pages)

    # ---- actions ----

    def set_portrait(self, portrait: bool) -> None:
        """The screen reports its orientation (tiles per page depend on it)."""
        if portrait != self.portrait:
            self.portrait = portrait
            self.update(self.engine)

    def select(self, code: str) -> None:
        """Open an item; a greyed one explains why and where to go instead."""
        from kiosk.session.errors import InvalidTransition

        eng = self.engine
        item = eng.catalogue.get(code) if eng.catalogue is not None else None
        reason = eng.unavailable_reason(item) if item is not None else ""
        if reason:
            self.notice_text = unavailable_text(self.tr, reason, eng, item)
            self.notice_open = True
            eng.touch()
            return
        try:
            eng.select(code)
        except InvalidTransition:
            self.update(eng)

    def close_notice(self) -> None:
        """知道了."""
        self.notice_open, self.notice_text = False, ""
        self.engine.touch()

    def set_category(self, code: str) -> None:
        """Filter the tiles by category ("" = all)."""
        self.category = code
        self.page = 0
        self.engine.touch()
        self.update(self.engine)

    def toggle_elderly(self) -> None:
        """长辈模式 on/off."""
        self.engine.set_elderly(not self.engine.elderly)

    def toggle_lang(self) -> None:
        """中文 ⇄ English."""
        self.engine.set_language("zh_CN" if self.en else "en")

"""The bundle flow inside the session engine: the bundle is shown and identified as one item
(its fields the union of its items', shared ones once), the form is paged per item
("第2项/共3项"), the items go to central as one request, the receipt and the rating are one.

The engine calls this through small hooks (kiosk.session.engine: `self.bundle`)."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kiosk import clock as terminal_clock
from kiosk.bundle.errors import BundleUnavailable
from kiosk.bundle.model import BundleSubmitted
from kiosk.catalogue.model import Field, Item, Material
from kiosk.guide.model import Bundle
from kiosk.session.ports import RatingRecord, ReceiptDoc
from kiosk.session.states import BROWSE, State

if TYPE_CHECKING:
    from kiosk.session.engine import SessionEngine

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Page:
    """One page of the bundle's form: the shared fields, or one item's own fields."""

    item_code: str
    """"" for the shared page."""
    index: int
    """1-based position of the item in the bundle (0: shared page)."""
    fields: tuple[Field, ...]


@dataclass
class BundleRun:
    """The bundle of the session in progress."""

    bundle: Bundle
    items: tuple[Item, ...]
    whole: Item
    """The bundle as one item: every field once, every material, the strongest identification."""
    pages: tuple[Page, ...]
    page: int = 0
    visited: set[int] = field(default_factory=set)

    def page_item(self, lang: str) -> Item:
        """The item the form screen shows now: this page's fields under a 第N项/共M项 title."""
        p = self.pages[self.page]
        n = len(self.items)
        if p.index == 0:
            zh, en = (
                f"{self.bundle.name_zh} · 共同信息（{n}项通用）",
                f"{self.bundle.name_en} · shared details",
            )
        else:
            it = self.items[p.index - 1]
            zh = f"第{p.index}项/共{n}项 · {it.name_zh}"
            en = f"Item {p.index} of {n} · {it.name_en}"
        return dataclasses.replace(self.whole, name_zh=zh, name_en=en, fields=p.fields)


def whole_item(bundle: Bundle, items: tuple[Item, ...]) -> Item:
    """The bundle as one item (what the item, identify and confirm screens show)."""
    fields: list[Field] = []
    seen: set[str] = set()
    for it in items:  # shared fields first, in the order of the bundle's `shared`
        for name in bundle.shared:
            if name not in seen and any(f.name == name for f in it.fields):
                fields.append(it.field(name))
                seen.add(name)
    for it in items:
        for f in it.fields:
            if f.name not in seen:
                fields.append(f)
                seen.add(f.name)
    mats: list[Material] = []
    for it in items:
        for m in it.materials:
            if all(m.zh != x.zh for x in mats):
                mats.append(m)
    devices = tuple(dict.fromkeys(d for it in items for d in it.devices))
    listing = "；".join(f"{i + 1}. {it.name_zh}" for i, it in enumerate(items))
    listing_en = "; ".join(f"{i + 1}. {it.name_en}" for i, it in enumerate(items))
    return Item(
        code=bundle.code,
        name_zh=bundle.name_zh,
        name_en=bundle.name_en,
        department_zh="一件事一次办："
        + "、".join(dict.fromkeys(it.department_zh.removeprefix("安康市") for it in items)),
        department_en="One visit: " + ", ".join(dict.fromkeys(it.department_en for it in items)),
        category=items[0].category,
        kind="apply",
        auth=_auth(bundle.auth),
        order=0,
        devices=devices,
        fields=tuple(fields),
        materials=tuple(mats),
        offline=all(it.offline for it in items),
        description_zh=f"{bundle.description_zh}\n一次办理{len(items)}项：{listing}",
        description_en=f"{bundle.description_en}\n{len(items)} items: {listing_en}",
        tile=False,
    )


def pages_of(bundle: Bundle, items: tuple[Item, ...], whole: Item) -> tuple[Page, ...]:
    """The shared page (if any shared field) and a page per item with fields of its own."""
    shared = tuple(f for f in whole.fields if f.name in bundle.shared)
    pages = [Page("", 0, shared)] if shared else []
    for i, it in enumerate(items, 1):
        own = tuple(f for f in it.fields if f.name not in bundle.shared)
        if own:
            pages.append(Page(it.code, i, own))
    return tuple(pages)


class BundleFlow:
    """The engine's bundle hooks; inactive (every hook a no-op) outside a bundle session."""

    def __init__(self, engine: SessionEngine) -> None:
        self.engine = engine

    @property
    def run(self) -> BundleRun | None:
        """The bundle of the session in progress, if it is one."""
        return getattr(self.engine.session, "bundle", None)

    @property
    def active(self) -> bool:
        """Whether the session in progress is a bundle."""
        return self.run is not None

    # ---- starting ----

    def resolve(self, code: str) -> tuple[Bundle, tuple[Item, ...]]:
        """The catalogue bundle and its items (BundleUnavailable if it cannot be served now)."""
        eng = self.engine
        cat = eng.catalogue
        bundle = cat.guidance.bundle(code) if cat is not None else None
        if bundle is None or cat is None:
            raise BundleUnavailable(code, "unknown")
        items = tuple(cat.item(c) for c in bundle.items)
        for it in items:
            reason = eng.unavailable_reason(it)
            if reason:
                raise BundleUnavailable(code, reason)
        return bundle, items

    def unavailable_reason(self, code: str) -> str:
        """Why a bundle cannot be started now ("" if it can)."""
        try:
            self.resolve(code)
        except BundleUnavailable as exc:
            return exc.reason
        return ""

    def start(self, code: str) -> None:
        """The citizen chose a bundle (tree leaf): its description, as an item, comes next."""
        from kiosk.session.engine import Session

        eng = self.engine
        eng._require(State.HOME, *BROWSE)
        bundle, items = self.resolve(code)
        whole = whole_item(bundle, items)
        eng.session = Session(item=whole)
        eng.session.bundle = BundleRun(bundle, items, whole, pages_of(bundle, items, whole))
        log.info("bundle %s started (%d items)", code, len(items))
        eng._go(State.ITEM)
        eng._changed()

    # ---- form paging (engine hooks) ----

    def _editable(self, p: Page) -> bool:
        holder = self.engine.session.holder
        return any(not f.prefill or holder is None for f in p.fields)

    def entered_form(self) -> None:
        """After the engine filled defaults and prefills of every field: show the first page."""
        run = self.run
        if run is None or self.engine.state != State.FORM:
            return
        run.page = next((i for i, p in enumerate(run.pages) if self._editable(p)), 0)
        self.engine.session.item = run.page_item(self.engine.lang)

    def next_page(self) -> bool:
        """下一步 on a valid page: the next page (True), or the whole bundle for CONFIRM."""
        run = self.run
        if run is None:
            return False
        later = [i for i in range(run.page + 1, len(run.pages)) if self._editable(run.pages[i])]
        if later:
            run.page = later[0]
            self.engine.session.item = run.page_item(self.engine.lang)
            self.engine._go(State.FORM)
            return True
        self.engine.session.item = run.whole
        return False

    def prev_page(self) -> bool:
        """上一步 in the form: the previous page (True), or the whole bundle for ITEM."""
        run = self.run
        if run is None:
            return False
        earlier = [i for i in range(run.page) if self._editable(run.pages[i])]
        if earlier:
            run.page = earlier[-1]
            self.engine.session.item = run.page_item(self.engine.lang)
            return True
        self.engine.session.item = run.whole
        return False

    def back_from_confirm(self) -> None:
        """Back from the confirm screen: the last page of the form."""
        run = self.run
        if run is not None and run.pages:
            run.page = max((i for i, p in enumerate(run.pages) if self._editable(p)), default=0)
            self.engine.session.item = run.page_item(self.engine.lang)

    def progress(self) -> tuple[int, int]:
        """(item number of the page, items in the bundle); (0, n) on the shared page."""
        run = self.run
        if run is None or not run.pages:
            return (0, 0)
        return run.pages[run.page].index, len(run.items)

    # ---- submission, receipt, rating ----

    def submit(self, central: Any, payload: dict[str, Any]) -> BundleSubmitted:
        """One request with every item and its fields (worker thread)."""
        run = self.run
        assert run is not None
        fields = {k: v for k, v in payload.items() if not k.startswith("_")}
        items = [
            (it.code, {f.name: fields.get(f.name) for f in it.fields if f.name in fields})
            for it in run.items
        ]
        names = {it.code: it.name_zh for it in run.items}
        return central.submit_bundle(run.bundle.code, items, payload, names)  # type: ignore[no-any-return]

    def receipt(self) -> ReceiptDoc:
        """The combined receipt: the bundle number, each item's case number or refusal."""
        from kiosk.bundle.receipt import bundle_receipt

        run = self.run
        assert run is not None
        eng = self.engine
        out = eng.session.outcome
        sub = out.submitted if out is not None else None
        return bundle_receipt(
            run,
            sub if isinstance(sub, BundleSubmitted) else None,
            lang=eng.lang,
            holder=eng.session.holder,
            hall=eng.hall_name,
            time=terminal_clock.strftime("%Y-%m-%d %H:%M", eng.wall_clock()),
            terminal_id=eng.terminal_id,
        )

    def ratings(self, rec: RatingRecord) -> list[RatingRecord]:
        """One rating of the bundle, bound to every case it produced (一次一评 per 办件)."""
        run = self.run
        out = self.engine.session.outcome
        sub = out.submitted if out is not None else None
        if run is None or not isinstance(sub, BundleSubmitted):
            return [rec]
        if sub.provisional:  # cases unknown yet: the sync worker swaps in each item's case
            return [
                dataclasses.replace(rec, service_id=sub.case_no, item_code=i.item_code)
                for i in sub.items
            ]
        return [
            dataclasses.replace(rec, service_id=i.case_no, item_code=i.item_code) for i in sub.cases
        ]


def _auth(auth: object) -> tuple[str, ...]:
    """A bundle's `auth` as the item tuple (a list of methods, or a pre-issue-24 single string)."""
    from kiosk.catalogue.model import LEGACY_AUTHS

    if isinstance(auth, str):
        return tuple(LEGACY_AUTHS.get(auth, (auth,)))
    return tuple(str(a) for a in auth)  # type: ignore[attr-defined]

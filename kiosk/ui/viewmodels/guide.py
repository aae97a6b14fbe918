"""View-models of the guidance screens (issue 23): the 我要办什么 tree, a 办事指南 with its flow
chart, the policy library with category chips and a search box typed with the input method."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)

from kiosk.session.states import State
from kiosk.ui.viewmodels.base import ScreenViewModel
from kiosk.ui.viewmodels.home import reason_key

if TYPE_CHECKING:
    from kiosk.session.engine import SessionEngine

POLICIES_PER_PAGE = 4


def _reason_text(vm: ScreenViewModel, reason: str) -> str:
    if not reason:
        return ""
    return vm.tr("guide.unavailable", why=vm.tr(reason_key(reason)))


class GuideViewModel(ScreenViewModel):
    """The roots or one question: big answer buttons, breadcrumbs, back."""

    title = StringProperty("")
    question = StringProperty("")
    crumbs = ListProperty()
    answers = ListProperty()
    at_roots = BooleanProperty(True)

    def update(self, engine: SessionEngine) -> None:
        """Fill from the browser."""
        b = engine.browse
        tree = b.guidance.tree
        self.title = self.tr("guide.title")
        if tree is None:
            self.wipe()
            return
        node = b.node
        self.at_roots = node is None
        crumbs = b.crumbs(engine.lang)
        self.crumbs = [{"text": self.tr("guide.start"), "level": -1}] + [
            {"text": c, "level": i} for i, c in enumerate(crumbs)
        ]
        if node is None:
            self.question = self.tr("guide.who")
            self.answers = [
                {"text": r.en if self.en else r.zh, "index": i, "root": r.id}
                for i, r in enumerate(tree.roots)
            ]
            return
        self.question = node.question_en if self.en else node.question_zh
        rows = []
        for i, a in enumerate(node.answers):
            leaf = a.leaf
            hint = ""
            g = b.guidance.guide(leaf[1]) if leaf is not None and leaf[0] == "guide" else None
            if (
                g is not None
                and not g.item
                and not any(x.guide == g.code for x in b.guidance.bundles)
            ):
                hint = self.tr("guide.elsewhere")
            elif g is not None:
                hint = self.tr("guide.read_guide")
            elif leaf is not None and leaf[0] == "bundle":
                hint = self.tr("guide.bundle_hint")
            rows.append({"text": a.en if self.en else a.zh, "index": i, "root": "", "hint": hint})
        self.answers = rows

    def choose(self, index: int, root: str = "") -> None:
        """An answer (or a root) was tapped."""
        if root:
            self.engine.browse.choose_root(root)
        else:
            self.engine.browse.answer(int(index))

    def crumb(self, level: int) -> None:
        """A breadcrumb was tapped."""
        self.engine.browse.crumb(int(level))

    def back(self) -> None:
        """返回."""
        self.engine.browse.back()


class ZhinanViewModel(ScreenViewModel):
    """One 办事指南: materials (容缺 marked), steps, time limit, fees, basis, where; the flow chart."""

    title = StringProperty("")
    notice = StringProperty("")
    lines = ListProperty()
    chart = ObjectProperty(None, allownone=True)
    """kiosk.guide.flowchart.FlowLayout of the guide's flow chart."""
    print_text = StringProperty("")
    can_print = BooleanProperty(True)
    can_start = BooleanProperty(False)
    start_text = StringProperty("")

    def update(self, engine: SessionEngine) -> None:
        """Fill from the guide shown."""
        from kiosk.guide.flowchart import layout

        b = engine.browse
        g = b.guide
        if g is None:
            self.wipe()
            return
        self.title = g.title(engine.lang)
        self.notice = _reason_text(self, b.state.notice)
        en = self.en
        rows: list[dict[str, Any]] = []
        if g.summary_zh or g.summary_en:
            rows.append(
                {"label": "", "value": (g.summary_en or g.summary_zh) if en else g.summary_zh}
            )
        rows.append({"label": self.tr("zhinan.department"), "value": g.department_zh})
        for m in g.materials:
            mark = self.tr("zhinan.rongque") if not m.key else ""
            extra = self.tr("zhinan.note", note=m.note_zh) if m.note_zh and not en else ""
            rows.append(
                {
                    "label": self.tr("zhinan.material"),
                    "value": f"{m.en if en else m.zh}{' ×' + m.copies if m.copies else ''}"
                    f"{mark}{extra}",
                }
            )
        rows.append(
            {
                "label": self.tr("zhinan.time_limit"),
                "value": g.time_limit_en if en else g.time_limit_zh,
            }
        )
        rows.append({"label": self.tr("zhinan.fees"), "value": g.fees_en if en else g.fees_zh})
        w = g.where
        rows.append({"label": self.tr("zhinan.where"), "value": w.window_en if en else w.window_zh})
        rows.append({"label": self.tr("zhinan.address"), "value": w.address_zh})
        rows.append({"label": self.tr("zhinan.hours"), "value": w.hours_en if en else w.hours_zh})
        if w.phone:
            rows.append({"label": self.tr("zhinan.phone"), "value": w.phone})
        rows.append({"label": self.tr("zhinan.basis"), "value": "\n".join(g.legal_basis)})
        self.lines = rows
        self.chart = layout(g)
        state = b.state.print_state
        self.print_text = self.tr("zhinan.print_" + state) if state else ""
        self.can_print = state != "busy" and not engine.devices.get("printer")
        bundle = next((x for x in b.guidance.bundles if x.guide == g.code), None)
        item = engine.catalogue.get(g.item) if g.item and engine.catalogue is not None else None
        # from the item screen 返回 goes back to it; elsewhere 开始办理 starts the guide's own
        self.can_start = b.state.guide_from != State.ITEM and bool(
            (bundle is not None and not engine.bundle.unavailable_reason(bundle.code))
            or (item is not None and not engine.unavailable_reason(item))
        )
        self.start_text = self.tr("zhinan.start")

    def print_guide(self) -> None:
        """打印指南."""
        self.engine.browse.print_guide()

    def start(self) -> None:
        """开始办理 (the guide's item or bundle)."""
        b = self.engine.browse
        g = b.guide
        if g is None:
            return
        if g.item:
            self.engine.select(g.item)
        else:
            b.start_bundle()

    def back(self) -> None:
        """返回."""
        self.engine.browse.back()


class PolicyViewModel(ScreenViewModel):
    """Category chips, the search box (on-screen input method), the matching policies (paged)."""

    title = StringProperty("")
    chips = ListProperty()
    query = StringProperty("")
    rows = ListProperty()
    count_text = StringProperty("")
    page = NumericProperty(0)
    pages = NumericProperty(1)
    page_text = StringProperty("")
    searching = BooleanProperty(False)
    """The keyboard is up."""
    ime_rows = ListProperty()
    ime_bar = ListProperty()
    ime_composing = StringProperty("")
    ime_mode = StringProperty("pinyin")
    ime_pages = NumericProperty(1)
    ime_page = NumericProperty(0)
    ime_status = StringProperty("")

    def __init__(self, engine: SessionEngine, **kwargs: Any) -> None:
        super().__init__(engine, **kwargs)
        from kiosk.ime import Keyboard

        self.keyboard = Keyboard()

    def update(self, engine: SessionEngine) -> None:
        """Fill from the browser's category and query."""
        b = engine.browse
        g = b.guidance
        self.title = self.tr("policy.title")
        st = b.state
        self.chips = [{"code": "", "text": self.tr("home.all"), "selected": st.category == ""}] + [
            {"code": c.code, "text": c.en if self.en else c.zh, "selected": st.category == c.code}
            for c in g.policy_categories
        ]
        self.query = st.query
        found = b.policies()
        self.count_text = self.tr("policy.count", n=len(found))
        self.pages = max(1, -(-len(found) // POLICIES_PER_PAGE))
        self.page = min(self.page, self.pages - 1)
        shown = found[self.page * POLICIES_PER_PAGE : (self.page + 1) * POLICIES_PER_PAGE]
        self.rows = [
            {
                "code": p.code,
                "title": p.title,
                "text": f"{self.tr('policy.audience')}{p.audience}\n{self.tr('policy.benefit')}"
                f"{p.benefit}\n{self.tr('policy.how')}{p.how}\n"
                f"{self.tr('policy.valid', start=p.valid_from, end=p.valid_to)}",
                "dept": p.department,
                "guide": p.guide or "",
            }
            for p in shown
        ]
        self.page_text = self.tr("common.page", page=self.page + 1, pages=self.pages)
        if self.searching:
            self._ime_show()

    def _ime_show(self) -> None:
        kb = self.keyboard
        idx = kb.dictionary
        self.ime_mode = kb.mode
        self.ime_rows = kb.rows()
        self.ime_bar = [{"text": c.text, "slot": i} for i, c in enumerate(kb.bar())]
        self.ime_pages, self.ime_page = kb.pages(), kb.page
        self.ime_composing = kb.composing()
        self.ime_status = (
            ""
            if idx is not None or kb.mode != "pinyin"
            else self.tr("ime.unavailable" if kb.index.error else "ime.loading")
        )

    # ---- actions ----

    def set_category(self, code: str) -> None:
        """A chip."""
        self.page = 0
        self.engine.browse.set_category(code)

    def open_search(self) -> None:
        """The search box was tapped: the keyboard comes up."""
        self.searching = True
        self.keyboard.index.warm()
        self.engine.touch()
        self.update(self.engine)

    def close_search(self) -> None:
        """完成: the keyboard goes away (a half-typed pinyin run stays as letters)."""
        if self.keyboard.composer.letters:
            self._apply(self.keyboard.press("mode:" + self.keyboard.mode))
        self.keyboard.reset()
        self.searching = False
        self.update(self.engine)

    def key(self, k: str) -> None:
        """An input-method key."""
        if k:
            self._apply(self.keyboard.press(k))

    def candidate(self, slot: int) -> None:
        """A candidate on the bar."""
        self._apply(self.keyboard.choose(int(slot)))

    def _apply(self, edit: Any) -> None:
        q = self.engine.browse.state.query
        if getattr(edit, "clear", False):
            q = ""
        if getattr(edit, "delete", 0):
            q = q[: -edit.delete]
        q = (q + getattr(edit, "insert", ""))[:40]
        self.page = 0
        self.engine.browse.set_query(q)  # redraws through the engine

    def open_guide(self, code: str) -> None:
        """办事指南 of a policy."""
        if code:
            self.engine.browse.open_guide(code)

    def next_page(self) -> None:
        """Next page of policies."""
        if self.page + 1 < self.pages:
            self.page += 1
            self.engine.touch()
            self.update(self.engine)

    def prev_page(self) -> None:
        """Previous page of policies."""
        if self.page > 0:
            self.page -= 1
            self.engine.touch()
            self.update(self.engine)

    def back(self) -> None:
        """返回 (home)."""
        self.close_search()
        self.engine.browse.back()

    def wipe(self) -> None:
        """Forget the query and the pinyin run."""
        self.keyboard.reset()
        super().wipe()

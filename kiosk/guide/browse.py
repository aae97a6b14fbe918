"""Browsing the guidance inside the session engine: the 我要办什么 tree (roots, questions,
breadcrumbs, back), a 办事指南 (and printing it), the policy library (chips, keyword search).

Nothing personal is held here; an answer leading to an item or a bundle starts it like a tile."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kiosk.guide.errors import UnknownEntry
from kiosk.guide.model import EMPTY, Answer, Guidance, Guide, Node
from kiosk.guide.search import SearchIndex
from kiosk.session.ports import PrintOutcome, ReceiptDoc
from kiosk.session.states import BROWSE, State

if TYPE_CHECKING:
    from kiosk.session.engine import SessionEngine

log = logging.getLogger(__name__)


@dataclass
class BrowseState:
    """Where the citizen is in the guidance (reset whenever browsing starts again)."""

    root: str = ""
    path: list[str] = field(default_factory=list)
    """Node ids from the root's first question to the one shown."""
    chosen: list[str] = field(default_factory=list)
    """The answer taken at each node of `path` but the last (breadcrumbs)."""
    guide: str = ""
    guide_from: State = State.HOME
    notice: str = ""
    """Why a leaf could not be served here (the guide of the item is shown instead)."""
    category: str = ""
    query: str = ""
    print_state: str = ""
    """"" / "busy" / "printed" / "failed" for the 办事指南 printout."""


class Browser:
    """The engine's guidance browsing (kiosk.session.engine: `self.browse`)."""

    def __init__(self, engine: SessionEngine) -> None:
        self.engine = engine
        self.state = BrowseState()
        self._index: tuple[int, SearchIndex] | None = None
        self._gen = 0

    @property
    def guidance(self) -> Guidance:
        """The catalogue's guidance (empty without one)."""
        cat = self.engine.catalogue
        return cat.guidance if cat is not None else EMPTY

    @property
    def available(self) -> bool:
        """Whether the catalogue has a tree (the home screen offers 我要办什么)."""
        return self.guidance.tree is not None

    def index(self) -> SearchIndex:
        """The search index of the catalogue in use (built once per catalogue)."""
        cat = self.engine.catalogue
        key = id(cat)
        if self._index is None or self._index[0] != key:
            self._index = (key, SearchIndex.from_guidance(self.guidance))
        return self._index[1]

    def _go(self, state: State) -> None:
        self.engine._go(state)
        self.engine._changed()

    # ---- the tree ----

    def open_tree(self) -> None:
        """我要办什么 on the home screen: the three roots."""
        self.engine._require(State.HOME, *BROWSE)
        if self.guidance.tree is None:
            raise UnknownEntry("this catalogue has no guidance tree")
        self.state = BrowseState()
        self._go(State.GUIDE)

    @property
    def node(self) -> Node | None:
        """The question shown, None at the roots."""
        tree = self.guidance.tree
        return tree.nodes[self.state.path[-1]] if tree is not None and self.state.path else None

    def choose_root(self, rid: str) -> None:
        """我是个人 / 我是企业 / 工程建设项目."""
        self.engine._require(State.GUIDE)
        tree = self.guidance.tree
        assert tree is not None
        root = tree.root(rid)
        self.state.root, self.state.path, self.state.chosen = rid, [root.node], []
        self.state.notice = ""
        self.engine.touch()
        self.engine._changed()

    def answer(self, index: int) -> None:
        """A big answer button: the next question, or the leaf (item, bundle, guide)."""
        self.engine._require(State.GUIDE)
        node = self.node
        if node is None:
            raise UnknownEntry("no question on screen")
        a = node.answers[index]
        self.state.notice = ""
        if a.next:
            self.state.chosen.append(a.zh)
            self.state.path.append(a.next)
            self.engine.touch()
            self.engine._changed()
            return
        self.leaf(a)

    def leaf(self, a: Answer) -> None:
        """Go where a leaf points; an item or bundle that cannot be served now shows its guide."""
        eng = self.engine
        if a.item:
            item = eng.catalogue.get(a.item) if eng.catalogue is not None else None
            reason = eng.unavailable_reason(item) if item is not None else "unknown"
            if not reason:
                eng.select(a.item)
                return
            g = self.guidance.guide_for_item(a.item)
            self.state.notice = reason
            if g is not None:
                self.open_guide(g.code)
            return
        if a.bundle:
            reason = eng.bundle.unavailable_reason(a.bundle)
            if not reason:
                eng.bundle.start(a.bundle)
                return
            self.state.notice = reason
            b = self.guidance.bundle(a.bundle)
            if b is not None and b.guide:
                self.open_guide(b.guide)
            return
        if a.guide:
            self.open_guide(a.guide)

    def crumb(self, level: int) -> None:
        """A breadcrumb: back to that question (-1: the roots)."""
        self.engine._require(State.GUIDE)
        keep = max(0, level + 1)
        self.state.path = self.state.path[:keep]
        self.state.chosen = self.state.chosen[: max(0, keep - 1)]
        if not self.state.path:
            self.state.root = ""
        self.state.notice = ""
        self.engine.touch()
        self.engine._changed()

    def back(self) -> None:
        """返回: the previous question, the roots, then home."""
        eng = self.engine
        if eng.state == State.ZHINAN:
            back_to = self.state.guide_from
            self.state.guide, self.state.print_state = "", ""
            if back_to in (State.GUIDE, State.POLICY, State.ITEM):
                self._go(back_to)
            else:
                eng.end("back")
            return
        if eng.state == State.POLICY:
            eng.end("back")
            return
        eng._require(State.GUIDE)
        if self.state.path:
            self.crumb(len(self.state.path) - 2)
        else:
            eng.end("back")

    def crumbs(self, lang: str = "zh_CN") -> list[str]:
        """Breadcrumb texts: the root, then each answer taken."""
        tree = self.guidance.tree
        if tree is None or not self.state.root:
            return []
        r = tree.root(self.state.root)
        out = [r.en if lang == "en" else r.zh]
        for node_id, zh in zip(self.state.path, self.state.chosen, strict=False):
            node = tree.nodes[node_id]
            ans = next((a for a in node.answers if a.zh == zh), None)
            out.append((ans.en if lang == "en" else ans.zh) if ans else zh)
        return out

    # ---- 办事指南 ----

    def open_guide(self, code: str) -> None:
        """Show a 办事指南 (from the tree, a policy, the item screen or the home screen)."""
        eng = self.engine
        eng._require(State.HOME, State.ITEM, *BROWSE)
        if self.guidance.guide(code) is None:
            raise UnknownEntry(f"no guide {code}")
        if eng.state != State.ZHINAN:
            self.state.guide_from = eng.state
        self.state.guide, self.state.print_state = code, ""
        self._go(State.ZHINAN)

    def guide_code(self, code: str) -> str:
        """The 办事指南 of an item or bundle code ("" if none)."""
        g = self.guidance.guide_for_item(code)
        if g is not None:
            return g.code
        b = self.guidance.bundle(code)
        return (b.guide or "") if b is not None else ""

    @property
    def guide(self) -> Guide | None:
        """The 办事指南 shown."""
        return self.guidance.guide(self.state.guide) if self.state.guide else None

    def guide_receipt(self) -> ReceiptDoc:
        """The 办事指南 as a receipt (materials, 容缺, time limit, fees, where, flow chart)."""
        from kiosk.guide.flowchart import guide_receipt

        g = self.guide
        assert g is not None
        title, lines, footer = guide_receipt(g, self.engine.lang)
        return ReceiptDoc(title=title, lines=tuple(lines), footer=footer)

    def print_guide(self) -> None:
        """打印指南 on the receipt printer; the outcome is what the printer confirmed."""
        eng = self.engine
        eng._require(State.ZHINAN)
        if self.state.print_state == "busy":
            return
        doc, printer = self.guide_receipt(), eng.printer
        self.state.print_state = "busy"
        self._gen += 1
        gen = self._gen
        eng.touch()
        eng._changed()

        def done(result: Any, err: BaseException | None) -> None:
            if gen != self._gen or eng.state != State.ZHINAN:
                return
            ok = err is None and isinstance(result, PrintOutcome) and result.printed
            self.state.print_state = "printed" if ok else "failed"
            if not ok:
                log.warning(
                    "guide not printed: %s",
                    getattr(result, "reason", None) or (type(err).__name__ if err else "unknown"),
                )
            eng.touch()
            eng._changed()

        eng.runner(lambda: printer.print_receipt(doc), done)

    def start_bundle(self) -> None:
        """开始办理 on a bundle's guide: the bundle itself."""
        code = next((b.code for b in self.guidance.bundles if b.guide == self.state.guide), "")
        if code:
            self.engine.bundle.start(code)

    # ---- policies ----

    def open_policies(self) -> None:
        """政策 on the home screen: the library."""
        self.engine._require(State.HOME, *BROWSE)
        self.state = BrowseState()
        self._go(State.POLICY)

    def set_category(self, code: str) -> None:
        """A category chip ("" = all)."""
        self.state.category = code
        self.engine.touch()
        self.engine._changed()

    def set_query(self, text: str) -> None:
        """The search box (typed with the on-screen input method)."""
        self.state.query = text[:40]
        self.engine.touch()
        self.engine._changed()

    def policies(self) -> list[Any]:
        """The policies shown: the category's, matching the query, best first."""
        hits = self.index().search(
            self.state.query, kinds=("policy",), category=self.state.category, limit=500
        )
        by_code = {p.code: p for p in self.guidance.policies}
        return [by_code[h.code] for h in hits if h.code in by_code]

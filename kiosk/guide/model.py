"""Typed, immutable model of the catalogue's guidance sections: 一件事一次办 bundles, the
guidance tree (安新办-style 树状图), 办事指南 and the policy library (built from a validated dict)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

log = logging.getLogger(__name__)

ROOTS = ("person", "business", "construction")
"""The three roots of the tree: 我是个人 / 我是企业 / 工程建设项目."""
MAX_DEPTH = 5
"""Questions on the longest way from a root to a leaf."""
LEAF_KINDS = ("item", "bundle", "guide")
"""What an answer may lead to besides the next question: a terminal item, a bundle, or an
off-terminal instruction (a 办事指南 with where to go, what to bring, opening hours)."""


@dataclass(frozen=True, slots=True)
class BundleReceipt:
    """The combined receipt of a bundle: title, footer (the items' lines come from the answer)."""

    title_zh: str
    title_en: str
    footer_zh: str = ""
    footer_en: str = ""


@dataclass(frozen=True, slots=True)
class Bundle:
    """一件事一次办: a life event done as several items with one identification."""

    code: str
    name_zh: str
    name_en: str
    description_zh: str
    description_en: str
    auth: str
    """The identification that covers every item (at least as strong as each item's own)."""
    items: tuple[str, ...]
    """Item codes, in the order they are filled and submitted."""
    shared: tuple[str, ...]
    """Field names entered once and sent with every item that has them."""
    receipt: BundleReceipt
    guide: str | None = None
    """Code of the bundle's 办事指南."""

    def name(self, language: str = "zh_CN") -> str:
        """The bundle name in the UI language."""
        return self.name_en if language == "en" else self.name_zh


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer button of a question: leads to the next node or to a leaf."""

    zh: str
    en: str
    next: str | None = None
    item: str | None = None
    bundle: str | None = None
    guide: str | None = None

    @property
    def leaf(self) -> tuple[str, str] | None:
        """("item"|"bundle"|"guide", code) for a leaf, None for an answer leading on."""
        for kind in LEAF_KINDS:
            code = getattr(self, kind)
            if code:
                return kind, code
        return None


@dataclass(frozen=True, slots=True)
class Node:
    """A plain question with 2–6 answers."""

    id: str
    question_zh: str
    question_en: str
    answers: tuple[Answer, ...]


@dataclass(frozen=True, slots=True)
class Root:
    """One of the tree's three roots (我是个人 …) and its first question."""

    id: str
    zh: str
    en: str
    node: str


@dataclass(frozen=True, slots=True)
class GuideTree:
    """The guidance tree: roots, and questions by id."""

    roots: tuple[Root, ...]
    nodes: Mapping[str, Node]

    def root(self, rid: str) -> Root:
        """The root with this id (KeyError if none)."""
        for r in self.roots:
            if r.id == rid:
                return r
        raise KeyError(rid)


@dataclass(frozen=True, slots=True)
class GuideMaterial:
    """A material of a 办事指南; `key: false` marks a 容缺 (may be handed in later) one."""

    zh: str
    en: str
    key: bool = True
    copies: str = ""
    note_zh: str = ""


@dataclass(frozen=True, slots=True)
class Step:
    """One box of the flow chart."""

    id: str
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class Arrow:
    """An arrow of the flow chart, optionally labelled (是 / 否 / 材料不全 …)."""

    src: str
    dst: str
    zh: str = ""
    en: str = ""


@dataclass(frozen=True, slots=True)
class Where:
    """Where to go when it is not done at the terminal: window, address, hours, phone."""

    window_zh: str
    window_en: str
    address_zh: str
    hours_zh: str
    hours_en: str
    phone: str = ""


@dataclass(frozen=True, slots=True)
class Guide:
    """办事指南 of one item or of a service not offered at the terminal."""

    code: str
    title_zh: str
    title_en: str
    department_zh: str
    materials: tuple[GuideMaterial, ...]
    steps: tuple[Step, ...]
    arrows: tuple[Arrow, ...]
    time_limit_zh: str
    time_limit_en: str
    fees_zh: str
    fees_en: str
    legal_basis: tuple[str, ...]
    where: Where
    item: str | None = None
    """The terminal item this guide belongs to (None: an off-terminal service)."""
    summary_zh: str = ""
    summary_en: str = ""

    def title(self, language: str = "zh_CN") -> str:
        """The title in the UI language."""
        return self.title_en if language == "en" else self.title_zh


@dataclass(frozen=True, slots=True)
class PolicyCategory:
    """A chip of the policy library."""

    code: str
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class Policy:
    """A policy summary: who qualifies, what you get, how to apply, validity."""

    code: str
    title: str
    department: str
    category: str
    audience: str
    benefit: str
    how: str
    valid_from: str
    valid_to: str
    """ISO date or "长期"."""
    keywords: tuple[str, ...] = ()
    guide: str | None = None


@dataclass(frozen=True)
class Guidance:
    """Everything the 我要办什么 / 办事指南 / 政策 screens show (empty when a catalogue has none)."""

    bundles: tuple[Bundle, ...] = ()
    tree: GuideTree | None = None
    guides: tuple[Guide, ...] = ()
    policy_categories: tuple[PolicyCategory, ...] = ()
    policies: tuple[Policy, ...] = ()
    _bundles: Mapping[str, Bundle] = field(default_factory=dict, repr=False, compare=False)
    _guides: Mapping[str, Guide] = field(default_factory=dict, repr=False, compare=False)
    _by_item: Mapping[str, Guide] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_bundles", MappingProxyType({b.code: b for b in self.bundles}))
        object.__setattr__(self, "_guides", MappingProxyType({g.code: g for g in self.guides}))
        object.__setattr__(
            self, "_by_item", MappingProxyType({g.item: g for g in self.guides if g.item})
        )

    def bundle(self, code: str) -> Bundle | None:
        """The bundle with this code, or None."""
        return self._bundles.get(code)

    def guide(self, code: str) -> Guide | None:
        """The 办事指南 with this code, or None."""
        return self._guides.get(code)

    def guide_for_item(self, item_code: str) -> Guide | None:
        """The 办事指南 of a terminal item, or None."""
        return self._by_item.get(item_code)


EMPTY = Guidance()

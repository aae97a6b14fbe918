"""Keyword search over policies, 办事指南, bundles and items (the text typed with the on-screen
input method): whole-word hits first, then hits of most of the query's character pairs."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kiosk.guide.model import Guidance

log = logging.getLogger(__name__)

MAX_QUERY = 40
_SPLIT = re.compile(r"[\s,，、;；。.!！?？:：/]+")


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: what it is, its code, its title and a score (higher first)."""

    kind: str
    """"policy", "guide", "bundle" or "item"."""
    code: str
    title: str
    score: float
    category: str = ""


@dataclass(frozen=True, slots=True)
class _Entry:
    kind: str
    code: str
    title: str
    title_n: str
    body_n: str
    pairs: frozenset[str]
    category: str


def normalise(text: str) -> str:
    """NFKC, lower case, no spaces (full-width letters and digits become ASCII)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).lower())


def _pairs(text: str) -> frozenset[str]:
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


class SearchIndex:
    """Built once per catalogue; `search` is a scan of precomputed normalised texts."""

    def __init__(self, entries: Iterable[tuple[str, str, str, str, str]]) -> None:
        self._entries: list[_Entry] = []
        for kind, code, title, body, category in entries:
            t, b = normalise(title), normalise(body)
            self._entries.append(_Entry(kind, code, title, t, b, _pairs(t + "|" + b), category))

    @classmethod
    def from_guidance(cls, guidance: Guidance, items: Iterable[Any] = ()) -> SearchIndex:
        """Index the policies, guides and bundles of a catalogue (and its items, if given)."""
        rows: list[tuple[str, str, str, str, str]] = []
        for p in guidance.policies:
            rows.append(
                (
                    "policy",
                    p.code,
                    p.title,
                    " ".join((p.department, " ".join(p.keywords), p.audience, p.benefit, p.how)),
                    p.category,
                )
            )
        for g in guidance.guides:
            rows.append(
                (
                    "guide",
                    g.code,
                    g.title_zh,
                    " ".join(
                        (
                            g.title_en,
                            g.department_zh,
                            g.summary_zh,
                            " ".join(m.zh for m in g.materials),
                            " ".join(s.zh for s in g.steps),
                        )
                    ),
                    "",
                )
            )
        for b in guidance.bundles:
            rows.append(("bundle", b.code, b.name_zh, b.name_en + " " + b.description_zh, ""))
        for it in items:
            rows.append(
                (
                    "item",
                    str(it.code),
                    str(it.name_zh),
                    f"{getattr(it, 'name_en', '')} {getattr(it, 'department_zh', '')} "
                    f"{getattr(it, 'description_zh', '')}",
                    str(getattr(it, "category", "")),
                )
            )
        return cls(rows)

    def __len__(self) -> int:
        return len(self._entries)

    def search(
        self, query: str, *, kinds: Iterable[str] | None = None, category: str = "", limit: int = 50
    ) -> list[Hit]:
        """Entries matching `query`, best first; an empty query lists everything (filtered)."""
        wanted = set(kinds) if kinds is not None else None
        terms = [normalise(t) for t in _SPLIT.split(query[:MAX_QUERY]) if normalise(t)]
        hits: list[Hit] = []
        for e in self._entries:
            if wanted is not None and e.kind not in wanted:
                continue
            if category and e.category != category:
                continue
            score = self._score(e, terms) if terms else 1.0
            if score > 0:
                hits.append(Hit(e.kind, e.code, e.title, score, e.category))
        hits.sort(key=lambda h: (-h.score, h.code))
        return hits[:limit]

    @staticmethod
    def _score(e: _Entry, terms: list[str]) -> float:
        total = 0.0
        for term in terms:
            if term in e.title_n:
                total += 3.0
            elif term in e.body_n:
                total += 2.0
            elif len(term) >= 3:
                pairs = _pairs(term)
                share = len(pairs & e.pairs) / len(pairs)
                if share < 0.5:
                    return 0.0
                total += share
            else:
                return 0.0  # every term must be found
        return total

"""The shipped guidance (issue 23): every leaf resolves, every guide's flow chart lays out with no
arrow through a box and prints, the search finds what a citizen types; and the validators
catch each kind of mistake, also on generated trees and bundles (hypothesis)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.catalogue.schema import build_catalogue, validate_catalogue
from kiosk.guide.flowchart import CIRCLED, crossings, guide_receipt, layout, receipt_lines
from kiosk.guide.model import MAX_DEPTH
from kiosk.guide.schema import validate_guidance
from kiosk.guide.search import SearchIndex
from tests.kiosk.catalogue.conftest import source_dict

FULL = source_dict()


@pytest.fixture
def full() -> dict[str, Any]:
    return copy.deepcopy(FULL)


def test_shipped_guidance_is_complete() -> None:
    cat = build_catalogue(copy.deepcopy(FULL))
    g = cat.guidance
    assert [r.zh for r in g.tree.roots] == ["我是个人", "我是企业", "工程建设项目"]
    assert len(g.policies) >= 20 and len(g.bundles) == 3
    assert len(cat.enabled_items()) == 17  # the home tiles stay the 17 high-frequency items
    assert {it.code for it in cat.items if it.enabled} <= {x.item for x in g.guides}
    assert any(not m.key for x in g.guides for m in x.materials)  # 容缺 marks are used
    newborn = g.bundle("YJS-XSE")
    assert newborn.items == ("GA-0703", "YB-0203", "RS-0104") and "baby_name" in newborn.shared


def test_i_just_had_a_baby_reaches_the_newborn_bundle() -> None:
    tree = build_catalogue(copy.deepcopy(FULL)).guidance.tree
    node = tree.nodes[tree.root("person").node]
    baby = next(a for a in node.answers if "宝宝" in a.zh)
    leaf = next(a for a in tree.nodes[baby.next].answers if a.bundle)
    assert leaf.bundle == "YJS-XSE"


@pytest.mark.parametrize("code", [g["code"] for g in FULL["guides"]])
def test_every_shipped_flow_chart_renders(code: str) -> None:
    cat = build_catalogue(copy.deepcopy(FULL))
    g = cat.guidance.guide(code)
    fl = layout(g)
    assert crossings(fl) == [], code
    assert all(0 <= b.left and b.right <= 1 and 0 <= b.top and b.bottom <= 1 for b in fl.boxes)
    assert {e.points[-1] for e in fl.edges} <= {
        (fl.box(e.dst).x, fl.box(e.dst).top) for e in fl.edges
    }
    lines = receipt_lines(g)
    assert [n for n, _ in lines if n] == list(CIRCLED[: len(g.steps)])  # every step printed once
    arrows_printed = sum(v.startswith(("↓", "→")) for _, v in lines)
    assert arrows_printed == len(g.arrows)
    title, body, footer = guide_receipt(g)
    text = "".join(v for _, v in body)
    assert title == g.title_zh and g.where.window_zh in text
    assert all(m.zh in text for m in g.materials)
    assert all((m.zh + "（容缺）") in text for m in g.materials if not m.key)
    assert "容缺" in footer
    text.encode("gb18030")  # the receipt printer's encoding holds every character


def test_search_finds_by_title_keyword_and_most_of_a_phrase() -> None:
    g = build_catalogue(copy.deepcopy(FULL)).guidance
    idx = SearchIndex.from_guidance(g)
    assert idx.search("创业担保贷款", kinds=("policy",))[0].code == "ZC-001"
    assert {h.code for h in idx.search("宝宝", kinds=("policy",))} == {"ZC-015", "ZC-016"}
    assert [h.code for h in idx.search("育儿补贴申请", kinds=("policy",))][:1] == ["ZC-016"]
    assert idx.search("不存在的词语组合", kinds=("policy",)) == []
    assert all(
        h.category == "housing" for h in idx.search("", kinds=("policy",), category="housing")
    )
    assert len(idx.search("", kinds=("policy",))) == len(g.policies)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["guide"]["nodes"][1]["answers"][0].update(bundle="YJS-NONE"),
            "leaf points to no bundle 'YJS-NONE'",
        ),
        (
            lambda d: d["guide"]["nodes"][0]["answers"][5].update(guide="ZN-NONE"),
            "leaf points to no guide 'ZN-NONE'",
        ),
        (
            lambda d: d["guide"]["nodes"][1]["answers"][1].update(item="XX-0000"),
            "leaf points to no item 'XX-0000'",
        ),
        (
            lambda d: d["guide"]["nodes"][1]["answers"][1].update(next="p_topic"),
            "needs exactly one of next, item, bundle, guide, got next, item",
        ),
        (
            lambda d: d["guide"]["nodes"][2]["answers"][0].update(bundle=None, next="p_topic"),
            "cycle: p_topic → p_retire → p_topic",
        ),
        (lambda d: d["guide"]["roots"].pop(), "must be the three roots"),
        (
            lambda d: d["bundles"][0]["items"].append("GA-0702"),
            "field 'id_number' differs between the items",
        ),
        (lambda d: d["bundles"][0].update(shared=["id_number"]), "field 'baby_name' is in items"),
        (
            lambda d: d["bundles"][0]["items"].__setitem__(0, "RS-0102"),
            "each must be an apply item",
        ),
        (lambda d: d["bundles"][0].update(auth="id_card_or_qr"), "does not cover item"),
        (
            lambda d: d["guides"][0]["arrows"].append({"from": "s5", "to": "s2"}),
            "go round in a circle",
        ),
        (
            lambda d: d["guides"][0]["arrows"].append({"from": "s9", "to": "s1"}),
            "joins an unknown step",
        ),
        (lambda d: d["guides"].pop(0), "item RS-0101 has no 办事指南"),
        (lambda d: d["policies"][0].update(category="nope"), "unknown policy category 'nope'"),
        (lambda d: d["policies"][0].update(valid_to="2020-01-01"), "is before valid_from"),
        (lambda d: d["policies"][1].update(code="ZC-001"), "duplicate policy code 'ZC-001'"),
    ],
)
def test_each_guidance_mistake_is_named(full: dict, change: Any, expected: str) -> None:
    change(full)
    problems = validate_catalogue(full)
    assert any(expected in p for p in problems), problems


def _tree(edges: dict[int, list[int]], leaves: int = 2) -> dict[str, Any]:
    """A catalogue dict with a generated tree: node i answers lead to nodes, else to an item."""
    data = copy.deepcopy(FULL)
    nodes = []
    for i, nxt in edges.items():
        answers = [{"zh": f"去{j}", "en": f"to {j}", "next": f"n{j}"} for j in nxt]
        answers += [
            {"zh": f"办{k}", "en": f"do {k}", "item": "ZW-1001"}
            for k in range(max(0, 2 - len(answers)) + (leaves if not nxt else 0))
        ][: 6 - len(answers)]
        nodes.append(
            {"id": f"n{i}", "question_zh": f"问题{i}", "question_en": f"Q{i}", "answers": answers}
        )
    data["guide"] = {
        "roots": [
            {"id": r, "zh": r, "en": r, "node": "n0"}
            for r in ("person", "business", "construction")
        ],
        "nodes": nodes,
    }
    return data


def _depth(edges: dict[int, list[int]], n: int, seen: tuple[int, ...] = ()) -> float:
    if n in seen:
        return float("inf")
    return 1 + max((_depth(edges, m, seen + (n,)) for m in edges[n]), default=0)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=1, max_value=9).flatmap(
        lambda n: st.fixed_dictionaries(
            {
                i: st.lists(st.integers(min_value=0, max_value=n - 1), max_size=3, unique=True)
                for i in range(n)
            }
        )
    )
)
def test_generated_trees_are_judged_like_a_person_would(edges: dict[int, list[int]]) -> None:
    problems = validate_guidance(_tree(edges))
    depth = _depth(edges, 0)
    reach: set[int] = set()
    todo = [0]
    while todo:
        n = todo.pop()
        if n not in reach:
            reach.add(n)
            todo += edges[n]
    cyclic = depth == float("inf")
    assert any("cycle" in p for p in problems) == cyclic, problems
    if not cyclic:
        assert any("questions deep" in p for p in problems) == (depth > MAX_DEPTH), problems
    assert any("cannot be reached" in p for p in problems) == (reach != set(edges)), problems


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["GA-0703", "YB-0203", "RS-0104", "GA-0702", "RS-0102", "RX-1101", "XX-0001"]
        ),
        min_size=0,
        max_size=9,
    ),
    st.lists(
        st.sampled_from(
            [
                "id_number",
                "baby_name",
                "baby_sex",
                "baby_birth",
                "birth_cert_no",
                "phone",
                "purpose",
                "nope",
            ]
        ),
        max_size=8,
        unique=True,
    ),
)
def test_generated_bundles_pass_only_when_sound(items: list[str], shared: list[str]) -> None:
    data = copy.deepcopy(FULL)
    data["bundles"][0]["items"] = items
    data["bundles"][0]["shared"] = shared
    problems = [p for p in validate_guidance(data) if p.startswith("bundles[0]")]
    by_code = {it["code"]: it for it in data["items"]}
    known = [by_code[c] for c in items if c in by_code]
    fields: dict[str, int] = {}
    for it in known:
        for f in it["fields"]:
            fields[f["name"]] = fields.get(f["name"], 0) + 1
    sound = (
        2 <= len(items) <= 8
        and len(set(items)) == len(items)
        and len(known) == len(items)
        and all(it["kind"] == "apply" and "anonymous" not in it for it in known)
        and all(fields.get(s, 0) >= 2 for s in shared)
        and all(n in shared for n, k in fields.items() if k >= 2)
    )
    if sound:  # fields shared by name must also agree in meaning (labels differ across items)
        sound = not any("differs between the items" in p for p in problems)
    assert (problems == []) == sound, problems

"""Validation of the catalogue's guidance sections (bundles, guide, guides, policies) with
precise paths, and building their typed model (kiosk.guide.model)."""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Any

from kiosk.catalogue.schema import _Checker, _tname
from kiosk.guide.model import (
    LEAF_KINDS,
    MAX_DEPTH,
    ROOTS,
    Answer,
    Arrow,
    Bundle,
    BundleReceipt,
    Guidance,
    Guide,
    GuideMaterial,
    GuideTree,
    Node,
    Policy,
    PolicyCategory,
    Root,
    Step,
    Where,
)

log = logging.getLogger(__name__)

SECTION_KEYS = frozenset({"bundles", "guide", "guides", "policy_categories", "policies"})
BUNDLE_RE = re.compile(r"YJS-[0-9A-Z][0-9A-Z-]{1,30}")
GUIDE_RE = re.compile(r"ZN-[0-9A-Z][0-9A-Z-]{1,30}")
POLICY_RE = re.compile(r"ZC-[0-9]{3,6}")
NODE_RE = re.compile(r"[a-z][a-z0-9_]{0,39}")
STEP_RE = re.compile(r"[a-z][a-z0-9_]{0,15}")
CAT_RE = re.compile(r"[a-z][a-z0-9_]{0,31}")
MAX_BUNDLE_ITEMS = 8
MAX_STEPS = 12
MAX_POLICIES = 5000
# identification strength: a bundle's auth must be at least every item's (one card covers all)
AUTH_RANK = {"none": 0, "id_card_or_qr": 1, "id_card": 2, "sscard": 2, "id_card+face": 3}

BUNDLE_KEYS = {
    "code",
    "name_zh",
    "name_en",
    "description_zh",
    "description_en",
    "auth",
    "items",
    "shared",
    "receipt",
    "guide",
}
GUIDE_KEYS = {
    "code",
    "item",
    "title_zh",
    "title_en",
    "department_zh",
    "summary_zh",
    "summary_en",
    "materials",
    "steps",
    "arrows",
    "time_limit_zh",
    "time_limit_en",
    "fees_zh",
    "fees_en",
    "legal_basis",
    "where",
}
WHERE_KEYS = {"window_zh", "window_en", "address_zh", "hours_zh", "hours_en", "phone"}
POLICY_KEYS = {
    "code",
    "title",
    "department",
    "category",
    "audience",
    "benefit",
    "how",
    "valid_from",
    "valid_to",
    "keywords",
    "guide",
}


def _known(ref: Any, pool: Any) -> bool:
    """Whether `ref` is text naming an entry of `pool` (a list or an object is never a name)."""
    return isinstance(ref, str) and ref in pool


def auth_rank(auth: Any) -> int:
    """Strength of an item's identification (a list of methods: its weakest, any may be used)."""
    if isinstance(auth, list):
        ranks = [AUTH_RANK.get(str(a), 0) for a in auth] or [0]
        return min(ranks)
    return AUTH_RANK.get(str(auth), 0)


def _code(c: _Checker, d: dict, key: str, path: str, rx: re.Pattern[str]) -> str | None:
    v = d.get(key)
    if key in d and (not isinstance(v, str) or not rx.fullmatch(v)):
        c.add(f"{path}.{key}", f"must match {rx.pattern}, got {v!r}")
        return None
    return v if isinstance(v, str) else None


def _texts(c: _Checker, d: dict, path: str, keys: tuple[str, ...], max_len: int = 200) -> None:
    for k in keys:
        c.text(d, k, path, max_len=max_len)


def _fields_by_name(item: dict) -> dict[str, dict]:
    return {
        f["name"]: f
        for f in item.get("fields", [])
        if isinstance(f, dict) and isinstance(f.get("name"), str)
    }


def _same_field(a: dict, b: dict) -> bool:
    keys = ("type", "label_zh", "options", "prefill", "pattern", "min", "max")
    return all(a.get(k) == b.get(k) for k in keys)


def _check_bundles(c: _Checker, data: dict, items: dict[str, dict], guides: set[str]) -> set[str]:
    codes: set[str] = set()
    for i, b in enumerate(c.list_(data, "bundles", "")):
        p = f"bundles[{i}]"
        if not c.obj(
            b,
            p,
            BUNDLE_KEYS,
            (
                "code",
                "name_zh",
                "name_en",
                "description_zh",
                "description_en",
                "auth",
                "items",
                "receipt",
            ),
        ):
            continue
        code = _code(c, b, "code", p, BUNDLE_RE)
        if code in codes:
            c.add(f"{p}.code", f"duplicate bundle code {code!r}")
        elif code:
            codes.add(code)
        _texts(c, b, p, ("name_zh", "name_en"))
        _texts(c, b, p, ("description_zh", "description_en"), max_len=1000)
        auth = b.get("auth")
        if "auth" in b and (not _known(auth, AUTH_RANK) or auth == "none"):
            c.add(
                f"{p}.auth",
                f"must identify the citizen once for all items: one of "
                f"{', '.join(a for a in AUTH_RANK if a != 'none')}, got {auth!r}",
            )
        members = c.list_(b, "items", p)
        if (
            "items" in b
            and isinstance(b["items"], list)
            and not 2 <= len(members) <= MAX_BUNDLE_ITEMS
        ):
            c.add(f"{p}.items", f"a bundle has 2–{MAX_BUNDLE_ITEMS} items, got {len(members)}")
        if len(set(map(str, members))) != len(members):
            c.add(f"{p}.items", "lists an item twice")
        found: list[dict] = []
        for j, m in enumerate(members):
            it = items.get(m) if isinstance(m, str) else None
            if it is None:
                c.add(f"{p}.items[{j}]", f"unknown item {m!r}")
                continue
            found.append(it)
            if it.get("kind") != "apply":
                c.add(
                    f"{p}.items[{j}]",
                    f"item {m} is a {it.get('kind')} item; a bundle submits "
                    "its items as one request, so each must be an apply item",
                )
            if it.get("anonymous") is not None:
                c.add(
                    f"{p}.items[{j}]",
                    f"item {m} allows anonymous requests; a bundle is always identified",
                )
            if _known(auth, AUTH_RANK) and auth_rank(it.get("auth")) > AUTH_RANK[auth]:
                c.add(
                    f"{p}.auth",
                    f"{auth!r} does not cover item {m}'s identification {it.get('auth')!r}",
                )
        _check_shared(c, b, p, found)
        r = b.get("receipt")
        if "receipt" in b and c.obj(
            r,
            f"{p}.receipt",
            {"title_zh", "title_en", "footer_zh", "footer_en"},
            ("title_zh", "title_en"),
        ):
            _texts(c, r, f"{p}.receipt", ("title_zh", "title_en"))
            c.text(r, "footer_zh", f"{p}.receipt", required=False, max_len=500)
            c.text(r, "footer_en", f"{p}.receipt", required=False, max_len=500)
        g = b.get("guide")
        if g is not None and not _known(g, guides):
            c.add(f"{p}.guide", f"unknown guide {g!r}")
    return codes


def _check_shared(c: _Checker, b: dict, p: str, found: list[dict]) -> None:
    shared = c.list_(b, "shared", p)
    per_item = [_fields_by_name(it) for it in found]
    for j, name in enumerate(shared):
        holders = [f[name] for f in per_item if isinstance(name, str) and name in f]
        if len(holders) < 2:
            c.add(
                f"{p}.shared[{j}]",
                f"field {name!r} is not a field of two or more of the "
                "bundle's items (nothing to share)",
            )
        elif any(not _same_field(holders[0], h) for h in holders[1:]):
            c.add(
                f"{p}.shared[{j}]",
                f"field {name!r} differs between the items (type, label, "
                "options or limits): entered once, it must mean the same everywhere",
            )
    seen: dict[str, str] = {}
    for it, fields in zip(found, per_item, strict=True):
        for name in fields:
            if name in seen and name not in shared:
                c.add(
                    f"{p}.shared",
                    f"field {name!r} is in items {seen[name]} and "
                    f"{it.get('code')}: list it in shared (entered once) or rename one",
                )
            seen.setdefault(name, str(it.get("code")))


def _check_tree(
    c: _Checker, data: dict, items: dict[str, dict], bundles: set[str], guides: set[str]
) -> None:
    t = data.get("guide")
    if not c.obj(t, "guide", {"roots", "nodes"}, ("roots", "nodes")) or not isinstance(t, dict):
        return
    nodes: dict[str, list[str]] = {}
    for i, n in enumerate(c.list_(t, "nodes", "guide")):
        p = f"guide.nodes[{i}]"
        if not c.obj(
            n,
            p,
            {"id", "question_zh", "question_en", "answers"},
            ("id", "question_zh", "question_en", "answers"),
        ):
            continue
        nid = _code(c, n, "id", p, NODE_RE)
        if nid in nodes:
            c.add(f"{p}.id", f"duplicate node id {nid!r}")
            nid = None
        _texts(c, n, p, ("question_zh", "question_en"))
        nxt: list[str] = []
        answers = c.list_(n, "answers", p)
        if "answers" in n and isinstance(n["answers"], list) and not 2 <= len(answers) <= 6:
            c.add(f"{p}.answers", f"a question has 2–6 answers, got {len(answers)}")
        for j, a in enumerate(answers):
            ap = f"{p}.answers[{j}]"
            if not c.obj(a, ap, {"zh", "en", "next", *LEAF_KINDS}, ("zh", "en")):
                continue
            _texts(c, a, ap, ("zh", "en"), max_len=40)
            targets = [k for k in ("next", *LEAF_KINDS) if a.get(k) is not None]
            if len(targets) != 1:
                c.add(
                    ap,
                    "needs exactly one of next, item, bundle, guide, got "
                    + (", ".join(targets) or "none"),
                )
                continue
            kind, ref = targets[0], a[targets[0]]
            if kind == "next":
                nxt.append(str(ref))
            elif kind == "item" and (
                not _known(ref, items) or items[ref].get("enabled", True) is False
            ):
                c.add(
                    f"{ap}.item",
                    f"leaf points to {'a disabled' if _known(ref, items) else 'no'} item {ref!r}",
                )
            elif kind == "bundle" and not _known(ref, bundles):
                c.add(f"{ap}.bundle", f"leaf points to no bundle {ref!r}")
            elif kind == "guide" and not _known(ref, guides):
                c.add(f"{ap}.guide", f"leaf points to no guide {ref!r}")
        if nid is not None:
            nodes[nid] = nxt
    roots = c.list_(t, "roots", "guide")
    ids = []
    for i, r in enumerate(roots):
        p = f"guide.roots[{i}]"
        if c.obj(r, p, {"id", "zh", "en", "node"}, ("id", "zh", "en", "node")):
            _texts(c, r, p, ("zh", "en"), max_len=40)
            ids.append(r.get("id"))
            if not _known(r.get("node"), nodes):
                c.add(f"{p}.node", f"unknown node {r.get('node')!r}")
    if "roots" in t and ids != list(ROOTS):
        c.add(
            "guide.roots", f"must be the three roots {', '.join(ROOTS)} in this order, got {ids!r}"
        )
    for nid, targets in nodes.items():
        for ref in targets:
            if ref not in nodes:
                c.add(f"guide.nodes[{nid}]", f"answer leads to unknown node {ref!r}")
    starts = [r.get("node") for r in roots if isinstance(r, dict) and _known(r.get("node"), nodes)]
    _check_depth(c, nodes, starts)


def _check_depth(c: _Checker, nodes: dict[str, list[str]], starts: list[Any]) -> None:
    """No cycles, every node reachable, at most MAX_DEPTH questions from a root to a leaf."""
    depth: dict[str, int] = {}
    state: dict[str, int] = {}  # 1 on the path, 2 done

    def walk(nid: str, path: list[str]) -> int:
        if state.get(nid) == 1:
            c.add("guide.nodes", "cycle: " + " → ".join(path[path.index(nid) :] + [nid]))
            return 0
        if state.get(nid) == 2:
            return depth[nid]
        state[nid] = 1
        below = max((walk(n, path + [nid]) for n in nodes.get(nid, ()) if n in nodes), default=0)
        state[nid] = 2
        depth[nid] = below + 1
        return depth[nid]

    for s in starts:
        d = walk(s, [])
        if d > MAX_DEPTH:
            c.add("guide.nodes", f"node {s!r}: {d} questions deep, at most {MAX_DEPTH}")
    for nid in nodes:
        if nid not in state:
            c.add("guide.nodes", f"node {nid!r} cannot be reached from any root")


def _check_guides(c: _Checker, data: dict, items: dict[str, dict]) -> set[str]:
    codes: set[str] = set()
    by_item: dict[str, int] = {}
    for i, g in enumerate(c.list_(data, "guides", "")):
        p = f"guides[{i}]"
        if not c.obj(
            g,
            p,
            GUIDE_KEYS,
            (
                "code",
                "title_zh",
                "title_en",
                "department_zh",
                "materials",
                "steps",
                "arrows",
                "time_limit_zh",
                "time_limit_en",
                "fees_zh",
                "fees_en",
                "legal_basis",
                "where",
            ),
        ):
            continue
        code = _code(c, g, "code", p, GUIDE_RE)
        if code in codes:
            c.add(f"{p}.code", f"duplicate guide code {code!r}")
        elif code:
            codes.add(code)
        _texts(
            c,
            g,
            p,
            (
                "title_zh",
                "title_en",
                "department_zh",
                "time_limit_zh",
                "time_limit_en",
                "fees_zh",
                "fees_en",
            ),
        )
        c.text(g, "summary_zh", p, required=False, max_len=500)
        c.text(g, "summary_en", p, required=False, max_len=500)
        item = g.get("item")
        if item is not None:
            if not _known(item, items):
                c.add(f"{p}.item", f"unknown item {item!r}")
            elif item in by_item:
                c.add(f"{p}.item", f"item {item} already has guides[{by_item[item]}]")
            else:
                by_item[item] = i
        mats = c.list_(g, "materials", p)
        if "materials" in g and isinstance(g["materials"], list) and not mats:
            c.add(f"{p}.materials", "a guide lists at least one material")
        for j, m in enumerate(mats):
            mp = f"{p}.materials[{j}]"
            if c.obj(m, mp, {"zh", "en", "key", "copies", "note_zh"}, ("zh", "en")):
                _texts(c, m, mp, ("zh", "en"))
                c.bool_(m, "key", mp)
                c.text(m, "copies", mp, required=False, max_len=40)
                c.text(m, "note_zh", mp, required=False)
        basis = c.list_(g, "legal_basis", p)
        if "legal_basis" in g and isinstance(g["legal_basis"], list) and not basis:
            c.add(f"{p}.legal_basis", "name at least one law or regulation")
        for j, b in enumerate(basis):
            if not isinstance(b, str) or not b.strip() or len(b) > 200:
                c.add(f"{p}.legal_basis[{j}]", f"must be text of 1–200 characters, got {_tname(b)}")
        w = g.get("where")
        if "where" in g and c.obj(
            w,
            f"{p}.where",
            WHERE_KEYS,
            ("window_zh", "window_en", "address_zh", "hours_zh", "hours_en"),
        ):
            _texts(
                c, w, f"{p}.where", ("window_zh", "window_en", "address_zh", "hours_zh", "hours_en")
            )
            c.text(w, "phone", f"{p}.where", required=False, max_len=40)
        check_flow(c, g, p)
    for code, it in items.items():
        if "guides" in data and it.get("enabled", True) and code not in by_item:
            c.add("guides", f"item {code} has no 办事指南 (every enabled item needs one)")
    return codes


def check_flow(c: _Checker, g: dict, p: str) -> None:
    """The flow chart as data: 2–12 steps, arrows between them, one start, acyclic, all reached."""
    ids: list[str] = []
    steps = c.list_(g, "steps", p)
    if "steps" in g and isinstance(g["steps"], list) and not 2 <= len(steps) <= MAX_STEPS:
        c.add(f"{p}.steps", f"a flow chart has 2–{MAX_STEPS} steps, got {len(steps)}")
    for j, s in enumerate(steps):
        sp = f"{p}.steps[{j}]"
        if c.obj(s, sp, {"id", "zh", "en"}, ("id", "zh", "en")):
            sid = _code(c, s, "id", sp, STEP_RE)
            _texts(c, s, sp, ("zh", "en"), max_len=24)
            if sid in ids:
                c.add(f"{sp}.id", f"duplicate step id {sid!r}")
            elif sid:
                ids.append(sid)
    out: dict[str, list[str]] = {s: [] for s in ids}
    into: dict[str, int] = {s: 0 for s in ids}
    for j, a in enumerate(c.list_(g, "arrows", p)):
        ap = f"{p}.arrows[{j}]"
        if not c.obj(a, ap, {"from", "to", "zh", "en"}, ("from", "to")):
            continue
        c.text(a, "zh", ap, required=False, max_len=8)
        c.text(a, "en", ap, required=False, max_len=16)
        src, dst = a.get("from"), a.get("to")
        if not _known(src, out) or not _known(dst, out):
            c.add(ap, f"arrow {src!r} → {dst!r} joins an unknown step")
            continue
        if dst in out[src]:
            c.add(ap, f"arrow {src} → {dst} drawn twice")
        out[src].append(dst)
        into[dst] += 1
    if not ids or "arrows" not in g:
        return
    starts = [s for s in ids if into[s] == 0]
    if len(starts) != 1:
        c.add(
            f"{p}.arrows",
            f"a flow chart has one start (a step no arrow leads to), got "
            f"{', '.join(starts) or 'none'}",
        )
        return
    order: list[str] = []
    indeg = dict(into)
    ready = list(starts)
    while ready:
        s = ready.pop()
        order.append(s)
        for d in out[s]:
            indeg[d] -= 1
            if indeg[d] == 0:
                ready.append(d)
    if len(order) != len(ids):
        c.add(
            f"{p}.arrows",
            "the arrows go round in a circle (a flow chart reads top to "
            "bottom: say 补正后重新提交 in a label instead)",
        )


def _check_policies(c: _Checker, data: dict, guides: set[str]) -> None:
    cats: set[str] = set()
    for i, pc in enumerate(c.list_(data, "policy_categories", "")):
        p = f"policy_categories[{i}]"
        if c.obj(pc, p, {"code", "zh", "en"}, ("code", "zh", "en")):
            code = _code(c, pc, "code", p, CAT_RE)
            _texts(c, pc, p, ("zh", "en"), max_len=20)
            if code in cats:
                c.add(f"{p}.code", f"duplicate category {code!r}")
            elif code:
                cats.add(code)
    policies = c.list_(data, "policies", "")
    if "policies" in data and "policy_categories" not in data:
        c.add("policy_categories", "required with policies (the library's chips)")
    if len(policies) > MAX_POLICIES:
        c.add("policies", f"at most {MAX_POLICIES} policies, got {len(policies)}")
        return
    codes: set[str] = set()
    for i, pol in enumerate(policies):
        p = f"policies[{i}]"
        if not c.obj(
            pol,
            p,
            POLICY_KEYS,
            (
                "code",
                "title",
                "department",
                "category",
                "audience",
                "benefit",
                "how",
                "valid_from",
                "valid_to",
            ),
        ):
            continue
        code = _code(c, pol, "code", p, POLICY_RE)
        if code in codes:
            c.add(f"{p}.code", f"duplicate policy code {code!r}")
        elif code:
            codes.add(code)
        _texts(c, pol, p, ("title", "department"), max_len=80)
        _texts(c, pol, p, ("audience", "benefit", "how"), max_len=400)
        if "category" in pol and not _known(pol["category"], cats):
            c.add(f"{p}.category", f"unknown policy category {pol['category']!r}")
        start = _date(c, pol, "valid_from", p, allow_open=False)
        end = _date(c, pol, "valid_to", p, allow_open=True)
        if start and end and end < start:
            c.add(f"{p}.valid_to", f"{end} is before valid_from {start}")
        for j, k in enumerate(c.list_(pol, "keywords", p)):
            if not isinstance(k, str) or not 1 <= len(k.strip()) <= 16:
                c.add(f"{p}.keywords[{j}]", f"must be a word of 1–16 characters, got {k!r}")
        g = pol.get("guide")
        if g is not None and not _known(g, guides):
            c.add(f"{p}.guide", f"unknown guide {g!r}")


def _date(c: _Checker, d: dict, key: str, path: str, *, allow_open: bool) -> date | None:
    v = d.get(key)
    if key not in d:
        return None
    if allow_open and v == "长期":
        return None
    try:
        return date.fromisoformat(v) if isinstance(v, str) else None  # type: ignore[return-value]
    except ValueError:
        pass
    c.add(
        f"{path}.{key}",
        "must be an ISO date (YYYY-MM-DD)" + (' or "长期"' if allow_open else "") + f", got {v!r}",
    )
    return None


def check_guidance(c: _Checker, data: dict) -> None:
    """Add every problem of the guidance sections of a catalogue dict to `c`."""
    if not SECTION_KEYS & set(data):
        return
    items = (
        {
            it["code"]: it
            for it in data.get("items", [])
            if isinstance(it, dict) and isinstance(it.get("code"), str)
        }
        if isinstance(data.get("items"), list)
        else {}
    )
    guides = _check_guides(c, data, items) if "guides" in data else set()
    bundles = _check_bundles(c, data, items, guides) if "bundles" in data else set()
    if "guide" in data:
        _check_tree(c, data, items, bundles, guides)
    if "policies" in data or "policy_categories" in data:
        _check_policies(c, data, guides)


def validate_guidance(data: Any) -> list[str]:
    """Every problem of the guidance sections as `path: message` (empty when valid)."""
    c = _Checker()
    if isinstance(data, dict):
        check_guidance(c, data)
    return c.problems


def _guide(g: dict) -> Guide:
    w = g["where"]
    return Guide(
        code=g["code"],
        title_zh=g["title_zh"],
        title_en=g["title_en"],
        department_zh=g["department_zh"],
        materials=tuple(
            GuideMaterial(
                m["zh"], m["en"], m.get("key", True), m.get("copies", ""), m.get("note_zh", "")
            )
            for m in g["materials"]
        ),
        steps=tuple(Step(s["id"], s["zh"], s["en"]) for s in g["steps"]),
        arrows=tuple(
            Arrow(a["from"], a["to"], a.get("zh", ""), a.get("en", "")) for a in g["arrows"]
        ),
        time_limit_zh=g["time_limit_zh"],
        time_limit_en=g["time_limit_en"],
        fees_zh=g["fees_zh"],
        fees_en=g["fees_en"],
        legal_basis=tuple(g["legal_basis"]),
        where=Where(
            w["window_zh"],
            w["window_en"],
            w["address_zh"],
            w["hours_zh"],
            w["hours_en"],
            w.get("phone", ""),
        ),
        item=g.get("item"),
        summary_zh=g.get("summary_zh", ""),
        summary_en=g.get("summary_en", ""),
    )


def build_guidance(data: dict) -> Guidance:
    """The typed guidance of a catalogue dict already validated (validate_catalogue)."""
    tree = None
    t = data.get("guide")
    if t:
        tree = GuideTree(
            roots=tuple(Root(r["id"], r["zh"], r["en"], r["node"]) for r in t["roots"]),
            nodes={
                n["id"]: Node(
                    n["id"],
                    n["question_zh"],
                    n["question_en"],
                    tuple(
                        Answer(
                            a["zh"],
                            a["en"],
                            a.get("next"),
                            a.get("item"),
                            a.get("bundle"),
                            a.get("guide"),
                        )
                        for a in n["answers"]
                    ),
                )
                for n in t["nodes"]
            },
        )
    return Guidance(
        bundles=tuple(
            Bundle(
                b["code"],
                b["name_zh"],
                b["name_en"],
                b["description_zh"],
                b["description_en"],
                b["auth"],
                tuple(b["items"]),
                tuple(b.get("shared", ())),
                BundleReceipt(
                    b["receipt"]["title_zh"],
                    b["receipt"]["title_en"],
                    b["receipt"].get("footer_zh", ""),
                    b["receipt"].get("footer_en", ""),
                ),
                b.get("guide"),
            )
            for b in data.get("bundles", ())
        ),
        tree=tree,
        guides=tuple(_guide(g) for g in data.get("guides", ())),
        policy_categories=tuple(
            PolicyCategory(x["code"], x["zh"], x["en"]) for x in data.get("policy_categories", ())
        ),
        policies=tuple(
            Policy(
                p["code"],
                p["title"],
                p["department"],
                p["category"],
                p["audience"],
                p["benefit"],
                p["how"],
                p["valid_from"],
                p["valid_to"],
                tuple(p.get("keywords", ())),
                p.get("guide"),
            )
            for p in data.get("policies", ())
        ),
    )


def strip_guidance(data: dict) -> dict:
    """The catalogue dict without its guidance sections and bundle-only items (to trim a
    catalogue's items without leaving the tree, bundles and guides pointing at missing ones)."""
    out = {k: v for k, v in data.items() if k not in SECTION_KEYS}
    if isinstance(out.get("items"), list):
        out["items"] = [
            it for it in out["items"] if not (isinstance(it, dict) and it.get("tile") is False)
        ]
    return out

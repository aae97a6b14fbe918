"""Guidance (issue 23): verify + validate + load the catalogue with bundles, the tree, the guides
and 200 policies, against today's 17-item catalogue measured in the same run (goal ≤ 2×); and
the guide search over it (goal ≤ 50 ms per query)."""

from __future__ import annotations

import copy
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.catalogue.signing import parse_bundle, sign_catalogue, verify_bundle
from kiosk.guide.schema import strip_guidance
from kiosk.guide.search import SearchIndex

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "config" / "catalogue" / "bundle.json"
GOAL_RATIO = 2.0
GOAL_SEARCH_MS = 50.0
POLICIES = 200
QUERIES = (
    "补贴",
    "创业 贷款",
    "公积金",
    "宝宝",
    "退休",
    "育儿补贴申请",
    "施工许可",
    "不存在的词",
    "个体户",
    "gongjijin",
    "高龄老人",
    "稳岗返还",
)


def _times_ms(fn: Callable[[], object], repeat: int) -> list[float]:
    fn()
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def _signed(data: dict, key: Ed25519PrivateKey) -> bytes:
    return json.dumps(sign_catalogue(data, key, "bench"), ensure_ascii=False).encode("utf-8")


def with_policies(n: int) -> dict:
    """The shipped catalogue with its policies repeated to `n` (new codes)."""
    data = copy.deepcopy(parse_bundle(BUNDLE.read_bytes())["catalogue"])
    base = data["policies"]
    out = []
    for i in range(n):
        p = copy.deepcopy(base[i % len(base)])
        p["code"] = f"ZC-{i + 1:04d}"
        p["title"] = f"{p['title']}（{i // len(base) + 1}）"
        out.append(p)
    data["policies"] = out
    return data


def run() -> dict:
    """Both loads in the same run (median of 30), the search per query."""
    key = Ed25519PrivateKey.generate()
    trusted = {"bench": key.public_key()}
    today = _signed(strip_guidance(parse_bundle(BUNDLE.read_bytes())["catalogue"]), key)
    full_data = with_policies(POLICIES)
    full = _signed(full_data, key)
    base_ms = statistics.median(_times_ms(lambda: verify_bundle(today, trusted), 30))
    full_ms = statistics.median(_times_ms(lambda: verify_bundle(full, trusted), 30))
    cat = verify_bundle(full, trusted)
    build_ms = statistics.median(_times_ms(lambda: SearchIndex.from_guidance(cat.guidance), 10))
    idx = SearchIndex.from_guidance(cat.guidance)
    per_query = {
        q: round(statistics.median(_times_ms(lambda q=q: idx.search(q), 20)), 3) for q in QUERIES
    }
    worst = max(per_query.values())
    ratio = full_ms / max(base_ms, 1e-6)
    return {
        "baseline_17_items_ms": round(base_ms, 3),
        "baseline_bytes": len(today),
        "with_guidance_ms": round(full_ms, 3),
        "with_guidance_bytes": len(full),
        "items": len(cat.items),
        "policies": len(cat.guidance.policies),
        "guides": len(cat.guidance.guides),
        "bundles": len(cat.guidance.bundles),
        "ratio": round(ratio, 2),
        "goal_ratio": GOAL_RATIO,
        "meets_ratio": ratio <= GOAL_RATIO,
        "search_index_build_ms": round(build_ms, 3),
        "search_ms_by_query": per_query,
        "search_worst_ms": worst,
        "goal_search_ms": GOAL_SEARCH_MS,
        "meets_search": worst <= GOAL_SEARCH_MS,
        "entries_indexed": len(idx),
    }

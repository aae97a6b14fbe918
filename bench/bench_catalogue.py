"""Catalogue: verify + validate + load the 17-item and a 1,000-item bundle, against json.loads."""

from __future__ import annotations

import copy
import functools
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.catalogue.schema import build_catalogue, validate_catalogue
from kiosk.catalogue.signing import (
    canonical_json,
    check_signatures,
    load_public_key,
    parse_bundle,
    sign_catalogue,
    verify_bundle,
)
from kiosk.catalogue.store import CatalogueStore

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "config" / "catalogue" / "bundle.json"
DEMO_PUB = ROOT / "config" / "demo" / "catalogue-demo.pub"
GOAL_17_MS = 30.0
GOAL_1000_MS = 300.0


def _times_ms(fn: Callable[[], object], repeat: int) -> list[float]:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def _median_ms(fn: Callable[[], object], repeat: int) -> float:
    return round(statistics.median(_times_ms(fn, repeat)), 3)


def _scaling(key: Ed25519PrivateKey) -> dict:
    """Per-item cost at several sizes, best of 5 (least disturbed by other load on the machine)."""
    trusted = {"bench": key.public_key()}
    per_item = {}
    for n in (17, 100, 250, 1000):
        data = _big_bundle(n, key)
        # partial binds this size's bundle now (a lambda would read `data` when called: B023)
        best = min(_times_ms(functools.partial(verify_bundle, data, trusted), 5))
        per_item[str(n)] = round(best * 1000 / n, 1)
    return {
        "per_item_us_best_of_5": per_item,
        "ratio_1000_to_17_per_item": round(per_item["1000"] / per_item["17"], 2),
    }


def _big_bundle(n: int, key: Ed25519PrivateKey) -> bytes:
    """A catalogue of n items: the 17 shipped ones repeated with new codes and orders."""
    data = copy.deepcopy(parse_bundle(BUNDLE.read_bytes())["catalogue"])
    base = data["items"]
    items = []
    for i in range(n):
        it = copy.deepcopy(base[i % len(base)])
        it["code"] = f"{it['code']}-{i:04d}"
        it["order"] = i + 1
        items.append(it)
    data["items"] = items
    data["version"] = 2
    return json.dumps(sign_catalogue(data, key, "bench"), ensure_ascii=False).encode("utf-8")


def _measure(data: bytes, trusted: dict, repeat: int) -> dict:
    parsed = parse_bundle(data)
    cat = parsed["catalogue"]
    figures = {
        "bytes": len(data),
        "items": len(cat["items"]),
        "verify_validate_load_ms": _median_ms(lambda: verify_bundle(data, trusted), repeat),
        "baseline_json_loads_ms": _median_ms(lambda: json.loads(data), repeat),
        "parts_ms": {
            "parse_strict": _median_ms(lambda: parse_bundle(data), repeat),
            "canonical_json": _median_ms(lambda: canonical_json(cat), repeat),
            "signature_check": _median_ms(lambda: check_signatures(parsed, trusted), repeat),
            "validate": _median_ms(lambda: validate_catalogue(cat), repeat),
            "build_model": _median_ms(lambda: build_catalogue(cat), repeat),
        },
    }
    figures["ratio_to_json_loads"] = round(
        figures["verify_validate_load_ms"] / max(figures["baseline_json_loads_ms"], 1e-6), 1
    )
    return figures


def run() -> dict:
    """Measure both sizes and the install into a store (with fsync)."""
    demo = {"demo-2026": load_public_key(DEMO_PUB)}
    small = BUNDLE.read_bytes()
    key = Ed25519PrivateKey.generate()
    big = _big_bundle(1000, key)
    r17 = _measure(small, demo, repeat=50)
    r1000 = _measure(big, {"bench": key.public_key()}, repeat=7)
    r17["goal_ms"], r1000["goal_ms"] = GOAL_17_MS, GOAL_1000_MS
    r17["meets_goal"] = r17["verify_validate_load_ms"] <= GOAL_17_MS
    r1000["meets_goal"] = r1000["verify_validate_load_ms"] <= GOAL_1000_MS
    with tempfile.TemporaryDirectory() as tmp:
        store = CatalogueStore(tmp)
        now = datetime.now(UTC)
        t0 = time.perf_counter()
        store.install(small, demo, now=now)
        first_install_ms = (time.perf_counter() - t0) * 1000
        store2 = CatalogueStore(Path(tmp) / "big")
        t0 = time.perf_counter()
        store2.install(big, {"bench": key.public_key()}, now=now + timedelta(seconds=1))
        big_install_ms = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        CatalogueStore(tmp).active()
        cold_active_ms = (time.perf_counter() - t0) * 1000
    return {
        "items_17": r17,
        "items_1000": r1000,
        "scaling": _scaling(key),
        "store_install_ms": {
            "items_17": round(first_install_ms, 2),
            "items_1000": round(big_install_ms, 2),
            "active_cold_load_17": round(cold_active_ms, 2),
        },
    }


if __name__ == "__main__":
    print(json.dumps(run(), ensure_ascii=False, indent=2))

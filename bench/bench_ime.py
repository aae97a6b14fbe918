"""Pinyin input method: index build (first use), cached load (later starts) and one keystroke's
candidates, against a bare process that only reads pypinyin's and jieba's data (the floor)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

GOAL_KEY_MS = 30.0
"""One key press → candidates: well under a frame of the 50 ms transition budget."""

BARE = """
import time
t = time.perf_counter()
from importlib import resources
from pypinyin import phrases_dict, pinyin_dict
n = len(pinyin_dict.pinyin_dict) + len(phrases_dict.phrases_dict)
with resources.files("jieba").joinpath("dict.txt").open(encoding="utf-8") as fh:
    n += sum(1 for _ in fh)
print(time.perf_counter() - t)
"""

KIOSK = """
import sys, time
t = time.perf_counter()
from kiosk.ime import index
i = index.{fn}()
print(time.perf_counter() - t, len(i.words))
"""


def _child(code: str, env: dict[str, str]) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=True,
    )
    return out.stdout.split()


def run() -> dict:
    """Figures for bench/results.json."""
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, XDG_CACHE_HOME=cache)
        bare = min(float(_child(BARE, env)[0]) for _ in range(3))
        build_s, keys = _child(KIOSK.format(fn="load"), env)  # empty cache: builds and writes it
        loads = [float(_child(KIOSK.format(fn="load"), env)[0]) for _ in range(3)]
        from kiosk.ime import candidates
        from kiosk.ime import index as ix

        os.environ["XDG_CACHE_HOME"] = cache
        try:
            idx = ix.load()
        finally:
            os.environ.pop("XDG_CACHE_HOME", None)
        runs = ["s", "sh", "she", "sheb", "shebao", "ludengbuliang", "zhongguo", "x"]
        times = []
        for _ in range(20):
            for r in runs:
                t0 = time.perf_counter()
                candidates(idx, r)
                times.append((time.perf_counter() - t0) * 1000)
    key_p95 = sorted(times)[int(len(times) * 0.95)]
    return {
        "bare_read_data_s": round(bare, 3),
        "build_s": round(float(build_s), 2),
        "cached_load_s": round(statistics.median(loads), 3),
        "keys": int(keys),
        "build_ratio_to_bare": round(float(build_s) / bare, 1),
        "key_candidates_ms_p50": round(statistics.median(times), 2),
        "key_candidates_ms_p95": round(key_p95, 2),
        "goal_key_ms": GOAL_KEY_MS,
        "key_goal_met": key_p95 <= GOAL_KEY_MS,
    }

"""Run every bench/bench_*.py (or those named on the command line) and write bench/results.json."""

from __future__ import annotations

import importlib
import json
import platform
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    """Run the benchmarks and write results.json; exit 1 if one crashed."""
    names = argv or sorted(p.stem for p in HERE.glob("bench_*.py"))
    results: dict[str, object] = {
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    failed = False
    for name in names:
        name = name if name.startswith("bench_") else f"bench_{name}"
        print(f"== {name}", flush=True)
        t0 = time.perf_counter()
        try:
            figures = importlib.import_module(f"bench.{name}").run()
        except Exception:  # a broken benchmark must not hide the others
            traceback.print_exc()
            figures = {"error": traceback.format_exc(limit=3)}
            failed = True
        figures["wall_s"] = round(time.perf_counter() - t0, 2)
        results[name.removeprefix("bench_")] = figures
        print(json.dumps(figures, ensure_ascii=False, indent=2), flush=True)
    out = HERE / "results.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

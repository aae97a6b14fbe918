"""Chinese line breaking (避头尾): what it costs a wrapped label to render, against Kivy's own
wrapping of the same texts in the same process (the baseline), and break_lines alone.

Runs in a child process with the SDL offscreen driver (a texture needs a GL context).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEAT = 5
WIDTHS = (240, 420, 640, 900)


def _texts() -> list[str]:
    """The kiosk's own wrapped Chinese texts: i18n strings and catalogue descriptions."""
    import json as _json

    import yaml

    zh = _json.loads((ROOT / "assets" / "i18n" / "zh_CN.json").read_text(encoding="utf-8"))
    cat = yaml.safe_load(
        (ROOT / "config" / "catalogue" / "catalogue.yaml").read_text(encoding="utf-8")
    )
    texts = [v for v in zh.values() if len(v) >= 12]
    texts += [i["description_zh"] for i in cat["items"] if i.get("description_zh")]
    return texts


def _measure() -> dict:
    from kiosk.app import prepare_kivy
    from kiosk.ui.fonts import find_cjk_font

    prepare_kivy(windowed=True, size="1080x1920", font=find_cjk_font(None))
    from kivy.core.window import Window  # noqa: F401  (the GL context)
    from kivy.uix.label import Label

    import kiosk.ui.widgets  # noqa: F401  (installs the line breaking on Label)
    from kiosk.typography.linebreak import break_lines

    texts = _texts()
    plain = Label._kiosk_plain_texture_update

    def render(update: object) -> float:
        runs = []
        for _ in range(REPEAT):
            t0 = time.perf_counter()
            for w in WIDTHS:
                for text in texts:
                    lbl = Label(text=text, font_size=30, text_size=(w, None))
                    update(lbl)  # type: ignore[operator]
            runs.append(time.perf_counter() - t0)
        return statistics.median(runs)

    render(plain)  # warm the glyph caches for both
    base = render(plain)
    ours = render(Label.texture_update)
    n = len(texts) * len(WIDTHS)
    t0 = time.perf_counter()
    for _ in range(REPEAT):
        for w in WIDTHS:
            for text in texts:
                break_lines(text, w, lambda s: 30.0 * len(s))
    alone = (time.perf_counter() - t0) / REPEAT
    return {
        "labels": n,
        "kivy_wrap_ms_per_label": round(base / n * 1000, 3),
        "linebreak_ms_per_label": round(ours / n * 1000, 3),
        "ratio": round(ours / base, 2),
        "break_lines_alone_us_per_text": round(alone / n * 1e6, 1),
    }


def run() -> dict:
    """Render every wrapped Chinese text of the kiosk at four widths, with and without 避头尾."""
    import os
    import tempfile

    env = dict(
        os.environ,
        KIVY_NO_ARGS="1",
        KIVY_NO_CONSOLELOG="1",
        KIVY_NO_FILELOG="1",
        KIVY_LOG_MODE="PYTHON",
        KIVY_HOME=tempfile.mkdtemp(prefix="kivy-bench-"),
    )
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env["SDL_VIDEODRIVER"] = "offscreen"
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_text", "child"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode != 0 or not lines:
        raise RuntimeError(f"bench_text child failed: {out.stderr[-1500:]}")
    return json.loads(lines[-1])


if __name__ == "__main__":
    if sys.argv[1:] == ["child"]:
        print(json.dumps(_measure()))
    else:
        print(json.dumps(run(), indent=2))

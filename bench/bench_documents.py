"""A4 documents: render time per print item, pages/s, cold first page, against bare reportlab.

The baseline is a separate process that imports only reportlab, registers the same TrueType face
(fonts-wqy-microhei's .ttc) and draws one page of Chinese text: what any reportlab PDF costs.
Goal: a document's first page ready in ≤ 300 ms on this machine (warm renderer; the terminal
warms it up in the background at start, see DocumentPrinting.start).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_FIRST_PAGE_MS = 300.0
REPEAT = 7

BARE = r"""
import io, json, sys, time
t0 = time.perf_counter()
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
pdfmetrics.registerFont(TTFont("F", sys.argv[1], subfontIndex=0))
def page():
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, initialFontName="F")
    c.setFont("F", 12)
    for i in range(30):
        c.drawString(60, 780 - i * 22, "兹证明下列人员在本市参加社会保险，参保缴费情况如下。2026-11 9000.00")
    c.showPage(); c.save()
    return buf.getvalue()
page()
cold = (time.perf_counter() - t0) * 1000
times = []
for _ in range(int(sys.argv[2])):
    t = time.perf_counter(); page(); times.append((time.perf_counter() - t) * 1000)
print(json.dumps({"cold_ms": cold, "warm_ms": sorted(times)[len(times) // 2]}))
"""

OURS_COLD = r"""
import json, time
t0 = time.perf_counter()
from kiosk import config as config_mod, services
from kiosk.documents.demo import specimen
from kiosk.documents.render import render_document
cat = services.load_catalogue(config_mod.load(None))
t1 = time.perf_counter()
render_document(specimen(cat.item("RS-0101")))
t2 = time.perf_counter()
print(json.dumps({"cold_total_ms": (t2 - t0) * 1000, "cold_render_ms": (t2 - t1) * 1000}))
"""


def _child(code: str, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run() -> dict:
    """Figures for bench/results.json."""
    from kiosk import config as config_mod
    from kiosk import services
    from kiosk.documents.demo import specimen
    from kiosk.documents.render import register_font, render_document

    font = register_font()
    cat = services.load_catalogue(config_mod.load(None))
    per_item: dict[str, dict[str, float]] = {}
    for item in cat.enabled_items():
        if item.document is None:
            continue
        doc = specimen(item)
        render_document(doc)  # warm-up
        times, pages = [], 0
        for _ in range(REPEAT):
            t0 = time.perf_counter()
            _, pages = render_document(doc)
            times.append((time.perf_counter() - t0) * 1000)
        per_item[item.code] = {"ms": round(statistics.median(times), 1), "pages": pages}
    long_doc = specimen(cat.item("RS-0101"), months=60)
    t0 = time.perf_counter()
    total_pages = 0
    for _ in range(REPEAT):
        total_pages += render_document(long_doc)[1]
    pages_per_s = total_pages / (time.perf_counter() - t0)
    bare = _child(BARE, str(font), str(REPEAT))
    cold = _child(OURS_COLD)
    first_page = per_item["RS-0101"]["ms"]
    return {
        "documents": per_item,
        "first_page_ms": first_page,
        "goal_first_page_ms": GOAL_FIRST_PAGE_MS,
        "meets_goal": first_page <= GOAL_FIRST_PAGE_MS,
        "pages_per_s_60_month_table": round(pages_per_s, 1),
        "pages_60_month_table": total_pages // REPEAT,
        "bare_reportlab_page_ms": round(bare["warm_ms"], 1),
        "ratio_to_bare_page": round(first_page / bare["warm_ms"], 1),
        "bare_reportlab_cold_ms": round(bare["cold_ms"], 1),
        "cold_process_first_document_ms": round(cold["cold_total_ms"], 1),
        "cold_render_ms_after_imports": round(cold["cold_render_ms"], 1),
    }

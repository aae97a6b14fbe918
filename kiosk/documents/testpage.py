"""The A4 printer's test page for technicians (`kiosk a4printer test`, the maintenance screen)."""

from __future__ import annotations

import io
import time


def test_page_pdf(hall_name: str = "政务服务中心 24小时自助服务区") -> bytes:
    """One A4 page: Chinese text, full-width punctuation, a frame at the printable margins."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    from kiosk.documents.render import FONT, register_font

    register_font()
    buf = io.BytesIO()
    w, h = A4
    c = Canvas(buf, pagesize=A4, initialFontName=FONT, invariant=True)
    c.setTitle("A4 printer test page")
    c.rect(10 * mm, 10 * mm, w - 20 * mm, h - 20 * mm)
    c.setFont(FONT, 22)
    c.drawCentredString(w / 2, h - 40 * mm, "A4打印机测试页")
    c.setFont(FONT, 13)
    for i, line in enumerate(
        (
            hall_name,
            "中文：政务服务 自助终端 核验码（测试）。",
            "数字：0123456789  字母：ABCDEFGHJKMNPQRSTVWXYZ",
            f"时间：{time.strftime('%Y-%m-%d %H:%M:%S')}",
            "四边的方框应完整可见；文字清晰、无缺字，则打印机工作正常。",
        )
    ):
        c.drawString(25 * mm, h - 65 * mm - i * 11 * mm, line)
    c.showPage()
    c.save()
    return buf.getvalue()

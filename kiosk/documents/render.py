"""DocumentData → A4 PDF bytes with reportlab (CJK font embedded as a subset).

Every page carries the title line, a faint 自助终端打印 watermark, the 核验码 with its QR and
"第 N 页 共 M 页"; the table's header row repeats on each page; the issuer, date and seal close
the last page.
"""

from __future__ import annotations

import io
import logging
import threading
from pathlib import Path
from typing import Any

from kiosk.documents.content import DocumentData
from kiosk.documents.errors import FontMissing
from kiosk.documents.seal import draw_seal

log = logging.getLogger(__name__)

FONT = "DocCJK"
WATERMARK = "自助终端打印"
_font_lock = threading.Lock()
_font_path: Path | None = None


def register_font(path: Path | None = None) -> Path:
    """Register the CJK TrueType font once (a .ttc: its first face); FontMissing if none."""
    global _font_path
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    with _font_lock:
        if _font_path is not None:
            return _font_path
        if path is None:
            from kiosk.ui.fonts import find_cjk_font

            path = find_cjk_font()
        if path is None or not Path(path).is_file():
            raise FontMissing("no CJK TrueType font to embed (install fonts-wqy-microhei)")
        # reportlab embeds a subset of every TrueType font it draws with (never a reference)
        pdfmetrics.registerFont(TTFont(FONT, str(path), subfontIndex=0))
        _font_path = Path(path)
        return _font_path


def _styles() -> dict[str, Any]:
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle(
        "body", fontName=FONT, fontSize=11.5, leading=19, wordWrap="CJK", alignment=TA_JUSTIFY
    )
    return {
        "title": ParagraphStyle(
            "title", parent=base, fontSize=21, leading=28, alignment=TA_CENTER, spaceAfter=14
        ),
        "body": base,
        "label": ParagraphStyle("label", parent=base, textColor="#333333"),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9.5, leading=13, alignment=TA_CENTER),
        "section": ParagraphStyle(
            "section", parent=base, fontSize=12.5, leading=20, spaceBefore=10, spaceAfter=4
        ),
        "small": ParagraphStyle("small", parent=base, fontSize=9, leading=13, textColor="#444444"),
    }


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_pdf(doc: DocumentData, font_path: Path | None = None) -> bytes:
    """The document as PDF bytes (A4 portrait)."""
    return render_document(doc, font_path)[0]


def render_document(doc: DocumentData, font_path: Path | None = None) -> tuple[bytes, int]:
    """(PDF bytes, page count) of the document (A4 portrait)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    register_font(font_path)
    st = _styles()
    width, _ = A4
    margin = 20 * mm
    usable = width - 2 * margin
    story: list[Any] = [Paragraph(_esc(doc.title), st["title"])]
    if doc.intro:
        story.append(Paragraph(_esc(doc.intro), st["body"]))
        story.append(Spacer(1, 4 * mm))
    pairs = [
        [Paragraph(_esc(label) + "：", st["label"]), Paragraph(_esc(value), st["body"])]
        for label, value in doc.lines
    ]
    if pairs:
        t = Table(pairs, colWidths=[46 * mm, usable - 46 * mm], hAlign="LEFT")
        t.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("FONTNAME", (0, 0), (-1, -1), FONT),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        story.append(t)
    if doc.table_title is not None:
        story.append(Paragraph(_esc(doc.table_title), st["section"]))
        if doc.rows and doc.columns:
            data = [[Paragraph(_esc(c), st["cell"]) for c in doc.columns]] + [
                [Paragraph(_esc(c), st["cell"]) for c in r] for r in doc.rows
            ]
            n = max(len(doc.columns), 1)
            table = Table(data, colWidths=[usable / n] * n, repeatRows=1)
            table.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#555555")),
                        ("FONTNAME", (0, 0), (-1, -1), FONT),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
                        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                        ("TOPPADDING", (0, 0), (-1, -1), 2),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                    ]
                )
            )
            story.append(table)
        else:
            story.append(Paragraph("无记录。", st["body"]))
    if doc.footer:
        story.append(Spacer(1, 5 * mm))
        story.append(Paragraph(_esc(doc.footer), st["small"]))
    story.append(KeepTogether([Spacer(1, 10 * mm), _IssuerBlock(doc, usable)]))
    buf = io.BytesIO()
    template = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=24 * mm,
        bottomMargin=48 * mm,
        title=doc.title,
        author=doc.issuer,
        subject=f"核验码 {doc.verification.code}",
        creator="selfservice-kiosk",
        invariant=True,
    )
    pages: list[int] = []
    template.build(story, canvasmaker=_canvas_maker(doc, pages))
    return buf.getvalue(), pages[0]


class _IssuerBlock:
    """出具单位 + date, right-aligned, with the seal over them (a platypus Flowable)."""

    def __new__(cls, doc: DocumentData, width: float) -> Any:
        from reportlab.lib.units import mm
        from reportlab.platypus import Flowable

        class Block(Flowable):
            def wrap(self, aw: float, ah: float) -> tuple[float, float]:
                return width, 34 * mm

            def draw(self) -> None:
                c = self.canv
                c.setFont(FONT, 12)
                right = width - 6 * mm
                c.drawRightString(right, 20 * mm, f"出具单位：{doc.issuer}")
                c.drawRightString(right, 12 * mm, doc.issue_date)
                draw_seal(c, doc.seal, doc.issuer, right - 26 * mm, 17 * mm, 19 * mm, FONT)

        return Block()


def _canvas_maker(doc: DocumentData, pages: list[int]) -> Any:
    """A canvas class that draws each page's frame once the page count is known."""
    from reportlab.pdfgen.canvas import Canvas

    class PageCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["initialFontName"] = FONT  # else Helvetica: a font the PDF would not embed
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            pages.append(total)
            for state in self._pages:
                self.__dict__.update(state)
                _page_frame(self, doc, self._pageNumber, total)
                Canvas.showPage(self)
            Canvas.save(self)

    return PageCanvas


def _page_frame(c: Any, doc: DocumentData, page: int, total: int) -> None:
    """Watermark, header, verification block with QR, page number."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm

    w, h = A4
    c.saveState()
    c.setFont(FONT, 30)
    c.setFillColorRGB(0.5, 0.5, 0.5)
    c.setFillAlpha(0.10)
    for x in range(0, 3):
        for y in range(0, 4):
            c.saveState()
            c.translate(35 * mm + x * 70 * mm, 50 * mm + y * 68 * mm)
            c.rotate(30)
            c.drawCentredString(0, 0, WATERMARK)
            c.restoreState()
    if doc.specimen:
        c.setFont(FONT, 64)
        c.setFillColorRGB(0.85, 0.1, 0.1)
        c.setFillAlpha(0.30)
        c.translate(w / 2, h / 2)
        c.rotate(30)
        c.drawCentredString(0, 10 * mm, "样张")
        c.setFont(FONT, 20)
        c.drawCentredString(0, -8 * mm, "未经登记 不能核验 不作证明使用")
    c.restoreState()
    c.saveState()
    c.setFont(FONT, 8.5)
    c.setFillColorRGB(0.35, 0.35, 0.35)
    head = "  ".join(
        x
        for x in (
            doc.hall_name,
            f"终端 {doc.terminal_id}" if doc.terminal_id else "",
            f"打印时间 {doc.issued_at}",
        )
        if x
    )
    c.drawString(20 * mm, h - 13 * mm, head)
    c.drawRightString(w - 20 * mm, h - 13 * mm, f"事项编码 {doc.item_code}")
    c.setStrokeColorRGB(0.6, 0.6, 0.6)
    c.setLineWidth(0.4)
    c.line(20 * mm, h - 15 * mm, w - 20 * mm, h - 15 * mm)
    # verification block
    v = doc.verification
    qr_size = 27 * mm
    _draw_qr(c, v.url, w - 20 * mm - qr_size, 14 * mm, qr_size)
    c.line(20 * mm, 44 * mm, w - 20 * mm, 44 * mm)
    c.setFillColorRGB(0, 0, 0)
    c.setFont(FONT, 12)
    c.drawString(20 * mm, 35 * mm, f"核验码：{v.code}")
    c.setFont(FONT, 8.5)
    c.drawString(20 * mm, 29 * mm, "扫描右侧二维码或访问下列网址，输入核验码查验本文书真伪：")
    c.drawString(20 * mm, 24.5 * mm, v.url.rsplit("/", 1)[0] + "/")
    c.drawString(20 * mm, 20 * mm, f"核验有效期至 {v.expires}。请以核验页面显示的内容为准。")
    c.setFont(FONT, 9)
    c.drawCentredString(w / 2, 9 * mm, f"第 {page} 页 共 {total} 页")
    c.restoreState()


def _draw_qr(c: Any, text: str, x: float, y: float, size: float) -> None:
    """QR code (level M, 4-module quiet zone) as filled squares on the canvas."""
    from reportlab.graphics.barcode import qrencoder

    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(text)
    qr.make()
    n = qr.getModuleCount()
    cell = size / (n + 8)
    c.saveState()
    c.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(qr.modules):
        for col, dark in enumerate(row):
            if dark:
                c.rect(
                    x + (col + 4) * cell, y + size - (r + 5) * cell, cell, cell, stroke=0, fill=1
                )
    c.restoreState()

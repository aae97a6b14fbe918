"""Page model of the simulated printer (what came out on paper) and its PNG rendering."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageOps

from drivers.sim.printer_font import font

CELL_W = 12  # font A: 12 × 24 dots per one-column character
CELL_H = 24
LINE_GAP = 6  # default line spacing 30 dots


@dataclass(frozen=True)
class Style:
    """Character style in effect for a run of text."""

    bold: bool = False
    underline: bool = False
    width: int = 1
    height: int = 1


@dataclass
class TextRun:
    """Text printed in one style."""

    text: str
    style: Style


@dataclass
class TextLine:
    """One printed line of text."""

    runs: list[TextRun]
    align: str = "left"

    @property
    def text(self) -> str:
        """The characters of the line, without style."""
        return "".join(r.text for r in self.runs)

    @property
    def height_lines(self) -> int:
        """How many normal lines of paper it takes."""
        return max((r.style.height for r in self.runs), default=1)


@dataclass
class QrCode:
    """A QR code printed with GS ( k."""

    data: bytes
    module: int
    ec: str
    align: str = "left"

    @property
    def payload(self) -> str:
        """The payload as text (UTF-8, as python-escpos and our driver send it)."""
        return self.data.decode("utf-8", errors="replace")

    def image(self) -> Image.Image:
        """The code as a black-on-white image, `module` dots per module, no quiet zone."""
        import qrcode

        levels = {
            "L": qrcode.constants.ERROR_CORRECT_L,
            "M": qrcode.constants.ERROR_CORRECT_M,
            "Q": qrcode.constants.ERROR_CORRECT_Q,
            "H": qrcode.constants.ERROR_CORRECT_H,
        }
        code = qrcode.QRCode(
            box_size=max(1, self.module), border=0, error_correction=levels[self.ec]
        )
        code.add_data(self.data)
        code.make(fit=True)
        return code.make_image().get_image().convert("L")


@dataclass
class RasterImage:
    """A GS v 0 raster image (bit set = black)."""

    width_bytes: int
    height: int
    bits: bytes
    align: str = "left"

    @property
    def width(self) -> int:
        """Width in dots."""
        return self.width_bytes * 8

    def image(self) -> Image.Image:
        """Black on white, mode L."""
        img = Image.frombytes("1", (self.width, self.height), self.bits).convert("L")
        return ImageOps.invert(img)


@dataclass
class Feed:
    """Blank paper fed (in dots)."""

    dots: int


Element = TextLine | QrCode | RasterImage | Feed


@dataclass
class Page:
    """Everything printed between two cuts."""

    paper_dots: int
    elements: list[Element] = field(default_factory=list)
    cut: str | None = None  # "full", "partial" or None (torn off / flushed)
    wrapped: int = 0  # lines the printer had to wrap because they were too wide
    truncated: bool = False  # paper ran out during the page
    clipped: int = 0  # blocks wider than the paper (cut off at the right edge) in the last render
    png: Path | None = None

    @property
    def lines(self) -> list[str]:
        """The text lines as printed."""
        return [e.text for e in self.elements if isinstance(e, TextLine)]

    @property
    def qr_codes(self) -> list[QrCode]:
        """QR codes printed with GS ( k."""
        return [e for e in self.elements if isinstance(e, QrCode)]

    @property
    def images(self) -> list[RasterImage]:
        """Raster images printed."""
        return [e for e in self.elements if isinstance(e, RasterImage)]

    def render(self) -> Image.Image:
        """The page as the paper would show it (mode L, `paper_dots` wide)."""
        blocks: list[tuple[Image.Image, str]] = []
        for el in self.elements:
            if isinstance(el, TextLine):
                blocks.append((_render_line(el), el.align))
            elif isinstance(el, (QrCode, RasterImage)):
                blocks.append((el.image(), el.align))
            elif el.dots:
                blocks.append((Image.new("L", (1, el.dots), 255), "left"))
        height = sum(b.height for b, _ in blocks) + 2 * CELL_H
        page = Image.new("L", (self.paper_dots, max(height, 1)), 255)
        y = CELL_H
        self.clipped = sum(1 for img, _ in blocks if img.width > self.paper_dots)
        for img, align in blocks:
            x = {
                "center": (self.paper_dots - img.width) // 2,
                "right": self.paper_dots - img.width,
            }.get(align, 0)
            page.paste(img, (max(x, 0), y))
            y += img.height
        return page

    def save_png(self, path: Path) -> Path:
        """Render and write the page as PNG."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.render().save(path)
        self.png = path
        return path


def _render_run(run: TextRun) -> Image.Image:
    cells = [CELL_W if ch < "\x80" else 2 * CELL_W for ch in run.text]
    img = Image.new("L", (max(sum(cells), 1), CELL_H), 255)
    draw = ImageDraw.Draw(img)
    f = font(CELL_H - 2)
    x = 0
    for ch, w in zip(run.text, cells):
        if ch != " ":
            draw.text((x + w / 2, CELL_H / 2), ch, font=f, fill=0, anchor="mm")
            if run.style.bold:
                draw.text((x + w / 2 + 1, CELL_H / 2), ch, font=f, fill=0, anchor="mm")
        x += w
    if run.style.underline:
        draw.line((0, CELL_H - 1, img.width, CELL_H - 1), fill=0)
    if run.style.width != 1 or run.style.height != 1:
        img = img.resize((img.width * run.style.width, CELL_H * run.style.height))
    return img


def _render_line(line: TextLine) -> Image.Image:
    runs = [_render_run(r) for r in line.runs if r.text]
    h = max((r.height for r in runs), default=CELL_H) + LINE_GAP
    img = Image.new("L", (max(sum(r.width for r in runs), 1), h), 255)
    x = 0
    for r in runs:
        img.paste(r, (x, h - LINE_GAP - r.height))
        x += r.width
    return img


def dots_to_lines(dots: int) -> int:
    """Normal text lines (30 dots) that `dots` of paper make."""
    return math.ceil(dots / (CELL_H + LINE_GAP))

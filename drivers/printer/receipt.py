"""The `Receipt` value and its ESC/POS rendering for 58 mm (32 columns) and 80 mm (48 columns) paper."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache

from drivers.printer.encoding import FS_CHINESE_ON, encode_line, fold, text_width, wrap
from drivers.printer.errors import ReceiptError
from drivers.printer.table import (  # noqa: F401
    LABEL_SEP,
    STACK_INDENT,
    cells,
    is_table_row,
    label_prefix,
    table_lines,
)

log = logging.getLogger(__name__)

ESC = b"\x1b"
GS = b"\x1d"
LF = b"\n"
INIT = ESC + b"@"
ALIGN_LEFT = ESC + b"a\x00"
ALIGN_CENTER = ESC + b"a\x01"
BOLD_ON = ESC + b"E\x01"
BOLD_OFF = ESC + b"E\x00"
SIZE_DOUBLE = GS + b"!\x11"
SIZE_NORMAL = GS + b"!\x00"
CUT_FULL = GS + b"V\x00"
CUT_PARTIAL = GS + b"V\x01"

#: Paper width in mm → (columns in font A, printable dots at 203 dpi).
PAPER = {58: (32, 384), 80: (48, 576)}
#: Feed before cutting so the last line clears the cutter (lines).
CUT_FEED_LINES = 4
#: QR byte capacity at error level M for versions 1..20 (ISO/IEC 18004 table 7).
_QR_CAPACITY_M = (
    14,
    26,
    42,
    62,
    84,
    106,
    122,
    152,
    180,
    213,
    251,
    287,
    331,
    362,
    412,
    450,
    504,
    560,
    624,
    666,
)
QR_MAX_MODULE_DOTS = 8
#: Raster QR codes are big (bytes = width/8 × height): smaller modules keep them ~4 KB.
QR_IMAGE_MAX_MODULE_DOTS = 5
QR_QUIET_MODULES = 4
QR_IMAGE_QUIET_MODULES = 2  # the paper margin adds the rest


@dataclass(frozen=True)
class Receipt:
    """An immutable receipt: title, (label, value) lines, optional QR payload, footer."""

    title: str
    lines: tuple[tuple[str, str], ...] = ()
    qr: str | None = None
    footer: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", tuple((str(k), str(v)) for k, v in self.lines))


@dataclass(frozen=True)
class Layout:
    """How to render: paper width, python-escpos profile name, Chinese mode (FS &)."""

    paper_mm: int = 80
    profile: str = "default"
    chinese_mode: bool = True

    def __post_init__(self) -> None:
        if self.paper_mm not in PAPER:
            raise ReceiptError(f"paper width must be 58 or 80 mm, got {self.paper_mm}")
        _features(self.profile)  # fail early on an unknown profile

    @property
    def columns(self) -> int:
        """Characters per line in font A (CJK count two)."""
        return PAPER[self.paper_mm][0]

    @property
    def dots(self) -> int:
        """Printable width in dots."""
        return PAPER[self.paper_mm][1]

    def supports(self, feature: str) -> bool:
        """True if the python-escpos profile has `feature` (qrCode, paperFullCut, …)."""
        return bool(_features(self.profile).get(feature))


@dataclass(frozen=True)
class RenderedReceipt:
    """ESC/POS bytes of a receipt, the text lines they print, and the count of replaced characters."""

    data: bytes
    text_lines: tuple[str, ...]
    replaced: int = 0
    qr_native: bool | None = None
    cut: bool = False
    feed_lines: int = field(default=0)


@lru_cache(maxsize=64)
def _features(profile: str) -> dict[str, bool]:
    from escpos.capabilities import get_profile

    try:
        return dict(get_profile(profile).features)
    except KeyError:
        raise ReceiptError(f"unknown printer profile {profile!r}") from None


def qr_module_dots(payload: bytes, dots: int) -> tuple[int, int]:
    """(QR version, module size in dots) so that the code plus quiet zone fits `dots`."""
    for version, capacity in enumerate(_QR_CAPACITY_M, start=1):  # noqa: B007 - used after break
        if len(payload) <= capacity:
            break
    else:
        raise ReceiptError(f"QR payload of {len(payload)} bytes is too long for a receipt")
    modules = 17 + 4 * version + 2 * QR_QUIET_MODULES
    size = min(QR_MAX_MODULE_DOTS, dots // modules)
    if size < 1:
        raise ReceiptError(f"QR version {version} does not fit {dots} dots")
    return version, size


def qr_native(payload: str, size: int) -> bytes:
    """GS ( k: model 2, module size, error level M, store, print."""
    data = payload.encode("utf-8")

    def fn(body: bytes) -> bytes:
        n = len(body) + 1  # + cn
        return GS + b"(k" + bytes((n & 0xFF, n >> 8)) + b"1" + body

    return fn(b"A2\x00") + fn(b"C" + bytes((size,))) + fn(b"E1") + fn(b"P0" + data) + fn(b"Q0")


def qr_image(payload: str, size: int) -> bytes:
    """The QR code as a GS v 0 raster image (for printers without GS ( k)."""
    import qrcode
    from PIL import ImageOps

    code = qrcode.QRCode(
        box_size=min(size, QR_IMAGE_MAX_MODULE_DOTS),
        border=QR_IMAGE_QUIET_MODULES,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    code.add_data(payload.encode("utf-8"))
    code.make(fit=True)
    img = code.make_image().get_image().convert("L")
    return raster(ImageOps.invert(img).convert("1", dither=None))


def raster(img) -> bytes:  # noqa: ANN001 - a PIL image in mode "1", set bits = black
    """GS v 0 m=0 for a mode-"1" image whose set pixels print black."""
    width_bytes = (img.width + 7) // 8
    return (
        GS
        + b"v0\x00"
        + bytes((width_bytes & 0xFF, width_bytes >> 8, img.height & 0xFF, img.height >> 8))
        + img.tobytes()
    )


def field_lines(label: str, value: str, columns: int) -> list[str]:
    """`label：value` wrapped at `columns`; continuation lines indent under the value.

    A value with a word or number too wide for the value column (but not for the paper) goes on
    the lines under the label instead, so that it is never split.
    """
    prefix = label_prefix(label)
    indent = text_width(prefix)
    if indent > columns // 2:
        return wrap(prefix + value, columns)
    longest = max((text_width(w) for w in value.split() if w.isascii()), default=0)
    if columns - indent < longest <= columns - STACK_INDENT:
        return [prefix.rstrip()] + [
            " " * STACK_INDENT + p for p in wrap(value, columns - STACK_INDENT)
        ]
    parts = wrap(value, columns - indent)
    return [prefix + parts[0]] + [" " * indent + p for p in parts[1:]]


def body_lines(lines: tuple[tuple[str, str], ...], columns: int) -> list[str]:
    """The printed lines of a receipt's (label, value) lines; runs of table rows become a table."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        label, value = lines[i]
        if is_table_row(label, value):
            j = i
            while j < len(lines) and is_table_row(*lines[j]):
                j += 1
            out += table_lines(cells(value), [cells(v) for _, v in lines[i + 1 : j]], columns)
            i = j
            continue
        out += field_lines(label, value, columns)
        i += 1
    return out


def render(receipt: Receipt, layout: Layout = Layout()) -> RenderedReceipt:
    """Turn a receipt into ESC/POS bytes for `layout`."""
    cols = layout.columns
    out: list[bytes] = [INIT]
    if layout.chinese_mode:
        out.append(FS_CHINESE_ON)
    printed: list[str] = []
    replaced = 0

    def line(text: str) -> None:
        nonlocal replaced
        enc = encode_line(text)
        replaced += enc.replaced
        printed.append(text)
        out.append(enc.data + LF)

    out += [ALIGN_CENTER, SIZE_DOUBLE, BOLD_ON]
    for t in wrap(fold(receipt.title), cols // 2):
        line(t)
    out += [SIZE_NORMAL, BOLD_OFF, ALIGN_LEFT]
    line("-" * cols)
    for t in body_lines(tuple((fold(k), fold(v)) for k, v in receipt.lines), cols):
        line(t)
    line("-" * cols)
    native = None
    if receipt.qr:
        payload = receipt.qr.encode("utf-8")
        native = layout.supports("qrCode")
        _, size = qr_module_dots(payload, layout.dots)
        out.append(ALIGN_CENTER)
        out.append(qr_native(receipt.qr, size) if native else qr_image(receipt.qr, size))
        out.append(LF)
        out.append(ALIGN_LEFT)
    if receipt.footer:
        out.append(ALIGN_CENTER)
        for t in wrap(fold(receipt.footer), cols):
            line(t)
        out.append(ALIGN_LEFT)
    out.append(ESC + b"d" + bytes((CUT_FEED_LINES,)))
    cut = layout.supports("paperFullCut") or layout.supports("paperPartCut")
    if cut:
        out.append(CUT_FULL if layout.supports("paperFullCut") else CUT_PARTIAL)
    if replaced:
        log.warning(
            "receipt: %d character(s) outside the printer font (GB2312) printed as □", replaced
        )
    return RenderedReceipt(b"".join(out), tuple(printed), replaced, native, cut, CUT_FEED_LINES)

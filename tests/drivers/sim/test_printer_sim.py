"""The simulated printer: ESC/POS parsing into pages, DLE EOT answers, PNG rendering."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs
from PIL import Image

from drivers.printer.receipt import Layout, Receipt, render
from drivers.sim.printer import PrinterSimulator
from drivers.sim.printer_font import cjk_font_file

RECEIPT = Receipt(
    title="某某市政务服务中心",
    lines=(
        ("办件编号", "2026112500001"),
        ("事项", "社保参保缴费证明打印（个人）"),
        ("身份证号", "6109**********123X"),
        ("标点", "（，。：）"),
    ),
    qr="https://zwfw.example.gov.cn/p?c=2026112500001",
    footer="请妥善保管本回执。",
)


class Recorder(PrinterSimulator):
    """Keeps what the simulator would send to the host (no link needed)."""

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.sent = bytearray()

    def send(self, data: bytes) -> None:
        if not self.silent:
            self.sent += data


def test_receipt_becomes_page_with_exact_chinese_lines() -> None:
    sim = PrinterSimulator(paper_mm=58)
    sim.on_data(render(RECEIPT, Layout(58)).data)
    (page,) = sim.pages
    assert page.cut == "full"
    assert page.lines == [
        "某某市政务服务中",
        "心",  # double width title: 16 characters per line
        "-" * 32,
        "办件编号：2026112500001",
        "事项：社保参保缴费证明打印（个",
        "      人）",
        "身份证号：6109**********123X",
        "标点：（，。：）",
        "-" * 32,
        "",
        "请妥善保管本回执。",
    ]
    assert [q.payload for q in page.qr_codes] == [RECEIPT.qr]
    assert page.qr_codes[0].ec == "M" and page.qr_codes[0].module == 8
    assert page.wrapped == 0 and not page.truncated
    assert sim.unknown == []


def test_png_of_58mm_receipt(tmp_path: Path) -> None:
    sim = PrinterSimulator(paper_mm=58, out_dir=tmp_path)
    sim.on_data(render(RECEIPT, Layout(58)).data)
    (page,) = sim.pages
    assert page.png == tmp_path / "page-0001.png"
    assert page.clipped == 0 and page.wrapped == 0  # nothing cut off at 58 mm
    with Image.open(page.png) as img:
        img.load()
        assert img.width == 384
        gray = img.convert("L")
        # every printed row stays inside the paper: nothing drawn in the last column would mean clipping
        assert gray.getbbox() is not None
        inverted = Image.eval(gray, lambda v: 255 - v)
        left, top, right, bottom = inverted.getbbox()
        assert right <= 384 and bottom < img.height - 10
        # the QR code is there: a large dark block in the lower part
        assert inverted.crop((0, img.height // 2, 384, img.height)).getbbox() is not None


@pytest.mark.skipif(cjk_font_file() is None, reason="no CJK font installed")
def test_png_draws_chinese_glyphs_not_boxes(tmp_path: Path) -> None:
    sim = PrinterSimulator(paper_mm=58)
    sim.on_data(
        b"\x1b@\x1c&" + "中国".encode("gb18030") + b"\n" + "中中".encode("gb18030") + b"\n\x1dV\x00"
    )
    img = sim.pages[0].render()
    line1 = img.crop((0, 24, 48, 48)).tobytes()
    line2 = img.crop((0, 54, 48, 78)).tobytes()
    first_a, first_b = line1[:], line2[:]
    assert first_a != first_b  # 中国 and 中中 look different: real glyphs


def test_without_fs_ampersand_chinese_is_garbled() -> None:
    sim = PrinterSimulator()
    sim.on_data(b"\x1b@" + "回执".encode("gb18030") + b"\n\x1dV\x00")
    assert sim.pages[0].lines != ["回执"]
    sim.on_data(b"\x1b@\x1c&" + "回执".encode("gb18030") + b"\n\x1dV\x00")
    assert sim.pages[1].lines == ["回执"]


def test_chinese_default_printer() -> None:
    sim = PrinterSimulator(chinese_default=True)
    sim.on_data(b"\x1b@" + "回执".encode("gb18030") + b"\n\x1dV\x01")
    assert sim.pages[0].lines == ["回执"] and sim.pages[0].cut == "partial"


def test_raster_image_qr_is_modelled() -> None:
    sim = PrinterSimulator(paper_mm=58)
    sim.on_data(render(RECEIPT, Layout(58, "POS-5890")).data)
    page = sim.flush()
    assert page is not None and page.cut is None
    (img,) = page.images
    assert img.width <= 384 and img.height > 100
    assert page.render().width == 384


@pytest.mark.parametrize(
    ("state", "replies"),
    [
        ({}, b"\x12\x12\x12\x12"),
        ({"paper": "near_end"}, b"\x12\x12\x12\x1e"),
        ({"paper": "out"}, b"\x1a\x32\x12\x7e"),
        ({"cover_open": True}, b"\x1a\x16\x12\x12"),
        ({"offline": True}, b"\x1a\x12\x12\x12"),
        ({"error": True}, b"\x1a\x52\x12\x12"),
        ({"silent": True}, b""),
    ],
)
def test_dle_eot_answers(state: dict, replies: bytes) -> None:
    sim = Recorder(**state)
    sim.on_data(b"\x10\x04\x01\x10\x04\x02\x10\x04\x03\x10\x04\x04")
    assert bytes(sim.sent) == replies


def test_runs_out_of_paper_after_n_lines() -> None:
    sim = Recorder(paper_lines=5)
    sim.on_data(render(RECEIPT, Layout(80)).data)
    page = sim.flush() or sim.pages[-1]
    assert page.truncated
    assert sim.paper == "out" and sim.lines_printed <= 5
    sim.on_data(b"\x10\x04\x04")
    assert bytes(sim.sent) == b"\x7e"


def test_cover_open_prints_nothing() -> None:
    sim = PrinterSimulator(cover_open=True)
    sim.on_data(render(RECEIPT).data)
    assert sim.pages == [] and sim.flush() is None


def test_too_wide_line_is_wrapped_like_a_printer() -> None:
    sim = PrinterSimulator(paper_mm=58)
    sim.on_data(b"\x1b@\x1c&" + ("中" * 20).encode("gb18030") + b"\n\x1dV\x00")
    assert sim.pages[0].lines == ["中" * 16, "中" * 4] and sim.pages[0].wrapped == 1


def test_image_wider_than_paper_is_reported_clipped() -> None:
    sim = PrinterSimulator(paper_mm=58)
    sim.on_data(
        b"\x1dv0\x00" + bytes((60, 0, 2, 0)) + b"\xff" * 120 + b"\x1dV\x00"
    )  # 480 dots wide
    page = sim.pages[0]
    assert page.render().width == 384 and page.clipped == 1


def test_from_options() -> None:
    sim = PrinterSimulator.from_options(
        {
            "paper": "near_end",
            "cover": "open",
            "offline": "1",
            "silent": "1",
            "paper_lines": "7",
            "paper_mm": "58",
        }
    )
    assert (sim.paper, sim.cover_open, sim.offline, sim.silent, sim.paper_lines, sim.paper_mm) == (
        "near_end",
        True,
        True,
        True,
        7,
        58,
    )
    for bad in (
        {"paper": "low"},
        {"cover": "ajar"},
        {"paper_lines": "x"},
        {"paper_mm": "76"},
        {"colour": "red"},
        {"offline": "maybe"},
    ):
        with pytest.raises(ValueError):
            PrinterSimulator.from_options(bad)


_DATA = (
    render(RECEIPT, Layout(58)).data + b"\x10\x04\x04" + render(Receipt("二", (("a", "b"),))).data
)


@settings(max_examples=40, deadline=None)
@given(hs.lists(hs.integers(1, len(_DATA) - 1), max_size=12, unique=True))
def test_split_anywhere_gives_same_pages(cuts: list[int]) -> None:
    sim = Recorder(paper_mm=58)
    edges = [0, *sorted(cuts), len(_DATA)]
    for a, b in zip(edges, edges[1:]):
        sim.on_data(_DATA[a:b])
    assert [p.lines for p in sim.pages] == [p.lines for p in _reference_pages()]
    assert bytes(sim.sent) == b"\x12"


def _reference_pages() -> list:
    sim = PrinterSimulator(paper_mm=58)
    sim.on_data(_DATA)
    return sim.pages


@settings(max_examples=60, deadline=None)
@given(hs.binary(max_size=300))
def test_garbage_never_crashes(data: bytes) -> None:
    sim = Recorder()
    sim.on_data(data)
    sim.on_data(b"\x00" * 600)  # complete any pending command
    sim.flush()


_chars = hs.sampled_from(list("回执办件编号事项（，。：）0123456789abcXYZ -/:?=堃"))


@settings(max_examples=40, deadline=None)
@given(
    hs.text(_chars, min_size=1, max_size=20),
    hs.lists(hs.tuples(hs.text(_chars, max_size=5), hs.text(_chars, max_size=50)), max_size=5),
    hs.text(_chars, max_size=40),
    hs.sampled_from([58, 80]),
)
def test_rendered_receipt_reads_back_line_for_line(
    title: str, lines: list, footer: str, paper: int
) -> None:
    """What the renderer meant to print is exactly what the simulated printer printed."""
    from drivers.printer.encoding import sanitize

    rendered = render(Receipt(title, tuple(lines), footer=footer), Layout(paper))
    sim = PrinterSimulator(paper_mm=paper)
    sim.on_data(rendered.data)
    (page,) = sim.pages
    assert page.lines == [sanitize(t)[0] for t in rendered.text_lines]
    assert page.wrapped == 0 and sim.unknown == []

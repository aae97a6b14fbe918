"""Exact ESC/POS bytes of receipts (style of python-escpos' test_function_cut.py)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from drivers.printer.encoding import text_width
from drivers.printer.errors import ReceiptError
from drivers.printer.receipt import Layout, Receipt, field_lines, qr_native, render

DASHES_32 = b"-" * 32 + b"\n"


def test_small_receipt_exact_bytes_58mm() -> None:
    receipt = Receipt("回执", (("编号", "A1"),), qr="AB", footer="谢谢")
    expected = b"".join(
        [
            b"\x1b@",  # ESC @ initialise
            b"\x1c&",  # FS & Chinese mode
            b"\x1ba\x01",
            b"\x1d!\x11",
            b"\x1bE\x01",  # centre, double size, bold
            bytes.fromhex("bbd8 d6b4"),
            b"\n",  # 回执
            b"\x1d!\x00",
            b"\x1bE\x00",
            b"\x1ba\x00",
            DASHES_32,
            bytes.fromhex("b1e0 bac5 a3ba") + b"A1\n",  # 编号：A1
            DASHES_32,
            b"\x1ba\x01",
            b"\x1d(k\x04\x001A2\x00",  # QR model 2
            b"\x1d(k\x03\x001C\x08",  # module 8 dots
            b"\x1d(k\x03\x001E1",  # error level M
            b"\x1d(k\x05\x001P0AB",  # store "AB"
            b"\x1d(k\x03\x001Q0",  # print
            b"\n",
            b"\x1ba\x00",
            b"\x1ba\x01",
            bytes.fromhex("d0bb d0bb"),
            b"\n",
            b"\x1ba\x00",  # 谢谢 centred
            b"\x1bd\x04",  # feed 4 lines past the cutter
            b"\x1dV\x00",  # GS V 0 full cut
        ]
    )
    out = render(receipt, Layout(58))
    assert out.data == expected
    assert out.cut and out.qr_native
    assert out.text_lines == ("回执", "-" * 32, "编号：A1", "-" * 32, "谢谢")


def test_fullwidth_punctuation_line_exact_bytes() -> None:
    out = render(Receipt("", (("", "（，。：）"),)), Layout(80))
    assert b"\xa3\xa8\xa3\xac\xa1\xa3\xa3\xba\xa3\xa9\n" in out.data
    assert b"?" not in out.data


def test_qr_native_matches_python_escpos() -> None:
    from escpos.printer import Dummy

    d = Dummy()
    d.qr("https://example.gov.cn/p?c=1", native=True, size=6, ec=1)
    assert qr_native("https://example.gov.cn/p?c=1", 6) == d.output


def test_cut_follows_profile() -> None:
    full = render(Receipt("x"), Layout(80, "TM-T88V")).data
    assert full.endswith(b"\x1bd\x04\x1dV\x00")
    none = render(Receipt("x"), Layout(58, "POS-5890"))
    assert none.data.endswith(b"\x1bd\x04") and not none.cut
    assert b"\x1dV" not in none.data


def test_qr_falls_back_to_raster_image_without_gs_k() -> None:
    out = render(
        Receipt("x", qr="https://example.gov.cn/p?c=2026112500001"), Layout(58, "POS-5890")
    )
    assert out.qr_native is False
    assert b"\x1d(k" not in out.data
    i = out.data.index(b"\x1dv0\x00")
    xl, xh, yl, yh = out.data[i + 4 : i + 8]
    width_dots = (xl | xh << 8) * 8
    assert 100 < width_dots <= 384  # fits 58 mm
    assert yl | yh << 8 > 100


def test_80mm_uses_48_columns() -> None:
    out = render(Receipt("标题", (("事项", "社保参保缴费证明打印（个人）"),)), Layout(80))
    assert out.text_lines[1] == "-" * 48
    assert "事项：社保参保缴费证明打印（个人）" in out.text_lines


def test_long_value_wraps_under_value_column() -> None:
    assert field_lines("地址", "北京市东城区某某街道某某社区某某路一百二十三号", 32) == [
        "地址：北京市东城区某某街道某某社",
        "      区某某路一百二十三号",
    ]


def test_bad_layout_is_clear() -> None:
    with pytest.raises(ReceiptError, match="58 or 80"):
        Layout(76)
    with pytest.raises(ReceiptError, match="unknown printer profile"):
        Layout(80, "NoSuchPrinter")
    with pytest.raises(ReceiptError, match="too long"):
        render(Receipt("x", qr="x" * 5000))


def test_receipt_is_immutable_and_hashable() -> None:
    r = Receipt("t", [("a", "b")])  # type: ignore[arg-type]
    assert r.lines == (("a", "b"),)
    hash(r)
    with pytest.raises(AttributeError):
        r.title = "u"  # type: ignore[misc]


_chars = hs.sampled_from(list("回执办件编号（，。：）0123456789abc XYZ-堃"))


@settings(max_examples=60, deadline=None)
@given(
    hs.lists(hs.tuples(hs.text(_chars, max_size=6), hs.text(_chars, max_size=60)), max_size=6),
    hs.sampled_from([58, 80]),
)
def test_every_line_fits_the_paper(lines: list[tuple[str, str]], paper: int) -> None:
    layout = Layout(paper)
    out = render(Receipt("回执", tuple(lines)), layout)
    assert all(text_width(t) <= layout.columns for t in out.text_lines)

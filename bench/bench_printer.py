"""Receipt → ESC/POS bytes: our renderer vs plain python-escpos Dummy text of the same lines."""

from __future__ import annotations

import time

from drivers.printer.receipt import Layout, Receipt, render

RECEIPT = Receipt(
    title="某某市政务服务中心 回执",
    lines=(
        ("办件编号", "SB2026112500001"),
        ("事项", "社保参保缴费证明打印（个人）"),
        ("申请人", "张*"),
        ("身份证号", "6109**********123X"),
        ("受理时间", "2026-11-25 15:20:01"),
        ("终端", "T-0107 政务服务中心一楼24小时自助区"),
        ("状态", "已受理，请留意短信通知。"),
    ),
    qr="https://zwfw.example.gov.cn/progress?case=SB2026112500001",
    footer="请妥善保管本回执，扫码可查询办理进度。咨询电话：12345",
)


def _per_call(fn, n: int) -> float:  # noqa: ANN001
    fn()
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t0) / n


def _baseline() -> bytes:
    from escpos.printer import Dummy

    d = Dummy()
    d.set(align="center", double_height=True, double_width=True, bold=True)
    d.textln(RECEIPT.title)
    d.set(normal_textsize=True, bold=False, align="left")
    d.textln("-" * 48)
    for label, value in RECEIPT.lines:
        d.textln(f"{label}：{value}")
    d.textln("-" * 48)
    d.qr(RECEIPT.qr, native=True, size=6, ec=1)
    d.textln(RECEIPT.footer)
    d.cut()
    return d.output


def run() -> dict:
    """Time rendering a typical receipt (80 mm native QR, 58 mm, 58 mm image QR) against the baseline."""
    n = 300
    ours_80 = _per_call(lambda: render(RECEIPT, Layout(80)), n)
    ours_58 = _per_call(lambda: render(RECEIPT, Layout(58)), n)
    ours_img = _per_call(lambda: render(RECEIPT, Layout(58, "POS-5890")), 30)
    base = _per_call(_baseline, n)
    return {
        "receipt_ms_80mm": round(ours_80 * 1000, 3),
        "receipt_ms_58mm": round(ours_58 * 1000, 3),
        "receipt_ms_58mm_image_qr": round(ours_img * 1000, 3),
        "baseline_python_escpos_dummy_ms": round(base * 1000, 3),
        "ratio_ours_to_baseline_80mm": round(ours_80 / base, 3),
        "goal_ms": 10,
        "meets_goal": ours_80 * 1000 <= 10 and ours_img * 1000 <= 10,
        "bytes_80mm": len(render(RECEIPT, Layout(80)).data),
        "bytes_58mm": len(render(RECEIPT, Layout(58)).data),
        "bytes_58mm_image_qr": len(render(RECEIPT, Layout(58, "POS-5890")).data),
        "bytes_baseline": len(_baseline()),
    }

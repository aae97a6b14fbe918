"""The one combined receipt of a bundle: its number, the applicant (masked) and, per item, the
case number or why it was not accepted and where to go instead."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from drivers.privacy import mask_id_number, mask_name
from kiosk.bundle.model import BundleSubmitted
from kiosk.session.ports import ReceiptDoc

if TYPE_CHECKING:
    from kiosk.bundle.flow import BundleRun

STATUS_ZH = {"received": "已受理", "queued": "已保存，联网后自动提交", "rejected": "未受理"}
STATUS_EN = {
    "received": "Received",
    "queued": "Saved; sent when the network is back",
    "rejected": "Not accepted",
}


def bundle_receipt(
    run: BundleRun,
    sub: BundleSubmitted | None,
    *,
    lang: str,
    holder: Any,
    hall: str,
    time: str,
    terminal_id: str,
) -> ReceiptDoc:
    """The receipt of a submitted (or queued) bundle."""
    en = lang == "en"
    b = run.bundle
    lines: list[tuple[str, str]] = []
    number = sub.case_no if sub is not None else ""
    lines.append(("Bundle no." if en else "一件事编号", number))
    if holder is not None:
        lines.append(("Applicant" if en else "申请人", mask_name(holder.name)))
        lines.append(("ID number" if en else "身份证号", mask_id_number(holder.id_number)))
    outcomes = {o.item_code: o for o in (sub.items if sub is not None else ())}
    names = STATUS_EN if en else STATUS_ZH
    for i, it in enumerate(run.items, 1):
        o = outcomes.get(it.code)
        label = f"{i}. {it.name_en if en else it.name_zh}"
        if o is None:
            lines.append((label, names["queued"]))
        elif not o.accepted:
            lines.append((label, names["rejected"]))
            if o.message:
                lines.append(("Reason" if en else "原因", o.message))
            if o.next_step:
                lines.append(("Next" if en else "请您", o.next_step))
        elif o.case_no:
            lines.append((label, f"{names['received']} {o.case_no}"))
        else:
            lines.append((label, names.get(o.status, o.status)))
    if sub is not None and sub.provisional:
        lines.append(
            (
                "Note" if en else "说明",
                "Case numbers follow once delivered; this number finds them."
                if en
                else "各事项办件编号联网后生成，凭本编号可在本机查询",
            )
        )
    lines.append(("Time" if en else "受理时间", time))
    if hall:
        lines.append(("Hall" if en else "受理地点", f"{hall}（{terminal_id}）"))
    return ReceiptDoc(
        title=b.receipt.title_en if en else b.receipt.title_zh,
        lines=tuple(lines),
        qr=number or None,
        footer=b.receipt.footer_en if en else b.receipt.footer_zh,
    )


def result_note(sub: BundleSubmitted, lang: str) -> tuple[str, str]:
    """(title, note) of the result screen: how many items were accepted, and each refusal."""
    en = lang == "en"
    n, ok = len(sub.items), len(sub.cases)
    if sub.provisional:
        title = f"Saved {n} items" if en else f"已保存{n}项，联网后自动提交"
    elif ok == n:
        title = f"All {n} items received" if en else f"{n}项全部受理"
    else:
        title = f"{ok} of {n} items received" if en else f"已受理{ok}项，{n - ok}项未受理"
    parts = []
    for i, o in enumerate(sub.items, 1):
        if not o.accepted:
            parts.append(
                f"Item {i} {o.item_code} not accepted: {o.message} {o.next_step}"
                if en
                else f"第{i}项“{o.name}”未受理：{o.message}。{o.next_step}。"
            )
        elif o.case_no:
            parts.append(f"{i}. {o.name} {o.case_no}")
    if sub.provisional:
        parts.append(
            "Use this number to follow every item."
            if en
            else "凭此编号可在本机“办件进度查询”查看各事项。"
        )
    elif ok:
        parts.append(
            "Already accepted items stand."
            if en and ok < n
            else ("其余事项已正常受理，无需重办。" if ok < n else "各事项编号见回执。")
        )
    return title, "\n".join(parts)

"""One short spoken prompt per screen, written for the ear (texts in assets/i18n, keys
voice.prompt.*), filled from what the screen's view-model shows. Never personal data: the
caller's guard (kiosk.voice.spoken.holds_personal) drops any phrase that would carry it."""

from __future__ import annotations

from typing import Any

from kiosk.ui import i18n
from kiosk.voice.spoken import amount, clean_for_ear, digits, year_digits

SCREENS = (
    "home",
    "card_offer",
    "item",
    "identify",
    "form",
    "confirm",
    "working",
    "result",
    "printing",
    "rating",
    "done",
    "payment",
    "out_of_service",
    "face",
)
"""Every screen has a prompt (tests/kiosk/voice check each one is spoken)."""


def _item_name(engine: Any, lang: str) -> str:
    item = getattr(engine, "item", None)
    return item.name(lang) if item is not None else ""


def prompt(screen: str, engine: Any, vms: Any = None) -> str:
    """The phrase spoken when `screen` is shown (language: the engine's)."""
    lang = engine.lang
    item = _item_name(engine, lang)

    def tr(key: str, **kw: object) -> str:
        return i18n.t(key, lang, **kw)

    if screen == "result":
        out = engine.session.outcome
        if out is not None and out.error:
            return tr("voice.prompt.result_error", reason=tr("result.error_" + out.error))
        if out is not None and out.submitted is not None:
            key = (
                "voice.prompt.result_queued"
                if out.submitted.provisional
                else "voice.prompt.result_case"
            )
            return tr(key, case=digits(out.submitted.case_no, lang))
        return tr("voice.prompt.result", item=item)
    if screen == "printing":
        state = engine.session.print_state or "busy"
        return tr(
            f"voice.prompt.printing_{state}"
            if state in ("printed", "failed")
            else "voice.prompt.printing"
        )
    if screen == "payment":
        order = getattr(getattr(engine, "payment", None), "order", None)
        if order is not None:
            return tr("voice.prompt.payment", amount=amount(order.amount_fen, lang))
        return tr("voice.prompt.payment_wait")
    if screen == "out_of_service" and vms is not None:
        reason = getattr(vms.out_of_service, "reason_text", "") or ""
        return clean_for_ear(tr("voice.prompt.out_of_service", reason=reason))
    if screen == "form" and item:
        return year_digits(tr("voice.prompt.form", item=item), lang)
    return tr(f"voice.prompt.{screen}", item=item)


def phase(screen: str, engine: Any) -> str:
    """What, within one screen, changes its prompt (printing → printed): a new phase re-speaks."""
    s = engine.session
    if screen == "printing":
        return s.print_state or "busy"
    if screen == "result":
        return "error" if s.outcome is not None and s.outcome.error else str(s.outcome is not None)
    if screen == "payment":
        order = getattr(getattr(engine, "payment", None), "order", None)
        return getattr(order, "order_no", "") or ""
    return ""


def countdown(engine: Any) -> str:
    """The spoken countdown warning."""
    left = engine.countdown_remaining or 0
    return i18n.t("voice.countdown", engine.lang, n=int(round(left)))


def read_mine(engine: Any) -> str:
    """读出我的信息: the citizen's own data, only ever spoken into headphones."""
    h = engine.session.holder
    lang = engine.lang
    if h is None:
        return i18n.t("voice.read_mine_none", lang)
    return i18n.t("voice.read_mine", lang, name=h.name, id=digits(h.id_number, lang))

"""Sandbox stand-in for the departments answering the items of a 一件事 bundle.

Real rules, on the values sent: the 出生医学证明 registry of the demo province knows certificate
numbers by their issuing letter (M–R in this sandbox: certificates issued in the province); a
certificate from elsewhere cannot be verified online, so 户籍 refuses to register the birth at
the terminal and sends the parents to the window with the original. A household register and a
social security card need the baby's name. Every other item is accepted."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

log = logging.getLogger(__name__)

REGISTRY_LETTERS = frozenset("MNOPQR")
"""First letters of 出生医学证明 numbers the sandbox registry holds (issued in the province)."""


@dataclass(frozen=True)
class Refusal:
    """Why a department did not accept an item, and what the citizen does instead."""

    code: str
    message: str
    next_step: str


def check_item(item_code: str, fields: Mapping[str, Any], today: date) -> Refusal | None:
    """The department's answer to one item of a bundle: None (accepted) or why not."""
    name = str(fields.get("baby_name") or "").strip()
    if item_code == "GA-0703":
        cert = str(fields.get("birth_cert_no") or "")
        if not cert or cert[0] not in REGISTRY_LETTERS:
            return Refusal(
                "birth_certificate_unverified",
                "出生医学证明未能联网核验（省外签发或编号有误）",
                "请携带出生医学证明原件和父母身份证件，到三楼F区公安户政窗口（F01-F04）办理",
            )
        if not name:
            return Refusal(
                "name_required",
                "申报户口须填写新生儿姓名",
                "取名后在本机“我要办什么”单独申报，或到三楼F区公安户政窗口办理",
            )
    if item_code == "RS-0104" and not name:
        return Refusal(
            "name_required",
            "社会保障卡须有持卡人姓名",
            "申报户口后到一楼A区社保综合窗口（A03-A06）或在本机重新申领",
        )
    return None

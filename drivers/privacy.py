"""Masking of personal data (ID numbers, phone numbers, names) for screens, receipts and logs."""

from __future__ import annotations

import re

# 18-character resident ID numbers (17 digits + digit/X). Eager on purpose: any run of 17 or
# more digits is masked (an ID glued to other digits is still an ID), so identifiers meant
# for logs (case numbers) must not be long bare digit runs.
ID_NUMBER_RE = re.compile(r"\d{17,}[\dXx]?")
PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def mask_id_number(value: str) -> str:
    """6109**********123X: keep the first 4 and last 4 characters."""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_id_issuer(value: str) -> str:
    """610902********1235: the first 6 (region) and last 4 kept, as issuing bodies print it."""
    value = value.strip()
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """138****5678."""
    if len(value) != 11:
        return "*" * len(value)
    return value[:3] + "****" + value[-4:]


def mask_name(value: str) -> str:
    """Keep the first character: 张*, 欧阳** ; Latin names keep the first letter of each word."""
    value = value.strip()
    if not value:
        return value
    if value.isascii():
        return " ".join(w[:1] + "*" * (len(w) - 1) for w in value.split())
    return value[0] + "*" * (len(value) - 1)


def scrub_text(text: str, names: tuple[str, ...] | list[str] | set[str] = ()) -> str:
    """Mask every ID number, mobile number and given name found in free text."""

    def _id(m: re.Match[str]) -> str:
        return mask_id_number(m.group(0))

    text = ID_NUMBER_RE.sub(_id, text)
    text = PHONE_RE.sub(lambda m: mask_phone(m.group(0)), text)
    for name in sorted((n for n in names if n), key=len, reverse=True):
        text = text.replace(name, mask_name(name))
    return text

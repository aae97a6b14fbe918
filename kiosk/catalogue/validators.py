"""Field validators: each turns a citizen's raw input into a normalised value or raises
FieldValueError with a plain message in Chinese and English (shown next to the field)."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from kiosk import clock as terminal_clock
from kiosk.catalogue.errors import FieldValueError
from kiosk.catalogue.model import Field
from kiosk.catalogue.schema import validate_catalogue  # noqa: F401 - whole-catalogue validation, re-exported
from kiosk.central_api import CASE_REF_MAX_LEN, is_case_ref

log = logging.getLogger(__name__)

# GB 11643 (ISO 7064 MOD 11-2)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
# GB 32100: 31 characters (no I, O, S, V, Z); value = index.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}

PHONE_RE = re.compile(r"1[3-9]\d{9}", re.ASCII)
EARLIEST_BIRTH = date(1900, 1, 1)


def _fail(zh: str, en: str) -> FieldValueError:
    return FieldValueError(zh, en)


def id_number_check_digit(first17: str) -> str:
    """GB 11643 check character ('0'-'9' or 'X') of the first 17 digits of an ID number."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("need exactly 17 ASCII digits")
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS))
    return ID_CHECK[total % 11]


def uscc_check_char(first17: str) -> str:
    """GB 32100 check character of the first 17 characters of a unified social credit code."""
    if len(first17) != 17:
        raise ValueError("need exactly 17 characters")
    try:
        total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, USCC_WEIGHTS))
    except KeyError as exc:
        raise ValueError(f"character {exc.args[0]!r} is not in the GB 32100 alphabet") from None
    return USCC_ALPHABET[(31 - total % 31) % 31]


def _normalise(raw: Any) -> str:
    """NFKC (full-width digits and letters become ASCII) and strip surrounding spaces."""
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raw = str(raw)
    return unicodedata.normalize("NFKC", raw).strip()


def _compact(text: str) -> str:
    """Drop spaces and hyphens people put in long numbers."""
    return re.sub(r"[\s\-]", "", text)


def validate_text(field: Field, raw: Any) -> str:
    """Free text up to max_length characters (optionally matching a pattern)."""
    text = _normalise(raw)
    limit = field.max_length or 200
    if len(text) > limit:
        raise _fail(
            f"最多输入{limit}个字，现在有{len(text)}个字",
            f"At most {limit} characters (now {len(text)})",
        )
    if any(unicodedata.category(c) == "Cc" for c in text):
        raise _fail("含有无法识别的字符", "Contains control characters")
    if field.pattern and not re.fullmatch(field.pattern, text):
        raise _fail(f"{field.label_zh}格式不正确", f"{field.label_en}: wrong format")
    return text


def validate_number(field: Field, raw: Any) -> int | Decimal:
    """A number within [min, max] with at most `decimals` decimal places (int when 0)."""
    if isinstance(raw, bool):
        raise _fail("请输入数字", "Enter a number")
    text = _normalise(raw).replace(",", "").replace("，", "")
    if len(text) > 32 or not text.isascii():
        raise _fail("请输入数字", "Enter a number")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _fail("请输入数字", "Enter a number") from None
    if not value.is_finite():
        raise _fail("请输入数字", "Enter a number")
    if value and value.adjusted() > 15:  # 1e999999999 would otherwise become a huge int
        raise _fail("数字太大", "The number is too large")
    places = -value.as_tuple().exponent if value.as_tuple().exponent < 0 else 0  # type: ignore[operator]
    if places > field.decimals:
        if field.decimals == 0:
            raise _fail("请输入整数", "Enter a whole number")
        raise _fail(f"最多保留{field.decimals}位小数", f"At most {field.decimals} decimal places")
    lo = Decimal(str(field.min)) if field.min is not None else None
    hi = Decimal(str(field.max)) if field.max is not None else None
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        rng_zh = (
            f"{_num(lo)}到{_num(hi)}"
            if lo is not None and hi is not None
            else (f"不小于{_num(lo)}" if lo is not None else f"不大于{_num(hi)}")
        )
        rng_en = (
            f"between {_num(lo)} and {_num(hi)}"
            if lo is not None and hi is not None
            else (f"at least {_num(lo)}" if lo is not None else f"at most {_num(hi)}")
        )
        raise _fail(
            f"请输入{rng_zh}之间的数"
            if lo is not None and hi is not None
            else f"请输入{rng_zh}的数",
            f"Enter a number {rng_en}",
        )
    if field.decimals == 0:
        return int(value)
    return value.quantize(Decimal(1).scaleb(-field.decimals))


def _num(d: Decimal | None) -> str:
    return "" if d is None else format(d.normalize(), "f")


def validate_phone(field: Field, raw: Any) -> str:
    """A mainland mobile number 1[3-9] + 9 digits; +86/0086 prefix, spaces and hyphens dropped."""
    text = _compact(_normalise(raw))
    for prefix in ("+86", "0086"):
        if text.startswith(prefix) and len(text) == len(prefix) + 11:
            text = text[len(prefix) :]
    if not PHONE_RE.fullmatch(text):
        raise _fail(
            "请输入11位手机号码，以1开头", "Enter an 11-digit mobile number starting with 1"
        )
    return text


def _date_bound(bound: float | str | None, today: date) -> date | None:
    if bound is None:
        return None
    if bound == "today":
        return today
    return date.fromisoformat(str(bound))


def validate_date(field: Field, raw: Any, *, today: date | None = None) -> date:
    """A calendar date (YYYY-MM-DD, YYYYMMDD or YYYY/MM/DD) within the field's min/max."""
    today = today or terminal_clock.today()
    if isinstance(raw, datetime):
        value = raw.date()
    elif isinstance(raw, date):
        value = raw
    else:
        text = _normalise(raw)
        m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text, re.ASCII) or re.fullmatch(
            r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text, re.ASCII
        )
        if not m:
            raise _fail(
                "请按“年-月-日”输入日期，例如2026-01-31",
                "Enter a date as year-month-day, e.g. 2026-01-31",
            )
        try:
            value = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            raise _fail("这一天不存在，请检查日期", "This date does not exist") from None
    lo, hi = _date_bound(field.min, today), _date_bound(field.max, today)
    if lo is not None and value < lo:
        raise _fail(f"日期不能早于{lo.isoformat()}", f"The date cannot be before {lo.isoformat()}")
    if hi is not None and value > hi:
        raise _fail(f"日期不能晚于{hi.isoformat()}", f"The date cannot be after {hi.isoformat()}")
    return value


def validate_choice(field: Field, raw: Any) -> str:
    """One of the field's option values (exact: values come from buttons, not typing)."""
    text = raw.strip() if isinstance(raw, str) else str(raw)
    if field.option(text) is None:
        raise _fail("请从列表中选择一项", "Choose one of the options")
    return text


def validate_id_number(field: Field, raw: Any, *, today: date | None = None) -> str:
    """An 18-character resident ID number (GB 11643): region, birth date and MOD 11-2 check."""
    text = _compact(_normalise(raw)).upper()
    if len(text) != 18:
        raise _fail(
            f"身份证号码应为18位，现在是{len(text)}位",
            f"An ID number has 18 characters (now {len(text)})",
        )
    if not (text[:17].isascii() and text[:17].isdigit()) or text[17] not in "0123456789X":
        raise _fail(
            "身份证号码只能是数字，最后一位可以是X",
            "An ID number is digits only; the last one may be X",
        )
    if text[0] == "0":
        raise _fail("身份证号码的地区代码不正确", "The region code of the ID number is wrong")
    try:
        birth = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise _fail(
            "身份证号码中的出生日期不正确", "The birth date in the ID number is wrong"
        ) from None
    if birth < EARLIEST_BIRTH or birth > (today or terminal_clock.today()):
        raise _fail("身份证号码中的出生日期不正确", "The birth date in the ID number is wrong")
    if id_number_check_digit(text[:17]) != text[17]:
        raise _fail(
            "身份证号码有误，请核对后重新输入",
            "The ID number is not valid (check digit); please check it",
        )
    return text


def validate_uscc(field: Field, raw: Any) -> str:
    """An 18-character unified social credit code (GB 32100) with a valid check character."""
    text = _compact(_normalise(raw)).upper()
    if len(text) != 18:
        raise _fail(
            f"统一社会信用代码应为18位，现在是{len(text)}位",
            f"A unified social credit code has 18 characters (now {len(text)})",
        )
    bad = [c for c in text if c not in _USCC_VALUE]
    if bad:
        raise _fail(
            f"统一社会信用代码不能含有字符“{bad[0]}”（不使用I、O、S、V、Z）",
            f"A unified social credit code cannot contain {bad[0]!r} (no I, O, S, V, Z)",
        )
    if not text[2:8].isdigit():
        raise _fail(
            "统一社会信用代码第3至8位应为数字（行政区划代码）",
            "Characters 3-8 of the code must be digits (region code)",
        )
    if uscc_check_char(text[:17]) != text[17]:
        raise _fail(
            "统一社会信用代码有误，请核对后重新输入",
            "The unified social credit code is not valid (check character); please check it",
        )
    return text


def validate_case_no(field: Field, raw: Any) -> str:
    """A case number (办件编号) typed or scanned, upper-cased: central's number or a terminal's
    provisional one (kiosk.central_api.is_case_ref), unless the field gives its own pattern."""
    text = re.sub(r"\s", "", _normalise(raw)).upper()
    limit = field.max_length or CASE_REF_MAX_LEN
    if len(text) > limit:
        raise _fail(f"编号最多{limit}位", f"At most {limit} characters")
    ok = re.fullmatch(field.pattern, text) if field.pattern else is_case_ref(text)
    if not ok:
        raise _fail(
            "编号格式不正确，请核对受理回执上的编号",
            "Wrong number format; check the number on your receipt",
        )
    return text


VALIDATORS: dict[str, Callable[..., Any]] = {
    "text": validate_text,
    "number": validate_number,
    "phone": validate_phone,
    "date": validate_date,
    "choice": validate_choice,
    "id_number": validate_id_number,
    "uscc": validate_uscc,
    "case_no": validate_case_no,
}


def validate_field_value(field: Field, raw: Any, *, today: date | None = None) -> Any:
    """Validate one input of `field`; returns the normalised value, None for an empty optional."""
    if raw is None or (isinstance(raw, str) and not _normalise(raw)):
        if field.required:
            if field.type in ("choice", "date"):  # picked, not typed: 请选择
                raise _fail(f"请选择{field.label_zh}", f"Please choose {field.label_en.lower()}")
            raise _fail(f"请填写{field.label_zh}", f"{field.label_en} is required")
        return None
    if field.type in ("date", "id_number"):
        return VALIDATORS[field.type](field, raw, today=today)
    return VALIDATORS[field.type](field, raw)


def validate_form(
    fields: tuple[Field, ...] | list[Field], values: dict[str, Any], *, today: date | None = None
) -> tuple[dict[str, Any], dict[str, FieldValueError]]:
    """Validate a whole form; returns (normalised values, errors by field name)."""
    out: dict[str, Any] = {}
    errors: dict[str, FieldValueError] = {}
    for f in fields:
        try:
            out[f.name] = validate_field_value(f, values.get(f.name), today=today)
        except FieldValueError as exc:
            errors[f.name] = exc
    return out, errors

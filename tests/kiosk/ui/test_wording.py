"""Wording a Chinese government UI needs: full-width punctuation, 请选择 for choices, print items
named for what comes out, reason tags that fit an unattended machine, the demo hall."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from kiosk.catalogue.errors import FieldValueError
from kiosk.catalogue.model import Field, Option
from kiosk.catalogue.validators import validate_field_value
from kiosk.ui import i18n

ROOT = Path(__file__).resolve().parents[3]
CATALOGUE = yaml.safe_load(
    (ROOT / "config" / "catalogue" / "catalogue.yaml").read_text(encoding="utf-8")
)
CJK = re.compile(r"[\u4e00-\u9fff]")
HALF_WIDTH = re.compile(r"[(),;?!]|(?<![0-9]):|:(?![0-9])")


def chinese_texts() -> list[tuple[str, str]]:
    """(where, text) of every Chinese UI string: i18n zh_CN and the catalogue's zh fields."""
    out = [(f"zh_CN.json:{k}", v) for k, v in i18n.table("zh_CN").items()]

    def walk(node: object, path: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if isinstance(v, str) and (k.endswith("_zh") or k == "zh"):
                    out.append((f"{path}.{k}", v))
                walk(v, f"{path}.{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{path}[{i}]")

    walk(CATALOGUE, "catalogue")
    return out


def test_chinese_text_uses_full_width_punctuation() -> None:
    bad = [
        (where, text)
        for where, text in chinese_texts()
        if CJK.search(text)
        and HALF_WIDTH.search(re.sub(r"\{[a-z_]+\}", "", text))
        and not where.startswith("zh_CN.json:maint.")
    ]  # the technician's screens quote commands
    assert bad == []


def test_choices_say_please_choose() -> None:
    choice = Field(
        name="insurance",
        type="choice",
        label_zh="险种",
        label_en="Insurance type",
        options=(Option("pension", "养老保险", "Pension"),),
    )
    try:
        validate_field_value(choice, None)
    except FieldValueError as exc:
        assert (exc.zh, exc.en) == ("请选择险种", "Please choose insurance type")
    else:
        raise AssertionError("an empty required choice was accepted")
    typed = Field(name="year", type="number", label_zh="年度", label_en="Year")
    try:
        validate_field_value(typed, "")
    except FieldValueError as exc:
        assert exc.zh == "请填写年度"
    assert i18n.t("form.choose") == "请选择"


def test_print_items_are_named_for_what_comes_out() -> None:
    for item in CATALOGUE["items"]:
        if item["kind"] == "print":
            assert "打印" in item["name_zh"] or "证明" in item["name_zh"], item["name_zh"]
            assert "查询" not in item["name_zh"], item["name_zh"]
            assert item["name_en"].startswith("Print "), item["name_en"]


def test_reason_tags_fit_an_unattended_machine() -> None:
    assert [t["zh"] for t in CATALOGUE["rating_tags"]] == [
        "操作不便",
        "等待/打印太慢",
        "结果有误",
        "设备故障",
        "说明不清楚",
        "其他",
    ]


def test_no_second_generation_id_asked_of_everyone() -> None:
    for item in CATALOGUE["items"]:
        for m in item.get("materials", []):
            assert "二代" not in m["zh"] and "second-generation" not in m["en"], m
    assert "二代" not in json.dumps(i18n.table("zh_CN"), ensure_ascii=False)


def test_the_demo_hall_is_ankang() -> None:
    cfg = (ROOT / "config" / "terminal.toml").read_text(encoding="utf-8")
    assert (
        'hall_name = "安康市政务服务中心24小时自助服务区"' in cfg
        and 'region_code = "610900"' in cfg
    )
    depts = {item["department_zh"] for item in CATALOGUE["items"]}
    assert all("安康市" in d for d in depts), depts
    for path in [
        *ROOT.glob("config/**/*.toml"),
        *ROOT.glob("config/**/*.yaml"),
        *ROOT.glob("docs/*.md"),
        *ROOT.glob("central/*.py"),
    ]:
        text = path.read_text(encoding="utf-8")
        assert "示范市" not in text and "330100" not in text, path

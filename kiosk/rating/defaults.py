"""The shipped rating dictionary (version 1): the terminal's default and central's until staff
publish another. Modelled on the offline-hall evaluation indicators of 国办发〔2019〕51号."""

from __future__ import annotations

from typing import Any

_POSITIVE = [
    {"code": "efficient", "zh": "办事效率高", "en": "Quick service"},
    {"code": "convenient", "zh": "操作方便", "en": "Easy to use"},
    {"code": "clear", "zh": "指引清楚", "en": "Clear guidance"},
    {"code": "done_once", "zh": "一次办成", "en": "Done in one visit"},
]
_BASIC = [
    {"code": "efficient", "zh": "办事效率高", "en": "Quick service"},
    {"code": "could_be_easier", "zh": "操作可以更简便", "en": "Could be easier"},
]
_NEGATIVE = [
    {"code": "too_slow", "zh": "等待/打印太慢", "en": "Too slow (waiting or printing)"},
    {"code": "hard_to_use", "zh": "操作不便", "en": "Hard to use"},
    {"code": "unclear", "zh": "说明不清楚", "en": "Unclear instructions"},
    {"code": "wrong_result", "zh": "结果有误", "en": "Wrong result"},
    {"code": "not_done_once", "zh": "未能一次办成", "en": "Not done in one visit"},
    {"code": "device_fault", "zh": "设备故障", "en": "Machine fault"},
    {"code": "attitude", "zh": "现场服务态度差", "en": "Unhelpful staff"},
    {"code": "other", "zh": "其他", "en": "Other"},
]

DEFAULT_DICTIONARY: dict[str, Any] = {
    "version": 1,
    "name": "政务服务好差评 线下大厅评价指标 (自助终端)",
    "levels": [
        {"level": "非常满意", "zh": "非常满意", "en": "Very satisfied"},
        {"level": "满意", "zh": "满意", "en": "Satisfied"},
        {"level": "基本满意", "zh": "基本满意", "en": "Fairly satisfied"},
        {"level": "不满意", "zh": "不满意", "en": "Dissatisfied"},
        {"level": "非常不满意", "zh": "非常不满意", "en": "Very dissatisfied"},
    ],
    "indicators": [
        {"code": "overall", "zh": "整体满意度", "en": "Overall"},
        {"code": "efficiency", "zh": "服务效率", "en": "Efficiency"},
        {"code": "convenience", "zh": "服务水平/便利度", "en": "Convenience"},
        {"code": "attitude", "zh": "服务态度", "en": "Attitude"},
    ],
    "reasons_by_level": {
        "非常满意": _POSITIVE,
        "满意": _POSITIVE,
        "基本满意": _BASIC,
        "不满意": _NEGATIVE,
        "非常不满意": _NEGATIVE,
    },
}
"""Reason codes are the project's; central.province.mapping turns them into the province's."""

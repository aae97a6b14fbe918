"""The one place project values become provincial codes (interfaces seen in the wild).

Fields (JSON): requestId, projectNo 办件编号, taskCode/taskName 事项编码/名称, deptCode 实施机构
统一社会信用代码, deptName, areaCode 行政区划, userType 1 person / 2 legal person, userCert and
userName (实名 only), anonymous "1"/"0", satisfaction 5 非常满意 … 1 非常不满意, pf 5 (hall
self-service terminal), evaluateNum 1 first / 2 second evaluation, contentCodes, indexScores,
comment, evaluateTime YYYYMMDDThhmmss (Beijing), mobile (差评 with consent), dictVersion.
"""

from __future__ import annotations

from typing import Any

from central.haocha.records import FullRecord, beijing_stamp
from central.province.errors import MappingError
from kiosk import central_api as api

PROTOCOL_VERSION = "1.0"

# Project reason code → provincial 评价内容代码 (positive A.., 基本满意 B.., 差评 C..).
CONTENT_CODES: dict[str, str] = {
    "efficient": "A01",
    "convenient": "A02",
    "clear": "A03",
    "done_once": "A04",
    "could_be_easier": "B01",
    "too_slow": "C01",
    "hard_to_use": "C02",
    "unclear": "C03",
    "wrong_result": "C04",
    "not_done_once": "C05",
    "device_fault": "C06",
    "attitude": "C07",
    "other": "C99",
}
INDEX_CODES: dict[str, str] = {
    "overall": "ZT",
    "efficiency": "XL",
    "convenience": "SP",
    "attitude": "TD",
}
RECTIFY_TYPES = {"immediate": 1, "deadline": 2, "explained": 3, "appeal_upheld": 4}


def demo_departments() -> dict[str, str]:
    """Demo credit codes (valid GB 32100 check characters) for the default catalogue's
    departments; a real deployment configures its own table."""
    from kiosk.catalogue.validators import uscc_check_char

    names = [
        "安康市人力资源和社会保障局",
        "安康市社会保险事业管理中心",
        "安康市医疗保障局",
        "安康市医疗保障局、国家税务总局安康市税务局",
        "安康市住房公积金管理中心",
        "安康市不动产登记中心",
        "安康市市场监督管理局",
        "国家税务总局安康市税务局",
        "安康市公安局",
        "安康市政务服务中心",
        "安康市12345政务服务便民热线",
        "安康市公安局出入境管理局",
        "安康市公安局交通警察支队",
    ]
    out = {}
    for i, name in enumerate(names):
        first17 = f"11610900MB{i + 1:07d}"
        out[name] = first17 + uscc_check_char(first17)
    return out


def rating_payload(
    rec: FullRecord, request_id: str, item_name: str, department: str, departments: dict[str, str]
) -> dict[str, Any]:
    """The provincial evaluation message of one rating."""
    dept_code = departments.get(department)
    if dept_code is None:
        raise MappingError(f"department {department or '(none)'} has no credit code configured")
    try:
        content = [CONTENT_CODES[t] for t in rec.reasons]
        scores = {INDEX_CODES[k]: v.provincial_code for k, v in rec.indicators.items()}
    except KeyError as exc:
        raise MappingError(f"no provincial code for {exc.args[0]}") from None
    rater = rec.rater if rec.real_name else None
    return {
        "requestId": request_id,
        "version": PROTOCOL_VERSION,
        "projectNo": rec.case_no,
        "taskCode": rec.item_code,
        "taskName": item_name,
        "deptCode": dept_code,
        "deptName": department,
        "areaCode": rec.region_code,
        "userType": rater.user_type if rater else 1,
        "userCert": rater.id_number if rater else "",
        "userName": rater.name if rater else "",
        "anonymous": "0" if rater else "1",
        "satisfaction": rec.level.provincial_code,
        "pf": api.PROVINCIAL_CHANNEL_CODE,
        "evaluateNum": 1,
        "contentCodes": ",".join(content),
        "indexScores": scores,
        "comment": rec.comment,
        "evaluateTime": rec.rated_stamp,
        "mobile": rec.phone or "",
        "terminalId": rec.terminal_id,
        "dictVersion": rec.dictionary_version or 0,
    }


def rectification_payload(
    request_id: str, case_no: str, rectification: str, note: str, by: str, closed_at: float
) -> dict[str, Any]:
    """The provincial 差评整改结果 message of one closed follow-up."""
    return {
        "requestId": request_id,
        "version": PROTOCOL_VERSION,
        "projectNo": case_no,
        "rectifyType": RECTIFY_TYPES[rectification],
        "rectifyResult": note,
        "handler": by,
        "rectifyTime": beijing_stamp(closed_at),
    }

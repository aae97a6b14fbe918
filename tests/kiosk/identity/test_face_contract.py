"""The contract addition and the catalogue rule for id_card+face."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from kiosk import central_api as api

JPEG = base64.b64encode(b"\xff\xd8\xff\xe0" + bytes(200)).decode()


def _req(**kw: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id_number": "610902199101010010",
        "name": "王小明",
        "image_jpeg_b64": JPEG,
        "liveness": {"challenge": "blink", "passed": True, "frames": 9},
    }
    base.update(kw)
    return base


def test_a_valid_request_parses() -> None:
    req = api.FaceVerification.model_validate(_req())
    assert req.liveness.challenge == "blink"


@pytest.mark.parametrize(
    "kw",
    [
        {"id_number": "330106199101010016"},  # check digit
        {"image_jpeg_b64": base64.b64encode(b"\x89PNG" + bytes(200)).decode()},  # not a JPEG
        {"image_jpeg_b64": "/9j/" + "!" * 200},  # not base64
        {"image_jpeg_b64": "/9j/" + "A" * api.MAX_FACE_JPEG_B64},  # too big
        {"liveness": {"challenge": "smile", "passed": True, "frames": 1}},
        {"extra": 1},
    ],
)
def test_bad_requests_are_refused(kw: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        api.FaceVerification.model_validate(_req(**kw))


@given(st.binary(min_size=80, max_size=2000))
def test_image_field_accepts_exactly_base64_jpegs(raw: bytes) -> None:
    b64 = base64.b64encode(raw).decode()
    try:
        api.FaceVerification.model_validate(_req(image_jpeg_b64=b64))
    except ValidationError:
        assert not raw.startswith(b"\xff\xd8\xff") or len(b64) < 100
    else:
        assert raw.startswith(b"\xff\xd8\xff")


def test_openapi_lists_the_face_endpoint(tmp_path: object) -> None:
    from central.app import create_app

    schema = create_app(f"{tmp_path}/c.sqlite3").openapi()
    op = schema["paths"][api.FACE_PATH]["post"]
    assert "200" in op["responses"] and "422" in op["responses"]


@given(devices=st.lists(st.sampled_from(["idcard", "camera", "printer", "scanner"]), unique=True))
def test_catalogue_id_card_face_needs_reader_and_camera(devices: list[str]) -> None:
    import json
    from pathlib import Path

    from kiosk.catalogue.schema import validate_catalogue

    bundle = Path(__file__).resolve().parents[3] / "config" / "catalogue" / "bundle.json"
    cat = json.loads(bundle.read_text(encoding="utf-8"))["catalogue"]
    item = next(i for i in cat["items"] if i["code"] == "RS-0103")
    assert item["auth"] == "id_card+face"  # the shipped catalogue asks for the face step
    item["devices"] = devices
    problems = validate_catalogue(cat)
    rule = "an item with auth id_card+face needs the idcard reader and the camera"
    assert any(rule in p for p in problems) == (not {"idcard", "camera"} <= set(devices))

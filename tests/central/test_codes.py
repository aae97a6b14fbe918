"""POST /v1/identity/code against the real service: valid, expired, reused, forged, revoked."""

from __future__ import annotations

from typing import Any

import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from central.sandbox.codes import CodeRefused, CodeSandbox
from kiosk import central_api as api


def _mint(service: Any, **body: Any) -> str:
    resp = requests.post(service.url + "/sandbox/identity/codes", json=body, timeout=10)
    assert resp.status_code == 200, resp.text
    return resp.json()["code"]


def test_valid_code_names_the_holder_once(service) -> None:  # type: ignore[no-untyped-def]
    code = _mint(service, kind="e_sscard")
    resp = service.terminal.call("POST", api.CODE_PATH, {"code": code, "kind": "e_sscard"})
    assert resp.status_code == 200, resp.text
    ident = api.CodeIdentity.model_validate_json(resp.content)
    assert ident.holder.name == "王小明" and ident.holder.id_number == "610902199101010010"
    assert ident.holder.id_number_masked == "6109**********0010"
    assert ident.assurance == "high" and "电子社保卡" in ident.issuer and ident.kind == "e_sscard"
    again = service.terminal.call("POST", api.CODE_PATH, {"code": code})
    assert again.status_code == 409 and again.json()["error"] == "code_used"


def test_expired_code(service) -> None:  # type: ignore[no-untyped-def]
    code = _mint(service, kind="medical", issued_ago_s=600)
    resp = service.terminal.call("POST", api.CODE_PATH, {"code": code})
    assert resp.status_code == 410 and resp.json()["error"] == "code_expired"


def test_code_expires_on_the_service_clock(service) -> None:  # type: ignore[no-untyped-def]
    code = _mint(service, kind="gov_app")
    service.clock.offset = 121
    resp = service.terminal.call("POST", api.CODE_PATH, {"code": code})
    assert resp.status_code == 410 and resp.json()["error"] == "code_expired"


def test_forged_and_altered_codes(service) -> None:  # type: ignore[no-untyped-def]
    code = _mint(service)
    head, kind, payload, mac = code.split(".")
    other = CodeSandbox().mint("e_sscard")  # signed, but by a key this service never had
    for bad in (
        other,
        f"{head}.{kind}.{payload[:-2]}xx.{mac}",
        f"{head}.medical.{payload}.{mac}",
        "SBX1.e_sscard.eyJ.abc",
        "https://example.invalid/qr?id=610902199101010010",
    ):
        resp = service.terminal.call("POST", api.CODE_PATH, {"code": bad})
        assert resp.status_code == 422 and resp.json()["error"] == "code_invalid", bad
        assert "610902199101010010" not in resp.text  # never an echo of the input
    wrong_kind = service.terminal.call("POST", api.CODE_PATH, {"code": code, "kind": "medical"})
    assert wrong_kind.json()["error"] == "code_invalid"


def test_revoked_identity(service) -> None:  # type: ignore[no-untyped-def]
    code = _mint(service, holder="revoked")
    resp = service.terminal.call("POST", api.CODE_PATH, {"code": code})
    assert resp.status_code == 410 and resp.json()["error"] == "code_revoked"


def test_needs_a_signed_terminal_and_a_sane_body(service) -> None:  # type: ignore[no-untyped-def]
    code = _mint(service)
    unsigned = requests.post(service.url + api.CODE_PATH, json={"code": code}, timeout=10)
    assert unsigned.status_code == 401
    short = service.terminal.call("POST", api.CODE_PATH, {"code": "x"})
    assert short.status_code == 422
    junk = service.terminal.call("POST", api.CODE_PATH, raw=b"{not json")
    assert junk.status_code == 400
    # the unsigned attempt did not use the code up
    ok = service.terminal.call("POST", api.CODE_PATH, {"code": code})
    assert ok.status_code == 200


@settings(max_examples=60)
@given(st.text(min_size=8, max_size=300))
def test_sandbox_refuses_any_other_text(text: str) -> None:
    sb = CodeSandbox()
    try:
        sb.identify(text)
    except CodeRefused as exc:
        assert exc.code == "code_invalid"
    else:
        raise AssertionError("an arbitrary text was accepted as a code")

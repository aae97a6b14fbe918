"""[hall]: the numbers and the QR a citizen alone at the terminal is shown; bad values named."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk import config
from kiosk.errors import ConfigError

BASE = {
    "terminal_id": "T-001",
    "hall_name": "测试大厅",
    "region_code": "610900",
    "central": {"url": "https://central.example", "secret_file": "secret"},
    "idcard": {"url": "sim://idcard"},
    "printer": {"url": "sim://printer"},
    "scanner": {"url": "sim://scanner"},
}


def parse(**hall: object) -> config.TerminalConfig:
    return config.parse({**BASE, "hall": hall})


def test_defaults_and_shipped_demo() -> None:
    cfg = config.parse(BASE)
    assert (cfg.hall.hotline, cfg.hall.duty_phone, cfg.hall.help_url, cfg.hall_name_en) == (
        "12345",
        "",
        "",
        "",
    )
    demo = config.load()
    assert demo.hall.hotline == "12345" and demo.hall.help_url.startswith("https://")
    assert demo.hall_name_en.startswith("Ankang")


@given(st.from_regex(r"[0-9]{3,4}-[0-9]{7,8}|[0-9]{5,11}", fullmatch=True))
def test_phone_numbers_are_accepted(number: str) -> None:
    assert parse(duty_phone=number).hall.duty_phone == number


@given(
    st.text(min_size=1, max_size=30).filter(
        lambda s: not config.PHONE_RE.fullmatch(s.strip()) and s.strip()
    )
)
def test_anything_else_is_refused_with_its_path(text: str) -> None:
    with pytest.raises(ConfigError) as ei:
        parse(duty_phone=text)
    assert any(p.startswith("hall.duty_phone: must be a phone number") for p in ei.value.problems)


@pytest.mark.parametrize(
    "url", ["ftp://x.example/", "https://", "https://a b.example/", "zwfw.gov.cn"]
)
def test_help_url_must_be_http(url: str) -> None:
    with pytest.raises(ConfigError) as ei:
        parse(help_url=url)
    assert any(p.startswith("hall.help_url:") for p in ei.value.problems)

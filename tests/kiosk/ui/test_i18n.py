"""Every user-visible string goes through assets/i18n/{zh_CN,en}.json; none is missing."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from kiosk.catalogue.model import AUTHS, CARD_TYPES, DEVICES, KINDS
from kiosk.ui import i18n
from kiosk.ui.viewmodels.help import STEPS
from kiosk.ui.viewmodels.rating import LEVEL_KEYS
from kiosk.ui.viewmodels.result import STATUS_WORDS

ROOT = Path(__file__).resolve().parents[3]
KV = sorted((ROOT / "assets" / "kv").glob("*.kv"))
UI_PY = sorted((ROOT / "kiosk" / "ui").rglob("*.py"))
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
KEY = re.compile(r"^[a-z_]+\.[a-z_0-9.]*[a-z0-9]$")


def tables() -> dict[str, dict[str, str]]:
    return {
        lang: json.loads((i18n.I18N_DIR / f"{lang}.json").read_text(encoding="utf-8"))
        for lang in i18n.LANGUAGES
    }


def namespaces() -> set[str]:
    return {k.split(".")[0] for k in tables()["zh_CN"]}


def literal_keys(text: str) -> set[str]:
    """String literals that look like i18n keys (namespace.name) in a .kv or .py file."""
    ns = namespaces()
    found = set()
    for m in re.finditer(r"\"([^\"\n]*)\"|'([^'\n]*)'", text):
        s = m.group(1) if m.group(1) is not None else m.group(2)
        if KEY.match(s) and s.split(".")[0] in ns:
            found.add(s)
    return found


def dynamic_keys() -> set[str]:
    """Keys the view-models build at run time."""
    methods = [a for a in AUTHS if a != "face"]  # auth_text and the identify screen's tiles
    keys = {f"auth.m.{a}" for a in methods} | {"auth.none", "auth.any", "auth.sep", "auth.face"}
    keys |= {f"identify.{part}.{a}" for a in methods for part in ("do", "where", "tile")}
    keys |= {f"kind.{k}" for k in KINDS}
    from kiosk.identity.codes import PROBLEMS as CODE_PROBLEMS
    from kiosk.identity.sscard import CARD_PROBLEMS

    keys |= {
        f"identify.{p}"
        for p in (
            *CODE_PROBLEMS.values(),
            *CARD_PROBLEMS.values(),
            "code_checking",
            "code_offline",
            "code_failed",
            "sscard_expired",
            *(f"{m}_not_accepted" for m in methods),
        )
    }
    keys |= {f"device.{d}" for d in DEVICES}
    keys |= {"reason.disabled", "reason.hours", "reason.offline"} | {
        f"reason.device.{d}" for d in DEVICES
    }
    keys |= {
        f"status.{s}"
        for s in (
            "paper_out",
            "near_end",
            "cover_open",
            "offline",
            "error",
            "unknown",
            "unreachable",
            "fault",
            "timeout",
            "ok",
        )
    }
    keys |= {f"identify.{p}" for p in ("unreadable", "reader_fault", "no_card", "card_type")}
    keys |= {f"result.error_{e}" for e in ("unavailable", "timeout")}
    keys |= {f"case.{w}" for w in (*STATUS_WORDS, "time", "status")}
    keys |= {f"printing.{p}" for p in ("busy", "printed", "failed")}
    keys |= {f"rating.{k}" for k in LEVEL_KEYS}
    keys |= {f"weekday.{i}" for i in range(7)}
    keys |= {f"help.step.{s}" for s in STEPS} | {f"card.{c}" for c in CARD_TYPES}
    return keys


def test_both_languages_have_the_same_keys_and_chinese_is_never_empty() -> None:
    t = tables()
    assert set(t["zh_CN"]) == set(t["en"]), set(t["zh_CN"]) ^ set(t["en"])
    assert [k for k, v in t["zh_CN"].items() if not v.strip()] == []
    # English may leave a suffix empty (年/月/日 after a number); everything else is translated
    assert [
        k
        for k, v in t["en"].items()
        if not v.strip() and k not in ("form.year", "form.month", "form.day")
    ] == []


@pytest.mark.parametrize("path", KV + UI_PY, ids=lambda p: p.name)
def test_every_key_used_exists_in_both_files(path: Path) -> None:
    t = tables()
    used = literal_keys(path.read_text(encoding="utf-8"))
    missing = {lang: sorted(k for k in used if k not in t[lang]) for lang in t}
    assert missing == {lang: [] for lang in t}


def test_every_key_built_at_run_time_exists_in_both_files() -> None:
    t = tables()
    assert sorted(k for k in dynamic_keys() if k not in t["zh_CN"] or k not in t["en"]) == []


@pytest.mark.parametrize("path", KV, ids=lambda p: p.name)
def test_no_chinese_literal_in_kv(path: Path) -> None:
    lines = [
        f"{i}: {line.strip()}"
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if CJK.search(line) and not line.strip().startswith("#")
    ]
    assert lines == []


@pytest.mark.parametrize("path", UI_PY, ids=lambda p: p.name)
def test_no_chinese_literal_in_ui_code(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    # docstrings, including attribute docstrings (a bare string after an assignment)
    docstrings = {
        id(n.value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)
    }
    bad = [
        f"{n.lineno}: {n.value!r}"
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant)
        and isinstance(n.value, str)
        and id(n) not in docstrings
        and CJK.search(n.value)
    ]
    assert bad == []


def test_the_checks_catch_a_missing_key(tmp_path: Path) -> None:
    f = tmp_path / "x.kv"
    f.write_text(
        'Label:\n    text: app.t("home.no_such_key", app.lang)\n    title: "中文"\n',
        encoding="utf-8",
    )
    assert "home.no_such_key" in literal_keys(f.read_text(encoding="utf-8"))
    assert "home.no_such_key" not in tables()["zh_CN"]
    assert CJK.search(f.read_text(encoding="utf-8"))


def test_missing_key_is_logged_and_shown_as_key(caplog: pytest.LogCaptureFixture) -> None:
    assert i18n.t("home.no_such_key") == "home.no_such_key"
    assert "no zh_CN text" in caplog.text
    assert i18n.t("countdown.seconds", "en", n=7) == "Returning to the start in 7 s"

"""The renderer and layouts on their own: specimens of every print item, masks, page frames, CLI."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk import config as config_mod
from kiosk import services
from kiosk.cli import main as cli_main
from kiosk.documents.content import mask_id_issuer
from kiosk.documents.demo import SPECIMEN_URL, specimen
from kiosk.documents.errors import SealMissing
from kiosk.documents.render import render_document
from tests.kiosk.documents import pdfcheck


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):  # noqa: ANN001, ANN201
    """The shipped catalogue, through a store of its own (never the checkout's var/)."""
    cfg = config_mod.load(None)
    cfg = cfg.model_copy(update={"data_dir": str(tmp_path_factory.mktemp("render-data"))})
    return services.load_catalogue(cfg)


def test_issuer_mask() -> None:
    assert mask_id_issuer("610902199001011235") == "610902********1235"
    assert mask_id_issuer("81000019900505002X") == "810000********002X"


@given(st.text(alphabet="0123456789X", min_size=0, max_size=24))
def test_issuer_mask_keeps_region_and_tail_only(value: str) -> None:
    out = mask_id_issuer(value)
    assert len(out) == len(value)
    if len(value) > 10:
        assert out[:6] == value[:6] and out[-4:] == value[-4:] and set(out[6:-4]) <= {"*"}
    else:
        assert set(out) <= {"*"}


def test_every_print_item_has_a_document_that_renders(catalogue, tmp_path: Path) -> None:  # noqa: ANN001
    prints = [i for i in catalogue.items if i.kind == "print"]
    assert len(prints) == 6
    for item in prints:
        pdf, pages = render_document(specimen(item))
        path = tmp_path / f"{item.code}.pdf"
        path.write_bytes(pdf)
        text = re.sub(r"\s+", "", pdfcheck.text(path))
        assert item.document.title in text and item.document.issuer in text, item.code
        # a specimen says 样张 (rotated: pdftotext reads it char by char)
        assert all(ch in text for ch in "样张未经登记不能核验") and "第1页共1页" in text
        assert all(row[-5] == "yes" for row in pdfcheck.fonts(path))


def test_a_long_table_runs_over_pages_each_with_its_frame(catalogue, tmp_path: Path) -> None:  # noqa: ANN001
    pdf, pages = render_document(specimen(catalogue.item("RS-0101"), months=60))
    path = tmp_path / "long.pdf"
    path.write_bytes(pdf)
    assert pages >= 3 and pdfcheck.info(path)["Pages"] == str(pages)
    text = re.sub(r"\s+", "", pdfcheck.text(path))
    for n in range(1, pages + 1):
        assert f"第{n}页共{pages}页" in text
    assert text.count("月份") == pages  # the header row repeats on every page
    assert text.count("出具单位") == 1  # issuer and seal once, at the end
    assert pdfcheck.qr_codes(path, pages) == [SPECIMEN_URL]


def test_a_seal_image_that_is_not_shipped_is_a_clear_error(catalogue) -> None:  # noqa: ANN001
    import dataclasses

    doc = dataclasses.replace(specimen(catalogue.item("RS-0101")), seal="file:nope.png")
    with pytest.raises(SealMissing, match="nope.png"):
        render_document(doc)


def test_cli_renders_a_private_specimen(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rs.pdf"
    assert cli_main(["document", "render", "RS-0101", "--demo", "--out", str(out)]) == 0
    assert out.read_bytes()[:5] == b"%PDF-" and stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert "样张" in capsys.readouterr().out
    assert cli_main(["document", "render", "RS-0102", "--demo", "--out", str(out)]) == 2  # a query
    assert "not a print item" in capsys.readouterr().err

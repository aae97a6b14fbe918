"""What a person sees in a PDF, through poppler's tools: text, page size, fonts, the QR."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path


def text(pdf: Path) -> str:
    """pdftotext of every page (reading order)."""
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True, timeout=30
    ).stdout.decode()


def info(pdf: Path) -> dict[str, str]:
    """pdfinfo as a dict."""
    out = subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, check=True, timeout=30
    ).stdout.decode()
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


def fonts(pdf: Path) -> list[list[str]]:
    """pdffonts rows: name, type, encoding, emb, sub, uni, object, id."""
    out = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, check=True, timeout=30
    ).stdout.decode()
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def qr_codes(pdf: Path, page: int = 1) -> list[str]:
    """The QR codes zxing-cpp reads on a page rendered at 150 dpi."""
    import zxingcpp
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "p"
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "150",
                "-f",
                str(page),
                "-l",
                str(page),
                "-singlefile",
                str(pdf),
                str(base),
            ],
            check=True,
            timeout=60,
        )
        with Image.open(base.with_suffix(".png")) as img:
            return [r.text for r in zxingcpp.read_barcodes(img)]

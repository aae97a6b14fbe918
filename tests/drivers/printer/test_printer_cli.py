"""`kiosk printer status|test`, `kiosk scanner read` and `kiosk sim printer` against the simulators."""

from __future__ import annotations

import argparse
import socket
import threading
from pathlib import Path

import pytest

from kiosk.cli import main


@pytest.mark.parametrize(
    ("query", "name", "code"),
    [
        ("", "ok", 0),
        ("paper=near_end", "near_end", 0),
        ("paper=out", "paper_out", 4),
        ("cover=open", "cover_open", 4),
        ("offline=1", "offline", 4),
        ("silent=1", "unknown", 4),
    ],
)
def test_status(query: str, name: str, code: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["printer", "status", "--device", f"sim://printer?{query}", "--timeout", "0.1"])
        == code
    )
    assert capsys.readouterr().out.strip() == name


def test_status_refused_is_clear(capsys: pytest.CaptureFixture[str]) -> None:
    s = socket.create_server(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    assert main(["printer", "status", "--device", f"tcp://127.0.0.1:{port}"]) == 4
    out = capsys.readouterr()
    assert out.out.strip() == "unknown" and "refused" in out.err and "Traceback" not in out.err


def test_test_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from drivers import sim

    url = f"sim://printer?paper_mm=58&out_dir={tmp_path}"
    assert main(["printer", "test", "--device", url, "--paper", "58"]) == 0
    assert capsys.readouterr().out.startswith("printed")
    page = sim.running["printer"].pages[0]  # type: ignore[attr-defined]
    assert page.lines[:2] == ["政务服务中心", "24小时自助服务区"]
    text = "".join(line.strip() for line in page.lines)
    assert "测试：打印机自检（中文，标点。冒号：）" in text
    assert "数字：0123456789" in page.lines and page.cut == "full" and page.qr_codes
    assert (tmp_path / "page-0001.png").exists()


def test_test_page_paper_out_mid_job(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["printer", "test", "--device", "sim://printer?paper_lines=4"]) == 4
    assert "paper_out" in capsys.readouterr().err


def test_usb_printer_absent_is_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    """No such USB printer on this machine: exit 4 with the URL and the cause, no traceback."""
    assert main(["printer", "status", "--device", "usb://0416:5011"]) == 4
    err = capsys.readouterr().err
    assert "usb://0416:5011" in err and "Traceback" not in err


def test_scanner_read_timeout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scanner", "read", "--device", "sim://scanner", "--timeout", "0.2"]) == 1
    assert "no code" in capsys.readouterr().err


def test_scanner_read_bad_device(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scanner", "read", "--device", "/dev/ttyNOSUCH", "--timeout", "0.2"]) == 4
    assert "cannot open" in capsys.readouterr().err


def test_sim_printer_over_tcp_serves_kiosk_printer_test(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from kiosk.commands import sim_printer

    s = socket.create_server(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    stop = threading.Event()
    args = argparse.Namespace(
        tcp=port,
        out=str(tmp_path),
        paper="ok",
        paper_mm=80,
        paper_lines=None,
        cover_open=False,
        offline=False,
        silent=False,
    )
    t = threading.Thread(target=sim_printer._run, args=(args, stop), daemon=True)
    t.start()
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                stop.wait(0.05)
        assert main(["printer", "test", "--device", f"tcp://127.0.0.1:{port}"]) == 0
        for _ in range(50):
            if (tmp_path / "page-0001.png").exists():
                break
            stop.wait(0.05)
        assert (tmp_path / "page-0001.png").exists()
    finally:
        stop.set()
        t.join(3)


def test_bad_profile_and_bad_sim_option_are_clear(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["printer", "status", "--device", "sim://printer", "--profile", "Bogus"]) == 4
    assert "unknown printer profile" in capsys.readouterr().err
    assert main(["printer", "status", "--device", "sim://printer?paper=low"]) == 4
    err = capsys.readouterr().err
    assert "paper must be one of" in err and "Traceback" not in err

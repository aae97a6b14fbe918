"""The real services of a terminal: a staff publish reaches it through heartbeat → fetch → install."""

from __future__ import annotations

import json
import time
from pathlib import Path

from central.publish import publish_bundle
from kiosk import services
from kiosk.catalogue.signing import load_private_key, sign_catalogue
from tests.kiosk.ui.harness import demo_config

ROOT = Path(__file__).resolve().parents[2]


def signed_v2(tmp_path: Path) -> Path:
    bundle = json.loads((ROOT / "config" / "catalogue" / "bundle.json").read_text(encoding="utf-8"))
    catalogue = dict(bundle["catalogue"], version=2)
    key = load_private_key(ROOT / "config" / "demo" / "catalogue-demo.key")
    out = tmp_path / "v2.json"
    out.write_text(
        json.dumps(sign_catalogue(catalogue, key, "demo-2026"), ensure_ascii=False),
        encoding="utf-8",
    )
    return out


def test_publish_reaches_the_terminal(tmp_path: Path) -> None:
    cfg = demo_config(tmp_path / "var")
    cfg = cfg.model_copy(
        update={"central": cfg.central.model_copy(update={"heartbeat_interval_s": 0.3})}
    )
    svc = services.build(cfg, devices=False)
    installed: list[object] = []
    svc.catalogue_listeners.append(installed.append)
    try:
        assert svc.catalogue.version == 1 and svc.sync is not None
        svc.start(lambda _event: None)
        token = svc.sandbox.app.state.service.store.add_token("staff", time.time())
        assert publish_bundle(signed_v2(tmp_path), svc.sandbox.url, token).version == 2
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not installed:
            time.sleep(0.05)
        assert [c.version for c in installed] == [2]  # type: ignore[attr-defined]
        assert svc.catalogue.version == 2 and svc.catalogue_store.active().version == 2
        assert svc.housekeeper is not None and svc.housekeeper.passes >= 1
    finally:
        svc.stop()
    # the next start uses the installed version, not the shipped default
    assert services.load_catalogue(cfg).version == 2


def test_printer_gets_print_confirmation_settings_from_config(tmp_path: Path) -> None:
    cfg = demo_config(tmp_path / "var")
    cfg = cfg.model_copy(
        update={"printer": cfg.printer.model_copy(update={"confirm_printed": False})}
    )
    svc = services.build(cfg, central=False)
    try:
        driver = svc.printer.printer
        assert driver.confirm_printed is False and driver.print_timeout_s == cfg.timeouts.print_s
    finally:
        svc.stop()

"""The embedded sandbox of the demo: temp database, the demo terminal, the demo catalogue key."""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from central import catalogue as cat
from central.errors import BundleRejected, CentralError, NotNewer
from central.server import ServerHandle, run_in_thread
from central.storage import Storage
from kiosk.central_api import parse_secret
from kiosk.errors import KioskError

log = logging.getLogger(__name__)


def prepare(db_path: Path, cfg: Any, now: float | None = None) -> None:
    """Register cfg's terminal, trust cfg's catalogue keys, publish cfg's default bundle."""
    from cryptography.hazmat.primitives import serialization

    from kiosk.catalogue.signing import load_public_key

    now = time.time() if now is None else now
    secret_file = cfg.resolve(cfg.central.secret_file)
    try:
        secret = parse_secret(Path(secret_file).read_text(encoding="ascii"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CentralError(f"{secret_file}: cannot use the terminal secret: {exc}") from None
    store = Storage(db_path)
    try:
        store.add_terminal(cfg.terminal_id, secret, now)
        for key in cfg.catalogue.trusted_keys:
            try:
                pub = load_public_key(cfg.resolve(key.public_key_file))
            except KioskError as exc:  # the sandbox still serves; publishing just needs the key
                log.warning("embedded sandbox: trusted key %s not loaded: %s", key.key_id, exc)
                continue
            store.add_trusted_key(
                key.key_id,
                pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw),
                now,
            )
        bundle = cfg.resolve(cfg.catalogue.default_bundle)
        if bundle is not None and Path(bundle).is_file():
            try:
                active, _ = cat.publish(store, Path(bundle).read_bytes(), "demo", now)
                log.info("embedded sandbox: published demo catalogue version %s", active.version)
            except (BundleRejected, NotNewer) as exc:
                log.warning("embedded sandbox: demo bundle %s not published: %s", bundle, exc)
    finally:
        store.close()


def start_embedded(cfg: Any, **app_kwargs: Any) -> ServerHandle:
    """Start the sandbox on 127.0.0.1 (free port) over a temporary database; `.stop()` removes it."""
    tmp = Path(tempfile.mkdtemp(prefix="kiosk-central-"))
    try:
        prepare(tmp / "central.sqlite3", cfg)
        handle = run_in_thread(tmp / "central.sqlite3", "127.0.0.1", 0, **app_kwargs)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    handle.on_stop.append(lambda: shutil.rmtree(tmp, ignore_errors=True))
    _start_province_sim(handle)
    return handle


def _start_province_sim(handle: ServerHandle) -> None:
    """The demo's ratings go on to a province simulator on 127.0.0.1 (issue 19)."""
    import secrets

    from central.sandbox.province import ProvinceSim
    from central.sandbox.province import run_in_thread as run_sim

    haocha = getattr(handle.app.state.service, "haocha", None)
    if haocha is None or haocha.settings.province_url:
        return  # configured for a real (or stand-alone) platform: leave it
    secret = secrets.token_bytes(32)
    sim = run_sim(ProvinceSim("KIOSK-DEMO", secret))
    haocha.use_province(sim.url, "KIOSK-DEMO", secret)
    handle.province_sim = sim  # type: ignore[attr-defined]
    handle.on_stop.insert(0, sim.stop)
    log.info("embedded sandbox: province simulator on %s", sim.url)

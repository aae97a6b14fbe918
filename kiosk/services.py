"""The one place that builds the real outside world from the config: devices, catalogue,
central client (embedded sandbox in the demo), outbox and sync worker."""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass, field
from typing import Any

from kiosk.config import TerminalConfig
from kiosk.errors import KioskError
from kiosk.session.ports import Connectivity, DeviceEvent, DeviceState, EventSink

log = logging.getLogger(__name__)


@dataclass
class Services:
    """Everything the session engine talks to, plus what must be stopped at exit."""

    cfg: TerminalConfig
    catalogue: Any = None
    central: Any = None
    printer: Any = None
    documents: Any = None
    """kiosk.documents.flow.DocumentPrinting (A4 certificates of print items)."""
    sources: list[Any] = field(default_factory=list)
    netwatch: Any = None
    """kiosk.netwatch.ReachabilityProbe: central's loss shows within seconds."""
    client: Any = None
    outbox: Any = None
    sync: Any = None
    sandbox: Any = None
    problems: list[str] = field(default_factory=list)
    catalogue_store: Any = None
    trusted: Any = None
    catalogue_listeners: list[Any] = field(default_factory=list)
    """Called (from the sync worker's thread) with each newly installed catalogue."""
    housekeeper: Any = None
    camera: Any = None
    """drivers.camera.Camera when configured (opened only during a face step)."""
    intake: Any = None
    """kiosk.outbox.guard.IntakeGuard: may new requests and ratings be accepted now?"""
    device_snapshot: dict[str, dict[str, str]] = field(default_factory=dict)
    """Device → {"status", "detail"} for the heartbeat (replaced whole by the UI thread)."""
    codes: Any = None
    """kiosk.identity.codes.CodeIdentityPort: app codes checked by central (None without it)."""
    payments: Any = None
    """kiosk.payment.orders.PaymentPort (pay items), None without central."""
    reconciler: Any = None
    current_order: Any = None
    """Callable → the order number on screen (the re-check leaves it to the session)."""
    rating_dictionary: Any = None
    """kiosk.rating.dictionary.DictionaryCache: the rating screen's dictionary (issue 19)."""
    _real_url: str = ""

    def start(self, sink: EventSink) -> None:
        """Start every event source, reporting to `sink` (from their own threads)."""
        from kiosk.housekeeping import Housekeeper

        self.housekeeper = Housekeeper(lambda: self.catalogue, outbox=self.outbox).start()
        for src in self.sources:
            try:
                src.start(sink)
            except Exception as exc:  # noqa: BLE001 - one broken device must not stop the kiosk
                log.error("device %s did not start: %s", type(src).__name__, exc)
                kind = {
                    "CardReaderSource": "idcard",
                    "ScannerSource": "scanner",
                    "CameraWatch": "camera",
                    "SSCardSource": "sscard",
                }.get(type(src).__name__, "printer")
                sink(DeviceState(kind, False, "unreachable"))  # type: ignore[arg-type]
        if self.sync is not None:
            from kiosk.sync import Connectivity as SyncState

            def on_state(state: Any) -> None:
                if state in (SyncState.ONLINE, SyncState.OFFLINE, SyncState.AUTH_FAILED):
                    sink(Connectivity(state is SyncState.ONLINE))

            self.sync.add_listener(on_state)
            try:
                self.sync.start()
            except KioskError as exc:  # e.g. `kiosk outbox flush` holds the delivery lock
                log.error("outbox not delivered by this process: %s", exc)
            from kiosk.netwatch import ReachabilityProbe

            self.netwatch = ReachabilityProbe(self.client, self.sync)
            self.netwatch.start()
        if self.payments is not None and self.reconciler is None:
            from kiosk.payment.reconcile import Reconciler

            self.reconciler = Reconciler(
                self.payments, current=lambda: self.current_order() if self.current_order else None
            ).start()

    def stop(self) -> None:
        """Stop sources, the sync worker, the outbox and the embedded sandbox."""
        if self.housekeeper is not None:
            self.housekeeper.stop()
        for src in self.sources:
            try:
                src.stop()
            except Exception as exc:  # noqa: BLE001
                log.warning("stopping %s: %s", type(src).__name__, exc)
        if self.netwatch is not None:
            self.netwatch.stop()
        if self.sync is not None:
            self.sync.stop()
        if self.reconciler is not None:
            self.reconciler.stop()
        if self.payments is not None:
            self.payments.client.close()
            self.payments.store.close()
        if self.codes is not None:
            self.codes.close()
        if self.client is not None:
            self.client.close()
        if self.outbox is not None:
            self.outbox.close()
        if self.sandbox is not None:
            self.sandbox.stop()

    # ---- demo controls (F12 dock) ----

    def set_network(self, up: bool) -> None:
        """Demo: cut or restore the network by pointing the client at a closed port."""
        if self.client is None:
            return
        if not self._real_url:
            self._real_url = self.client.base_url
        clients = [self.client] + ([self.payments.client] if self.payments is not None else [])
        if up:
            for c in clients:
                c.base_url = self._real_url
        else:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                dead = s.getsockname()[1]  # closed again at once: connections are refused
            for c in clients:
                c.base_url = f"http://127.0.0.1:{dead}"
        if self.sync is not None:
            self.sync.wake()


def catalogue_store(cfg: TerminalConfig, trusted: Any = None) -> Any:
    """The configured catalogue store, its anti-rollback floor also kept in the outbox DB."""
    from kiosk.catalogue.floor import VersionFloor
    from kiosk.catalogue.store import CatalogueStore

    store_dir = cfg.resolve(cfg.catalogue.store_dir, base="data")
    assert store_dir is not None
    floor = VersionFloor.for_store(store_dir, cfg.resolve(cfg.outbox.path, base="data"))
    return CatalogueStore(store_dir, trusted, floor=floor)


def load_catalogue(cfg: TerminalConfig, svc: Services | None = None) -> Any:
    """The active catalogue from the store, installing the default bundle on first start."""
    from kiosk.catalogue.trust import trusted_keys_from_config

    trusted = trusted_keys_from_config(cfg)
    store = catalogue_store(cfg, trusted)
    if svc is not None:
        svc.catalogue_store, svc.trusted = store, trusted
    if cfg.catalogue.default_bundle:
        return store.install_default(cfg.resolve(cfg.catalogue.default_bundle), trusted)
    return store.active()


def _install_catalogue(svc: Services, data: bytes) -> Any:
    """Sync worker hook: a newer signed bundle from central → the store → the listeners."""
    cat = svc.catalogue_store.install(data, svc.trusted)
    svc.catalogue = cat
    for cb in list(svc.catalogue_listeners):
        cb(cat)
    return cat


def build(cfg: TerminalConfig, *, devices: bool = True, central: bool = True) -> Services:
    """Build the real services from the config; problems are logged and listed, never raised."""
    svc = Services(cfg)
    from kiosk.rating.dictionary import DictionaryCache

    svc.rating_dictionary = DictionaryCache(cfg.resolve(cfg.rating.dictionary_cache, base="data"))
    try:
        svc.catalogue = load_catalogue(cfg, svc)
    except KioskError as exc:
        svc.problems.append(f"catalogue: {exc}")
        log.error("no usable catalogue: %s", exc)
    if central:
        _build_central(cfg, svc)
    if devices:
        try:
            _build_devices(cfg, svc)
        except Exception as exc:  # noqa: BLE001 - a bad device URL greys items, never crashes
            svc.problems.append(f"devices: {exc}")
            log.error("devices not set up: %s", exc)
    return svc


def build_rest(cfg: TerminalConfig, svc: Services) -> None:
    """Add central and the devices to services built with devices=False, central=False."""
    if svc.central is None:
        _build_central(cfg, svc)
    if not svc.sources:
        _build_devices(cfg, svc)


def _build_central(cfg: TerminalConfig, svc: Services) -> None:
    from kiosk.adapters import CentralPort
    from kiosk.central_client import CentralClient
    from kiosk.outbox import Outbox, OutboxDamaged
    from kiosk.outbox.guard import DamagedOutbox, IntakeGuard
    from kiosk.sync import SyncWorker

    try:
        url = None
        if cfg.central.url == "embedded":
            from central.demo import start_embedded

            svc.sandbox = start_embedded(cfg)
            url = svc.sandbox.url
        svc.client = CentralClient.from_config(cfg, base_url=url)
        try:
            svc.outbox = Outbox.from_config(cfg)
        except OutboxDamaged as exc:  # queries and heartbeats go on; intake stays closed
            svc.problems.append(f"outbox: {exc}")
            log.error("%s; fix: %s", exc, exc.fix)
            svc.outbox = DamagedOutbox(exc)
        svc.intake = IntakeGuard(svc.outbox, cfg.outbox.reserve_mb * 1024 * 1024)
        intake = svc.intake
        svc.sync = SyncWorker.from_config(
            cfg,
            svc.outbox,
            svc.client,
            device_states=lambda: {**svc.device_snapshot, **intake.heartbeat_entry()},
            catalogue_version=lambda: svc.catalogue.version if svc.catalogue else 0,
            install_catalogue=(lambda data: _install_catalogue(svc, data))
            if svc.catalogue_store is not None
            else None,
        )
        from kiosk.identity.codes import CodeIdentityPort

        svc.codes = CodeIdentityPort(CentralClient.from_config(cfg, base_url=url))  # own session
        svc.central = CentralPort(
            svc.client, svc.outbox, cfg.region_code, on_call=svc.sync.note_call
        )
        if svc.rating_dictionary is not None:  # refreshed (ETag) after every heartbeat
            svc.sync.after_heartbeat.append(svc.rating_dictionary.refresh)
        from kiosk.payment.orders import PaymentPort
        from kiosk.payment.store import PaymentStore

        # its own client: requests.Session is not shared across threads (the sync worker's)
        svc.payments = PaymentPort(
            CentralClient.from_config(cfg, base_url=url),
            PaymentStore.from_config(cfg),
            cfg.region_code,
        )
    except KioskError as exc:
        svc.problems.append(f"central: {exc}")
        log.error("central service unavailable: %s", exc)


def _build_devices(cfg: TerminalConfig, svc: Services) -> None:
    from kiosk import devices
    from kiosk.adapters import CardReaderSource, PrinterPort, ScannerSource

    if cfg.idcard.enabled:
        svc.sources.append(CardReaderSource(devices.idcard_reader(cfg)))
    if cfg.scanner.enabled:
        svc.sources.append(ScannerSource(devices.scanner(cfg)))
    if cfg.sscard.enabled:  # after the ID card reader: the app's re-arm is the ID card's
        from kiosk.identity.sscard import SSCardSource

        svc.sources.append(SSCardSource(devices.sscard_reader(cfg)))
    if cfg.camera.enabled:
        from kiosk.identity.step import CameraWatch

        svc.camera = devices.camera(cfg)
        svc.sources.append(CameraWatch(svc.camera))
    if cfg.printer.enabled:
        port = PrinterPort(
            devices.receipt_printer(cfg), poll_s=max(cfg.printer.poll_interval_s, 2.0)
        )
        svc.printer = port
        svc.sources.append(port)
    from kiosk.documents.flow import DocumentPrinting

    svc.documents = DocumentPrinting(
        devices.a4printer(cfg), svc.central, poll_s=cfg.a4printer.poll_interval_s
    )
    svc.sources.append(svc.documents)


__all__ = ["Services", "build", "load_catalogue", "DeviceEvent"]

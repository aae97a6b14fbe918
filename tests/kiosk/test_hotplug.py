"""Hot-plug at the application level: a device that vanishes and comes back on another node.

The real pieces run: the drivers built by `kiosk.services` / `kiosk.devices` from a config
whose device URLs are udev-style by-id symlinks (or `hwgrep://VID:PID`) in front of real ptys
served by the simulators, the embedded central sandbox, and a `SessionEngine` fed through a
queue drained on the test thread (the UI thread's part). Unplug = the pty is closed and its
symlink removed; replug = a new pty on a *different* /dev/pts/N. Recovery is timed from the
moment the new node exists until the engine shows the items available again; the issue asks
for 5 s, asserted here with margin at the production example's device settings.
"""

from __future__ import annotations

import os
import queue
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import serial.tools.list_ports
from serial.tools.list_ports_common import ListPortInfo

from drivers.idcard.reader import ReaderState
from drivers.sim.base import PtyLink, PtyServer, Simulator
from drivers.sim.idcard import IdCardSimulator, demo_card
from drivers.sim.printer import PrinterSimulator
from drivers.sim.scanner import ScannerSimulator
from kiosk import config as config_mod
from kiosk import services
from kiosk.session.engine import SessionEngine, Timeouts
from kiosk.session.states import State
from tests.kiosk.ui.harness import ROOT, demo_config

BUDGET_S = 5.0  # issue 9: "recovers within 5 s without restarting the app"
MARGIN_S = 1.5  # asserted: recovery well inside the budget, not just under it
CARD = demo_card("mainland")
THREE = (
    "idcard",
    "printer",
    "scanner",
)  # the camera has its own hot-plug tests (tests/drivers/camera)


class Socket:
    """One USB socket: a device node that changes on every plug, and its stable by-id name."""

    def __init__(self, link: Path | None) -> None:
        self.link = link
        self.nodes: list[str] = []
        self.server: PtyServer | None = None
        self._spares: list[PtyLink] = []

    @property
    def node(self) -> str | None:
        """The current device node, None while unplugged."""
        return self.nodes[-1] if self.server is not None else None

    def plug(self, sim: Simulator) -> str:
        """Plug a device in; it gets a node it never had before (as a replug often does)."""
        server = PtyServer(sim)
        while server.port in self.nodes:
            # the kernel reuses a freed pty number at once; hold it so the next one differs
            self._spares.append(server.link)
            server = PtyServer(sim)
        server.start()
        self.nodes.append(server.port)
        self.server = server
        if self.link is not None:
            os.symlink(server.port, self.link)
        return server.port

    def unplug(self) -> None:
        """Pull the device: the symlink goes, the pty closes under the driver."""
        if self.link is not None:
            self.link.unlink()
        assert self.server is not None
        self.server.stop()
        self.server = None

    def close(self) -> None:
        """Stop whatever is still plugged and release held pty numbers."""
        if self.server is not None:
            self.unplug()
        for link in self._spares:
            link.close()


class Terminal:
    """The terminal under test: real services and engine; `pump` is the UI thread's part."""

    def __init__(self, tmp: Path, urls: dict[str, str]) -> None:
        example = config_mod.load(ROOT / "config" / "terminal.example.toml")
        cfg = demo_config(tmp / "var")
        # production device timings (poll 5 s for the printer, 0.5 s reader timeout, …)
        cfg = cfg.model_copy(
            update={
                kind: getattr(example, kind).model_copy(update={"url": urls[kind]})
                for kind in ("idcard", "printer", "scanner")
            }
        )
        self.cfg = cfg
        self.svc = services.build(cfg)
        assert not self.svc.problems, self.svc.problems
        self.engine = SessionEngine(
            self.svc.catalogue,
            central=self.svc.central,
            printer=self.svc.printer,
            timeouts=Timeouts.from_config(cfg.timeouts),
            terminal_id=cfg.terminal_id,
            hall_name=cfg.hall_name,
        )
        self.events: queue.Queue[Any] = queue.Queue()
        from kiosk.identity.step import face_factory
        from kiosk.session.ports import run_inline

        # what KioskApp._wire_face does, with this test's queue standing in for the UI thread
        self.engine.face_factory = face_factory(
            self.svc.camera,
            self.svc.central,
            run_inline,
            lambda fn: lambda *a: self.events.put(lambda: fn(*a)),
            try_s=cfg.camera.try_s,
        )
        self.engine.codes.port = self.svc.codes  # as KioskApp wires it
        self.svc.start(self.events.put)

    def source(self, name: str) -> Any:
        """The driver object of one device source (reader, scanner) as services built it."""
        for src in self.svc.sources:
            driver = getattr(src, name, None)
            if driver is not None:
                return driver
        raise LookupError(name)

    def pump(self) -> None:
        """Hand every queued device event to the engine (what the UI thread does)."""
        while True:
            try:
                event = self.events.get_nowait()
            except queue.Empty:
                return
            if callable(event):
                event()
            else:
                self.engine.handle(event)

    def wait(self, predicate: Callable[[], Any], timeout: float, what: str) -> float:
        """Pump events until `predicate()` holds; return the seconds it took."""
        start = time.monotonic()
        deadline = start + timeout
        while True:
            self.pump()
            if predicate():
                return time.monotonic() - start
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"not within {timeout:g} s: {what}; devices {self.engine.devices}"
                )
            time.sleep(0.01)

    def reasons(self) -> dict[str, str]:
        """Item code → engine.unavailable_reason (what the home screen greys)."""
        return {
            i.code: self.engine.unavailable_reason(i) for i in self.engine.catalogue.enabled_items()
        }

    def item_codes(self, pred: Callable[[Any], bool]) -> set[str]:
        """Codes of the enabled items matching `pred`."""
        return {i.code for i in self.engine.catalogue.enabled_items() if pred(i)}

    def stop(self) -> None:
        """Stop the services (the drivers close their ports)."""
        self.svc.stop()


@pytest.fixture
def rig(
    tmp_path: Path,
) -> Iterator[Callable[..., tuple[Terminal, dict[str, Socket], dict[str, Simulator]]]]:
    """make(urls=None) → (terminal, sockets, sims) with all three devices plugged in."""
    made: list[tuple[Terminal | None, dict[str, Socket]]] = []

    def make(
        urls: dict[str, str] | None = None,
        on_plugged: Callable[[dict[str, Socket]], None] | None = None,
        **link_names: Path | None,
    ) -> Any:
        by_id = tmp_path / "by-id"
        by_id.mkdir(exist_ok=True)
        links = {
            kind: link_names.get(kind, by_id / f"usb-{kind}-if00")
            for kind in ("idcard", "printer", "scanner")
        }
        sockets = {kind: Socket(link) for kind, link in links.items()}
        entry: list[Any] = [None, sockets]
        made.append(entry)  # type: ignore[arg-type]
        sims: dict[str, Simulator] = {
            "idcard": IdCardSimulator(),
            "printer": PrinterSimulator(),
            "scanner": ScannerSimulator(),
        }
        for kind, sim in sims.items():
            sockets[kind].plug(sim)
        if on_plugged is not None:
            on_plugged(sockets)
        all_urls = {kind: str(link) for kind, link in links.items() if link is not None}
        all_urls.update(urls or {})
        term = Terminal(tmp_path, all_urls)
        entry[0] = term
        reader, scanner = term.source("reader"), term.source("scanner")
        printer = term.svc.printer.printer
        term.wait(
            lambda: (
                reader.state is ReaderState.IDLE
                and scanner.connected.is_set()
                and printer.tracker.last_known is not None
            ),
            5,
            "devices up",
        )
        assert {d: term.engine.devices[d] for d in THREE} == {
            "idcard": "",
            "printer": "",
            "scanner": "",
        }
        assert term.engine.devices["a4printer"] == ""
        return term, sockets, sims

    yield make
    for term, sockets in made:
        if term is not None:
            term.stop()
        for sock in sockets.values():
            sock.close()


def replug(term: Terminal, socket: Socket, sim: Simulator, device: str) -> float:
    """Plug `sim` in on a new node; seconds until the engine reports `device` working again."""
    old = socket.nodes[-1]
    node = socket.plug(sim)
    assert node != old
    return term.wait(lambda: term.engine.devices[device] == "", BUDGET_S, f"{device} back")


def read_card_in_session(term: Terminal, sim: IdCardSimulator, code: str) -> None:
    """A citizen picks an ID-card item and places a card: the replugged reader reads it."""
    term.engine.select(code)
    term.engine.proceed()
    assert term.engine.state == State.IDENTIFY and term.engine.session.identify_problem == ""
    sim.insert(CARD)
    term.wait(lambda: term.engine.state != State.IDENTIFY, 5, "card read")
    holder = term.engine.session.holder
    assert term.engine.state in (State.FORM, State.CONFIRM)
    assert holder is not None and holder.id_number == CARD.id_number


def test_reader_unplugged_greys_id_items_and_replug_recovers(rig) -> None:  # type: ignore[no-untyped-def]
    term, sockets, _ = rig()
    # items identified by the ID card alone; the others also take a 社保卡 or an app code
    id_items = term.item_codes(lambda i: i.identify_methods == ("id_card",))
    other = term.item_codes(lambda i: i.identify_methods != ("id_card",))
    assert id_items and other

    sockets["idcard"].unplug()
    term.wait(lambda: term.engine.devices["idcard"], 3, "reader reported missing")
    reasons = term.reasons()
    assert {c for c, r in reasons.items() if r == "device:idcard"} == id_items
    assert all(reasons[c] == "" for c in other)  # QR-or-card and no-ID items stay available

    sim = IdCardSimulator()
    took = replug(term, sockets["idcard"], sim, "idcard")
    assert took < BUDGET_S - MARGIN_S, f"reader recovered after {took:.2f} s"
    assert all(r == "" for r in term.reasons().values())
    read_card_in_session(term, sim, "RS-0102")


def test_printer_unplugged_greys_print_items_and_replug_prints(rig) -> None:  # type: ignore[no-untyped-def]
    term, sockets, sims = rig()
    receipt_items = term.item_codes(lambda i: "printer" in i.devices)

    sockets["printer"].unplug()
    # a healthy printer is polled every printer.poll_interval_s (5 s in the example config)
    term.wait(lambda: term.engine.devices["printer"], 5 + 3, "printer reported missing")
    reasons = term.reasons()
    # only items that need the receipt printer grey (certificates print on the A4 printer)
    assert {c for c, r in reasons.items() if r == "device:printer"} == receipt_items
    assert all(reasons[c] == "" for c in set(reasons) - receipt_items)

    sim = PrinterSimulator()
    took = replug(term, sockets["printer"], sim, "printer")
    assert took < BUDGET_S - MARGIN_S, f"printer recovered after {took:.2f} s"
    assert all(r == "" for r in term.reasons().values())

    read_card_in_session(term, sims["idcard"], "RS-0102")  # type: ignore[arg-type]
    item = term.engine.session.item
    for f in item.fields:
        if f.type == "choice" and not term.engine.session.values.get(f.name):
            term.engine.set_value(f.name, f.options[0].value)
    term.engine.set_value("year", "2025")
    if term.engine.state == State.FORM:
        assert term.engine.submit_form()  # a read-only query asks central at once (no confirm)
    term.engine.print_receipt()  # the query's receipt goes to the replugged printer
    assert term.engine.state == State.PRINTING and term.engine.session.print_state == "printed"
    assert len(sim.pages) == 1  # type: ignore[attr-defined]


def test_scanner_unplugged_is_reported_and_replug_scans(rig) -> None:  # type: ignore[no-untyped-def]
    term, sockets, _ = rig()
    sockets["scanner"].unplug()
    term.wait(lambda: term.engine.devices["scanner"], 3, "scanner reported missing")
    assert term.engine.devices["scanner"] == "unreachable"
    # ID-card-or-QR items still work with the reader alone
    assert all(r == "" for r in term.reasons().values())

    sim = ScannerSimulator()
    took = replug(term, sockets["scanner"], sim, "scanner")
    assert took < BUDGET_S - MARGIN_S, f"scanner recovered after {took:.2f} s"
    term.engine.select("YB-0202")
    term.engine.proceed()
    assert term.engine.state == State.IDENTIFY
    code = requests.post(
        term.svc.sandbox.url + "/sandbox/identity/codes", json={"kind": "medical"}, timeout=10
    ).json()["code"]
    sim.scan(code)  # checked by central (POST /v1/identity/code), never trusted as it is
    term.wait(lambda: term.engine.state != State.IDENTIFY, 5, "code scanned")
    holder = term.engine.session.holder
    assert holder is not None and holder.method == "app_code"


def test_devices_missing_at_start_are_greyed_then_picked_up(tmp_path: Path) -> None:
    by_id = tmp_path / "by-id"
    by_id.mkdir()
    sockets = {kind: Socket(by_id / f"usb-{kind}") for kind in ("idcard", "printer", "scanner")}
    term = Terminal(tmp_path, {kind: str(s.link) for kind, s in sockets.items()})
    try:
        term.wait(
            lambda: all(term.engine.devices[d] for d in THREE), 3, "all three reported missing"
        )
        reasons = term.reasons()
        # with the reader and the scanner both gone, card-or-QR items are greyed too; items
        # that also take the 社保卡 (its simulated reader is there) stay
        assert {c for c, r in reasons.items() if r.startswith("device:")} == term.item_codes(
            lambda i: (
                (i.needs_identity and "sscard" not in i.identify_methods) or "printer" in i.devices
            )
        )
        assert all(reasons[c] == "" for c in term.item_codes(lambda i: not i.needs_identity))
        sims = {
            "idcard": IdCardSimulator(),
            "printer": PrinterSimulator(),
            "scanner": ScannerSimulator(),
        }
        for kind, sim in sims.items():
            sockets[kind].plug(sim)
        took = term.wait(
            lambda: not any(term.engine.devices[d] for d in THREE), BUDGET_S, "all three back"
        )
        assert took < BUDGET_S - MARGIN_S
        assert all(r == "" for r in term.reasons().values())
    finally:
        term.stop()
        for s in sockets.values():
            s.close()


def test_hwgrep_follows_the_reader_to_its_new_node(rig, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """`hwgrep://1a86:7523` with nothing else changed: the reader reopens whatever node now
    carries that VID:PID. pyserial lists USB serial ports from sysfs, where a pty never
    appears, so `serial.tools.list_ports.comports` is patched — the only way to show a pty as
    a USB device with a VID:PID — to list the reader's current pty (nothing while unplugged)."""
    usb = {(0x1A86, 0x7523): "idcard", (0x0416, 0x5011): "printer"}
    holder: dict[str, dict[str, Socket]] = {}

    def comports(include_links: bool = False) -> list[ListPortInfo]:
        out = []
        for (vid, pid), kind in usb.items():
            node = holder["sockets"][kind].node if holder else None
            if node is not None:
                info = ListPortInfo(node, skip_link_detection=True)
                info.vid, info.pid, info.serial_number = vid, pid, f"{kind}01"
                info.description = f"USB Serial ({kind})"
                info.apply_usb_info()
                out.append(info)
        return out

    monkeypatch.setattr(serial.tools.list_ports, "comports", comports)
    term, sockets, _ = rig(
        {"idcard": "hwgrep://1a86:7523", "printer": "hwgrep://0416:5011"},
        on_plugged=lambda s: holder.update(sockets=s),
        idcard=None,
        printer=None,
    )
    reader = term.source("reader")
    assert reader.url == "hwgrep://1a86:7523"
    term.wait(
        lambda: reader.state is ReaderState.IDLE and reader._port is not None, 5, "reader open"
    )
    first = sockets["idcard"].node
    assert reader._port.port == first  # hwgrep resolved the VID:PID to the pty

    sockets["idcard"].unplug()
    term.wait(lambda: term.engine.devices["idcard"], 3, "reader reported missing")
    sim = IdCardSimulator()
    took = replug(term, sockets["idcard"], sim, "idcard")
    assert took < BUDGET_S - MARGIN_S
    assert sockets["idcard"].node != first and reader._port.port == sockets["idcard"].node
    assert reader.url == "hwgrep://1a86:7523"
    read_card_in_session(term, sim, "RS-0102")
    # the printer's status poller also opened its hwgrep URL (at the printer's pty)
    assert term.svc.printer.printer._device.port.port == sockets["printer"].node


def test_printer_poller_outlives_a_driver_bug() -> None:
    """A status poll that raises something unexpected is reported as "error" and polling goes
    on (at the recovery pace). No real fault raises like this any more (the hung-up tty's
    termios.error is now a lost link), so a stub printer forces it."""
    from drivers.printer.status import PrinterStatus
    from kiosk.adapters import PrinterPort

    class FlakyPrinter:
        calls = 0

        def status(self) -> PrinterStatus:
            self.calls += 1
            if self.calls == 1:
                raise RuntimeError("driver bug")
            return PrinterStatus.ok

        def close(self) -> None:
            pass

    events: queue.Queue[Any] = queue.Queue()
    port = PrinterPort(FlakyPrinter(), poll_s=30.0, recovery_poll_s=0.05)
    port.start(events.put)
    try:
        first, second = events.get(timeout=2), events.get(timeout=2)
    finally:
        port.stop()
    assert (first.ok, first.reason, second.ok, second.reason) == (False, "error", True, "")

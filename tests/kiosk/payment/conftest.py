"""Fixtures: the real central service (demo catalogue published, demo terminal registered) on
127.0.0.1, a signed client, the durable orders table, and a session engine driving a pay item."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from central.demo import prepare
from central.server import ServerHandle, run_in_thread
from kiosk import config as config_mod
from kiosk.catalogue.schema import build_catalogue
from kiosk.central_client import CentralClient
from kiosk.payment.orders import PaymentPort
from kiosk.payment.store import PaymentStore
from kiosk.session.engine import SessionEngine
from kiosk.session.ports import CardHolder, CardRead
from kiosk.session.states import State
from tests.kiosk.session.fixtures import FakeCentral, FakeClock, FakePrinter

ROOT = Path(__file__).resolve().parents[3]
ITEM = "YB-0202"
HOLDER = CardHolder("张三", "11010519491231002X")
INSURED = "360426199101010071"


def demo_cfg(data_dir: Path) -> config_mod.TerminalConfig:
    cfg = config_mod.load(ROOT / "config" / "terminal.toml")
    return cfg.model_copy(update={"data_dir": str(data_dir)})


@dataclass
class Central:
    """The running reference service over its database."""

    handle: ServerHandle
    db: Path

    @property
    def url(self) -> str:
        return self.handle.url

    def pay(self, order_no: str, fault: str = "", **params: Any) -> dict[str, Any]:
        """What a citizen's phone does after scanning the QR (sandbox)."""
        q = {"fault": fault, **params} if fault else params
        r = requests.post(f"{self.url}/sandbox/payments/{order_no}/pay", params=q, timeout=10)
        r.raise_for_status()
        return r.json()

    def row(self, order_no: str) -> tuple[Any, ...]:
        store = self.handle.app.state.service.store
        return store._one(
            "SELECT status, notifications, einvoice_no, closed_reason "
            "FROM payments WHERE order_no = ?",
            (order_no,),
        )

    def orders(self) -> list[tuple[Any, ...]]:
        store = self.handle.app.state.service.store
        return store._all("SELECT order_no, status FROM payments ORDER BY order_no")


@pytest.fixture
def cfg(tmp_path: Path) -> config_mod.TerminalConfig:
    return demo_cfg(tmp_path / "data")


@pytest.fixture
def central(tmp_path: Path, cfg: config_mod.TerminalConfig) -> Iterator[Central]:
    db = tmp_path / "central.sqlite3"
    prepare(db, cfg)
    handle = run_in_thread(db, payment_ttl_s=300)
    try:
        yield Central(handle, db)
    finally:
        handle.stop()


@pytest.fixture
def port(central: Central, cfg: config_mod.TerminalConfig) -> Iterator[PaymentPort]:
    client = CentralClient.from_config(cfg, base_url=central.url)
    store = PaymentStore.from_config(cfg)
    yield PaymentPort(client, store, cfg.region_code)
    store.close()
    client.close()


def catalogue() -> Any:
    bundle = json.loads((ROOT / "config" / "catalogue" / "bundle.json").read_text(encoding="utf-8"))
    return build_catalogue(bundle["catalogue"])


class Rig:
    """A session engine on the real payment port, with a fake clock and inline calls."""

    def __init__(self, port: PaymentPort) -> None:
        self.clock = FakeClock()
        self.printer = FakePrinter()
        self.engine = SessionEngine(
            catalogue(),
            central=FakeCentral(),
            printer=self.printer,
            clock=self.clock,
            wall_clock=time.time,
        )
        self.engine.payment.port = port

    def to_confirm(self, year: int | None = None, group: str = "adult") -> None:
        """Card, form (insured, year, category) → confirm with the amount."""
        eng = self.engine
        eng.select(ITEM)
        eng.proceed()
        eng.handle(CardRead(HOLDER))
        assert eng.state == State.FORM
        eng.set_value("insured_id", INSURED)
        eng.set_value("year", str(year or time.localtime().tm_year))
        eng.set_value("group", group)
        assert eng.submit_form()

    def reprint(self, order_no: str) -> Any:
        """补打缴费凭证: the order number typed under 办件进度查询; returns the printed receipt."""
        eng = self.engine
        eng.select("ZW-1001")
        eng.proceed()
        eng.set_value("case_no", order_no)
        assert eng.submit_form()  # a progress lookup is read-only: no confirm step (issue 16)
        assert eng.state == State.PRINTING and eng.session.print_state == "printed"
        return self.printer.printed[-1]

    def tick(self, s: float = 1.0) -> None:
        self.clock.advance(s)
        self.engine.tick()


@pytest.fixture
def rig(port: PaymentPort) -> Rig:
    return Rig(port)

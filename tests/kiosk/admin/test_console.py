"""The maintenance console on the real demo services: simulators over ptys, the embedded
sandbox on 127.0.0.1, a real SQLite outbox, the real (scrubbed) log file."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import drivers.sim as sim_pkg
from central.publish import publish_bundle
from kiosk import __version__, services
from kiosk import config as config_mod
from kiosk.admin.console import CHARSET_LINE, Console, DeviceRow, MaskedCard, mask_holder, mask_scan
from kiosk.logs import setup_logging
from kiosk.outbox import Kind, State
from kiosk.session.ports import CardHolder, CodeScanned, Connectivity, DeviceState
from tests.drivers.idcard.test_reader import wait_until
from tests.kiosk.test_services import signed_v2

ROOT = Path(__file__).resolve().parents[3]
ID = "11010519491231002X"


def demo_config(data_dir: Path, **central: object) -> config_mod.TerminalConfig:
    cfg = config_mod.load(ROOT / "config" / "terminal.toml")
    return cfg.model_copy(
        update={"data_dir": str(data_dir), "central": cfg.central.model_copy(update=central)}
    )


@dataclass
class Kiosk:
    cfg: config_mod.TerminalConfig
    svc: services.Services
    sim: sim_pkg.Simulator
    console: Console


@pytest.fixture(scope="module")
def kiosk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kiosk]:
    cfg = demo_config(tmp_path_factory.mktemp("console") / "var")
    svc = services.build(cfg)
    assert svc.problems == []
    svc.printer.printer.status()  # opens the link, so the simulator behind it is running
    sim = sim_pkg.running["printer"]
    svc.start(lambda _event: None)
    try:
        yield Kiosk(cfg, svc, sim, Console(svc, cfg))
    finally:
        svc.stop()


# ---- terminal and devices ----


def test_info_and_uptime_from_the_injected_clock() -> None:
    cfg = demo_config(Path("/nonexistent"))
    now = {"t": 1000.0}
    console = Console(services.Services(cfg), cfg, started=990.0, monotonic=lambda: now["t"])
    info = console.info()
    assert (info.terminal_id, info.hall_name, info.region_code, info.app_version, info.demo) == (
        "DEMO-0001",
        "安康市政务服务中心24小时自助服务区",
        "610900",
        __version__,
        True,
    )
    assert info.config_source == str(ROOT / "config" / "terminal.toml")
    assert info.uptime_s == 10.0
    now["t"] = 1060.5
    assert console.info().uptime_s == 70.5


def test_devices_remember_the_last_fault_and_show_the_recovery() -> None:
    cfg = demo_config(Path("/nonexistent"))
    cfg = cfg.model_copy(update={"scanner": cfg.scanner.model_copy(update={"enabled": False})})
    now = {"t": 1_700_000_000.0}
    console = Console(services.Services(cfg), cfg, clock=lambda: now["t"])
    console.observe(DeviceState("printer", False, "paper_out"))
    now["t"] += 60
    console.observe(DeviceState("printer", True))
    console.observe(CodeScanned(ID))  # not a device state: ignored
    console.observe(Connectivity(False))
    rows = {
        r.name: r for r in console.devices({"idcard": "unreachable", "printer": "", "scanner": ""})
    }
    assert rows["printer"] == DeviceRow(
        "printer", True, "sim://printer", True, "", "paper_out", 1_700_000_000.0
    )
    assert rows["idcard"] == DeviceRow(
        "idcard", True, "sim://idcard", False, "unreachable", "", None
    )
    assert rows["scanner"] == DeviceRow(
        "scanner", False, "sim://scanner", False, "disabled", "", None
    )
    console.observe(DeviceState("printer", False, "cover_open"))
    assert console.devices({})[1].last_error == "cover_open"
    assert console.devices({})[1].last_error_at == now["t"]


def test_nothing_configured_is_a_result_never_an_exception() -> None:
    cfg = demo_config(Path("/nonexistent"))
    console = Console(services.Services(cfg), cfg)
    assert console.print_test_page().reason == "not_configured"
    hb = console.heartbeat()
    assert not hb.ok and hb.code == "not_configured" and hb.error
    assert not console.outbox().ok and console.retry_dead() == 0
    assert not console.catalogue().ok
    refresh = console.refresh_catalogue()
    assert not refresh.ok and refresh.code == "not_configured"
    assert console.log_tail() == []


# ---- printer ----


def test_test_page_is_printed_by_the_running_printer(kiosk: Kiosk) -> None:
    sim = kiosk.sim
    pages, start = len(sim.pages), len(sim.received)
    check = kiosk.console.print_test_page()
    assert check.ok and check.reason == ""
    sent = bytes(sim.received[start:])
    assert b"DEMO-0001" in sent and "打印机测试页".encode("gbk") in sent
    assert "安康市政务服务中心24小时自助服务区".encode("gbk") in sent
    assert CHARSET_LINE.encode("gb18030") in sent  # full-width punctuation too, no '?'
    page = sim.wait_for_pages(pages + 1)[-1]
    assert [q.payload for q in page.qr_codes] == ["DEMO-0001"]
    assert any(__version__ in line for line in page.lines)

    start = len(sim.received)
    assert kiosk.console.print_test_page("en").ok
    assert b"Printer test page" in bytes(sim.received[start:])


def test_paper_out_is_reported_and_nothing_is_printed(kiosk: Kiosk) -> None:
    sim = kiosk.sim
    pages, start = len(sim.pages), len(sim.received)
    sim.paper = "out"  # type: ignore[attr-defined]
    try:
        check = kiosk.console.print_test_page()
    finally:
        sim.paper = "ok"  # type: ignore[attr-defined]
    assert not check.ok and check.reason == "paper_out"
    sent = bytes(sim.received[start:])
    assert "打印机测试页".encode("gbk") not in sent and b"DEMO-0001" not in sent
    assert len(sim.pages) == pages


# ---- central ----


def test_heartbeat_through_the_running_client(kiosk: Kiosk) -> None:
    assert wait_until(
        lambda: kiosk.svc.sync.last_heartbeat_ok is not None
    )  # the worker's own is done
    kiosk.svc.device_snapshot = {"printer": {"status": "warning", "detail": "paper_near_end"}}
    hb = kiosk.console.heartbeat()
    assert hb.ok and hb.error == "" and hb.code == "ok"
    assert hb.rtt_ms is not None and hb.rtt_ms > 0
    assert hb.skew_s is not None and abs(hb.skew_s) < 2 and hb.skew_level == "ok"
    store = kiosk.svc.sandbox.app.state.service.store
    devices, version = store._all(
        "SELECT devices, catalogue_version FROM heartbeats ORDER BY rowid DESC LIMIT 1"
    )[0]
    assert '"paper_near_end"' in devices and version == 1  # the real snapshot and catalogue


def test_heartbeat_with_the_network_down_fails_cleanly(kiosk: Kiosk) -> None:
    kiosk.svc.set_network(False)
    try:
        hb = kiosk.console.heartbeat()
    finally:
        kiosk.svc.set_network(True)
    assert not hb.ok and hb.code == "unreachable" and "refused" in hb.error.lower()
    assert hb.rtt_ms is None and hb.skew_s is None
    assert kiosk.console.heartbeat().ok


def test_heartbeat_measures_a_skewed_clock_and_explains_a_refusal(kiosk: Kiosk) -> None:
    client = kiosk.svc.client
    try:
        # the terminal's clock (which signs the request and times it) runs 100 s ahead
        ahead = lambda: time.time() + 100  # noqa: E731
        client.clock = ahead
        hb = Console(kiosk.svc, kiosk.cfg, clock=ahead).heartbeat()
        assert (
            hb.ok and hb.skew_s is not None and -102 < hb.skew_s < -98 and hb.skew_level == "warn"
        )
        client.clock = lambda: time.time() + 400  # past central's 300 s: every signature refused
        hb = kiosk.console.heartbeat()
        assert not hb.ok and hb.code == "auth" and "401" in hb.error and "clock" in hb.error
    finally:
        client.clock = time.time
    assert kiosk.console.heartbeat().ok


# ---- outbox ----


def test_outbox_counts_dead_rows_and_retry_brings_them_back(kiosk: Kiosk) -> None:
    box, console = kiosk.svc.outbox, kiosk.console
    base = console.outbox()
    assert base.ok and base.pending == 0 and base.dead == 0
    applicant = {"method": "idcard", "id_number": ID, "name": "张三丰"}
    # central refuses an item it does not know, for real
    refused = box.enqueue(
        Kind.SUBMISSION,
        {
            "item_code": "NO-SUCH-ITEM",
            "region_code": "610900",
            "applicant": applicant,
            "fields": {},
        },
    )
    assert wait_until(lambda: box.get(refused.id).state is State.DEAD)
    kiosk.svc.set_network(False)
    try:
        good = box.enqueue(
            Kind.SUBMISSION,
            {
                "item_code": "RX-1101",
                "region_code": "610900",
                "applicant": applicant,
                "fields": {
                    # the whole form (central checks it)
                    "request_type": "inquiry",
                    "topic": "city",
                    "phone": "13800138000",
                },
            },
        )
        assert wait_until(lambda: (box.get(good.id).attempts or 0) >= 1)
        report = console.outbox()
        assert (report.pending, report.dead, report.delivered) == (1, 1, base.delivered)
        assert report.oldest_pending_age_s is not None and report.oldest_pending_age_s >= 0
        assert box.mark_dead(good.id, f"refused by hand for {ID}")  # a row the technician must see
        report = console.outbox()
        assert (report.pending, report.dead) == (0, 2)
        assert (
            report.last_error is not None and ID not in report.last_error
        )  # scrubbed by the outbox
    finally:
        kiosk.svc.set_network(True)
    assert console.retry_dead() == 2
    assert box.get(good.id).state is not State.DEAD
    assert wait_until(lambda: box.get(good.id).state is State.DELIVERED)
    assert wait_until(
        lambda: box.get(refused.id).state is State.DEAD
    )  # refused again: still unknown
    report = console.outbox()
    assert (report.pending, report.dead, report.delivered) == (0, 1, base.delivered + 1)


# ---- catalogue ----


def test_catalogue_report_matches_the_bundle(kiosk: Kiosk) -> None:
    report = kiosk.console.catalogue()
    expires = datetime(2030, 12, 31, tzinfo=timezone(timedelta(hours=8)))
    assert (
        report.ok,
        report.version,
        report.items,
        report.key_id,
        report.expires_at,
        report.expired,
    ) == (True, 1, 26, "demo-2026", expires, False)  # 17 tiles + 9 bundle items
    at = datetime(2030, 12, 1, tzinfo=timezone(timedelta(hours=8))).timestamp()
    assert Console(kiosk.svc, kiosk.cfg, clock=lambda: at).catalogue().days_left == 30.0
    late = Console(kiosk.svc, kiosk.cfg, clock=lambda: expires.timestamp() + 86400).catalogue()
    assert late.expired and late.days_left == -1.0


def test_refresh_installs_a_staff_publish_and_says_why_it_failed(tmp_path: Path) -> None:
    cfg = demo_config(tmp_path / "var", heartbeat_interval_s=3600)  # the worker stays out of it
    svc = services.build(cfg, devices=False)
    svc.start(lambda _event: None)
    try:
        console = Console(svc, cfg)
        first = console.refresh_catalogue()
        assert (first.ok, first.changed, first.version, first.error) == (True, False, 1, "")
        token = svc.sandbox.app.state.service.store.add_token("staff", time.time())
        assert publish_bundle(signed_v2(tmp_path), svc.sandbox.url, token).version == 2
        svc.set_network(False)
        try:
            down = console.refresh_catalogue()
        finally:
            svc.set_network(True)
        assert not down.ok and down.code == "failed" and "refused" in down.error.lower()
        assert down.version == 1 and svc.sync.last_refresh_error == down.error
        new = console.refresh_catalogue()
        assert (new.ok, new.changed, new.version, new.error) == (True, True, 2, "")
        assert console.catalogue().version == 2 and svc.catalogue_store.active().version == 2
        again = console.refresh_catalogue()
        assert (again.ok, again.changed, again.version) == (True, False, 2)
    finally:
        svc.stop()


# ---- log ----


@pytest.fixture
def kiosk_log(tmp_path: Path) -> Iterator[tuple[Console, Path]]:
    cfg = demo_config(tmp_path / "var")
    log_file = Console(services.Services(cfg), cfg).log_file()
    assert log_file == tmp_path / "var" / "log" / "kiosk.log"
    setup_logging(log_file.parent, "INFO", console=False)
    try:
        yield Console(services.Services(cfg), cfg), log_file
    finally:
        root = logging.getLogger()
        for h in list(root.handlers):
            if getattr(h, "_kiosk", False):
                root.removeHandler(h)
                h.close()


def test_log_tail_is_the_last_lines_and_scrubbed(kiosk_log: tuple[Console, Path]) -> None:
    console, log_file = kiosk_log
    log = logging.getLogger("kiosk.test_console")
    for i in range(10):
        log.info("line %d", i)
    log.warning("card read for %s", ID)
    for h in logging.getLogger().handlers:
        h.flush()
    tail = console.log_tail(3)
    assert [line.split("kiosk.test_console: ")[1] for line in tail] == [
        "line 8",
        "line 9",
        "card read for 1101**********002X",
    ]
    with log_file.open("a", encoding="utf-8") as fh:  # a writer that bypassed the filter
        fh.write(f"raw {ID}\n")
    tail = console.log_tail(2)
    assert len(tail) == 2 and tail[-1] == "raw 1101**********002X"
    assert all(ID not in line for line in console.log_tail(1000))
    assert len(console.log_tail(1000)) == 12


# ---- masking ----


def test_mask_holder_example() -> None:
    holder = CardHolder(
        "张三丰", ID, "mainland", "男", "1949-12-31", "北京市东城区某某胡同1号", b"\x01" * 1024
    )
    assert mask_holder(holder) == MaskedCard(
        "张**", "1101**********002X", "mainland", "男", "1949", True
    )
    assert mask_holder(CardHolder("X", "", "foreigner")) == MaskedCard(
        "*", "", "foreigner", "", "", False
    )


def test_mask_scan_examples() -> None:
    assert mask_scan("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEF") == "ABC…DEF"
    assert mask_scan(f"https://e.gov/?id={ID}") == "htt…02X"
    assert mask_scan("610900\r") == "6…*"
    assert mask_scan("张三") == "…"
    assert mask_scan("") == ""


def id_numbers() -> st.SearchStrategy[str]:
    return st.builds(
        lambda d, c: d + c,
        st.text("0123456789", min_size=17, max_size=17),
        st.sampled_from("0123456789Xx"),
    )


CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.text(CJK, min_size=2, max_size=15)
    | st.from_regex(r"[A-Z][a-z]{1,10}( [A-Z][a-z]{1,10}){0,3}", fullmatch=True),
    number=id_numbers(),
    address=st.text(CJK, min_size=4, max_size=35),
    sex=st.sampled_from(["男", "女", ""]),
    birth=st.dates().map(lambda d: d.isoformat()),
    photo=st.binary(max_size=1024),
)
def test_mask_holder_never_shows_the_person(
    name: str, number: str, address: str, sex: str, birth: str, photo: bytes
) -> None:
    card = mask_holder(CardHolder(name, number, "mainland", sex, birth, address, photo))
    shown = "\n".join(v for f in fields(card) if isinstance(v := getattr(card, f.name), str))
    assert name not in shown and number not in shown and address not in shown
    assert birth not in shown and card.has_photo == bool(photo)
    assert not any(isinstance(getattr(card, f.name), bytes) for f in fields(card))  # no photo bytes
    assert len(card.name) <= 24 and len(card.id_number) <= 24 and len(card.birth_year) <= 4
    assert card.id_number[:4] == number[:4] and card.id_number[-4:] == number[-4:]


@settings(max_examples=200, deadline=None)
@given(
    before=st.text(max_size=200),
    after=st.text(max_size=200),
    number=id_numbers(),
    name=st.text(CJK, min_size=2, max_size=4),
)
def test_mask_scan_keeps_ids_and_names_out_and_stays_short(
    before: str, after: str, number: str, name: str
) -> None:
    for text in (before + number + after, before + name + after):
        out = mask_scan(text)
        assert number not in out and name not in out
        assert len(out) <= 7 and (out != "") == (text != "")

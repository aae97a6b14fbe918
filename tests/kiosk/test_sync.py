"""SyncWorker against the real sandbox on 127.0.0.1 (a fault proxy in front to take it away)."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from kiosk.central_client import CentralClient
from kiosk.outbox import DeliveryLock, Kind, Outbox, State
from kiosk.retry import RetryPolicy
from kiosk.sync import Connectivity, SyncError, SyncWorker
from tests.kiosk._central import (
    SECRET,
    TERMINAL_ID,
    CannedServer,
    FaultProxy,
    Sandbox,
    rating,
    submission,
)

POLICY = RetryPolicy(base_s=2, factor=2, cap_s=60, jitter=0.5)


class Clock:
    def __init__(self) -> None:
        self.t = time.time()

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    sb = Sandbox(tmp_path / "central.sqlite3")
    yield sb
    sb.stop()


@pytest.fixture
def proxy(sandbox: Sandbox) -> FaultProxy:
    p = FaultProxy(sandbox.port, {})
    yield p
    p.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def box(tmp_path: Path, clock: Clock) -> Outbox:
    o = Outbox(
        tmp_path / "outbox.sqlite3", tmp_path / "outbox.key", terminal_id=TERMINAL_ID, clock=clock
    )
    yield o
    o.close()


def make_worker(box: Outbox, url: str, clock: Clock, **kw) -> SyncWorker:
    client = CentralClient(url, TERMINAL_ID, SECRET, connect_timeout_s=1, read_timeout_s=2)
    return SyncWorker(
        box,
        client,
        policy=POLICY,
        clock=clock,
        rng=random.Random(7),
        heartbeat_interval_s=kw.pop("heartbeat_interval_s", 30),
        **kw,
    )


def test_drains_in_order_and_maps_provisional_case_numbers(box, sandbox, proxy, clock) -> None:
    subs = [box.enqueue(Kind.SUBMISSION, submission(i)) for i in range(5)]
    # Ratings given offline carry the provisional number printed on the receipt.
    rates = [box.enqueue(Kind.RATING, rating(s.provisional_no)) for s in subs[:3]]
    w = make_worker(box, proxy.url, clock)
    w.run_once()
    cases = sandbox.cases()
    assert [ref for _, ref in cases] == [s.provisional_no for s in subs]  # in queue order
    for s in subs:
        ref = box.lookup_case(s.provisional_no)
        assert ref.state is State.DELIVERED and ref.case_no
        assert box.lookup_case(ref.case_no).provisional_no == s.provisional_no
    central_ratings = sandbox.ratings()
    assert [c for c, _ in central_ratings] == [
        box.lookup_case(s.provisional_no).case_no for s in subs[:3]
    ]
    assert all(box.get(r.id).state is State.DELIVERED for r in rates)
    assert w.state is Connectivity.ONLINE
    assert box.depth() == 0


def test_network_down_backs_off_capped_and_blocks_kind_in_order(box, sandbox, proxy, clock) -> None:
    proxy.down = True
    w = make_worker(box, proxy.url, clock)
    states: list[Connectivity] = []
    w.add_listener(states.append)
    a = box.enqueue(Kind.SUBMISSION, submission(1))
    b = box.enqueue(Kind.SUBMISSION, submission(2))
    delays = []
    for attempt in range(1, 9):
        t0 = clock.t
        w.deliver_due()
        row = box.get(a.id)
        assert row.attempts == attempt and row.state is State.PENDING
        raw = POLICY.raw_delay(attempt)
        delay = row.next_attempt_at - t0
        assert raw * 0.5 <= delay <= raw <= POLICY.cap_s
        delays.append(delay)
        assert box.get(b.id).attempts == 0  # b waits behind a: order within the kind
        clock.t = row.next_attempt_at
    assert max(delays) <= 60 and delays[-1] > 30  # reached the cap
    assert states == [Connectivity.OFFLINE]
    assert "ConnectionError" in box.stats().last_error
    proxy.down = False
    assert w.heartbeat()  # back online: the waiting rows are made due at once
    assert states == [Connectivity.OFFLINE, Connectivity.ONLINE]
    assert box.get(a.id).next_attempt_at <= clock.t
    w.deliver_due()
    assert [r for _, r in sandbox.cases()] == [a.provisional_no, b.provisional_no]


def test_rating_waits_for_its_offline_submission(box, sandbox, proxy, clock) -> None:
    w = make_worker(box, proxy.url, clock)
    s = box.enqueue(Kind.SUBMISSION, submission(1))
    r = box.enqueue(Kind.RATING, rating(s.provisional_no, "不满意"))
    proxy.down = True
    report = w.deliver_due()
    assert report.retried == 1 and report.deferred == 1
    assert box.get(r.id).attempts == 0 and "waiting for submission" in box.get(r.id).last_error
    assert box.get(r.id).next_attempt_at == box.get(s.id).next_attempt_at
    proxy.down = False
    clock.t = box.get(s.id).next_attempt_at
    report = w.deliver_due()
    assert report.delivered == 2
    assert sandbox.ratings() == [(box.get(s.id).case_no, "不满意")]


def test_rejected_row_is_dead_with_reason_and_does_not_block(box, sandbox, proxy, clock) -> None:
    bad = submission(1)
    bad["item_code"] = "NO-SUCH-ITEM"
    d = box.enqueue(Kind.SUBMISSION, bad)
    ok = box.enqueue(Kind.SUBMISSION, submission(2))
    r = box.enqueue(Kind.RATING, rating(d.provisional_no))
    w = make_worker(box, proxy.url, clock)
    report = w.deliver_due()
    assert (report.delivered, report.dead) == (1, 2)
    dead = box.get(d.id)
    assert dead.state is State.DEAD and dead.last_error.startswith("HTTP 404 unknown_item")
    assert box.get(ok.id).state is State.DELIVERED
    assert "was refused by central" in box.get(r.id).last_error
    assert w.state is Connectivity.ONLINE
    # The technician fixes central's catalogue… here: retry makes it pending, it fails again.
    assert box.retry_dead(d.id) == 1
    w.deliver_due()
    assert box.get(d.id).state is State.DEAD and box.get(d.id).attempts == 1


def test_auth_failure_keeps_rows_pending(box, sandbox, clock) -> None:
    client = CentralClient(sandbox.url, TERMINAL_ID, b"\x02" * 32)
    w = SyncWorker(box, client, policy=POLICY, clock=clock)
    e = box.enqueue(Kind.SUBMISSION, submission(1))
    assert not w.heartbeat()
    assert w.state is Connectivity.AUTH_FAILED
    assert w.deliver_due().retried == 1
    row = box.get(e.id)
    assert row.state is State.PENDING and row.last_error.startswith("HTTP 401")


def test_heartbeat_reports_depth_and_devices_and_refreshes_catalogue(box, sandbox, clock) -> None:
    installed: list[bytes] = []
    version = {"v": 0}

    def install(bundle: bytes) -> None:
        installed.append(bundle)
        version["v"] = 7

    for i in range(3):
        box.enqueue(Kind.RATING, rating(f"610900-20261125-00000{i}"))
    w = make_worker(
        box,
        sandbox.url,
        clock,
        install_catalogue=install,
        catalogue_version=lambda: version["v"],
        device_states=lambda: {
            "printer": {"status": "warning", "detail": "paper_near_end"},
            "idcard": "ok",
        },
    )
    assert w.heartbeat()
    row = sandbox.store._all("SELECT outbox_depth, devices, catalogue_version FROM heartbeats")[0]
    assert row[0] == 3 and '"paper_near_end"' in row[1] and row[2] == 0
    assert installed == []
    bundle = b'{"catalogue":{"version":7,"items":[]},"signatures":[]}'
    sandbox.store.publish(7, bundle, 0, "staff", time.time())  # a staff publish
    assert w.heartbeat()
    assert installed == [bundle]
    assert w.heartbeat()  # now at version 7: no command, no second fetch
    assert installed == [bundle]


def test_broken_installer_does_not_stop_the_worker(box, sandbox, clock) -> None:
    def install(bundle: bytes) -> None:
        raise ValueError("signature not trusted")

    bundle = (
        '{"catalogue":{"version":3,"items":[{"code":"SB-APPLY-001","kind":"apply",'
        '"names":{"zh":"养老待遇资格认证"}}]},"signatures":[]}'
    ).encode()
    sandbox.store.publish(3, bundle, 1, "s", time.time())
    w = make_worker(box, sandbox.url, clock, install_catalogue=install)
    assert w.heartbeat() and not w.refresh_catalogue()
    assert w.last_refresh_error == "ValueError: signature not trusted"
    assert w.try_refresh_catalogue() == (False, "ValueError: signature not trusted")
    e = box.enqueue(Kind.SUBMISSION, submission(1))
    w.run_once()
    assert box.get(e.id).state is State.DELIVERED


def test_thread_wakes_at_once_on_enqueue_and_stops_fast(tmp_path, sandbox) -> None:
    box = Outbox(tmp_path / "q", tmp_path / "k", terminal_id=TERMINAL_ID)
    client = CentralClient(sandbox.url, TERMINAL_ID, SECRET)
    w = SyncWorker(box, client, heartbeat_interval_s=3600, delivery_lock=DeliveryLock(box.path))
    seen: list[Connectivity] = []
    w.add_listener(seen.append)
    w.start()
    try:
        deadline = time.monotonic() + 5
        while w.state is not Connectivity.ONLINE and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)  # the worker is asleep now (next heartbeat in an hour)
        t0 = time.monotonic()
        e = box.enqueue(Kind.SUBMISSION, submission(1))
        while box.get(e.id).state is not State.DELIVERED and time.monotonic() - t0 < 5:
            time.sleep(0.005)
        latency = time.monotonic() - t0
        assert box.get(e.id).state is State.DELIVERED and latency < 1.0
        with pytest.raises(SyncError):  # a second deliverer (e.g. `outbox flush`) is refused
            SyncWorker(box, client, delivery_lock=DeliveryLock(box.path)).start()
    finally:
        t0 = time.monotonic()
        assert w.stop()
        assert time.monotonic() - t0 < 1.0
        box.close()
    assert seen == [Connectivity.ONLINE]


@pytest.mark.parametrize("heartbeat_at_start", [True, False])
def test_stop_within_one_second_with_request_in_flight(tmp_path, heartbeat_at_start) -> None:
    hang = CannedServer(None)  # accepts the request and never answers
    box = Outbox(tmp_path / "q", tmp_path / "k", terminal_id=TERMINAL_ID)
    client = CentralClient(hang.url, TERMINAL_ID, SECRET, read_timeout_s=30)
    w = SyncWorker(box, client, heartbeat_interval_s=3600, heartbeat_at_start=heartbeat_at_start)
    e = box.enqueue(Kind.SUBMISSION, submission(1))
    w.start()
    try:
        deadline = time.monotonic() + 5
        while not hang.requests and time.monotonic() < deadline:
            time.sleep(0.01)
        path = hang.requests[0].split(b" ")[1]
        assert path == (b"/v1/heartbeat" if heartbeat_at_start else b"/v1/submissions")
        t0 = time.monotonic()
        assert w.stop()  # cuts the hanging request instead of waiting 30 s for it
        assert time.monotonic() - t0 < 1.0
    finally:
        hang.close()
    row = box.get(e.id)
    assert row.state is State.PENDING and row.attempts == 0  # abandoned, not counted
    box.close()


def test_flush_reports(box, sandbox, proxy, clock) -> None:
    for i in range(4):
        box.enqueue(Kind.SUBMISSION, submission(i))
    bad = submission(9)
    bad["item_code"] = "NOPE"
    box.enqueue(Kind.SUBMISSION, bad)
    e = box.enqueue(Kind.SUBMISSION, submission(5))
    proxy.down = True
    w = make_worker(box, proxy.url, clock)
    w.deliver_due()
    assert box.depth() == 6
    proxy.down = False
    report = w.flush(timeout_s=10)  # flush ignores the backoff
    assert (report.delivered, report.dead, report.retried) == (5, 1, 0)
    assert box.get(e.id).state is State.DELIVERED and box.depth() == 0


def test_cli_flush_delivers_and_reports(tmp_path, sandbox, capsys) -> None:
    from kiosk.cli import main
    from tests.kiosk.test_outbox import write_config

    cfg = write_config(tmp_path, sandbox.url)
    data = tmp_path / "data"
    with Outbox(data / "outbox.sqlite3", data / "outbox.key", terminal_id=TERMINAL_ID) as o:
        subs = [o.enqueue(Kind.SUBMISSION, submission(i)) for i in range(3)]
        o.enqueue(Kind.RATING, rating(subs[0].provisional_no))
        o.mark_retry(subs[0].id, "down", time.time() + 3600)  # flush ignores the backoff
        lock = DeliveryLock(o.path)
    assert lock.acquire()
    assert main(["outbox", "flush", "--config", str(cfg)]) == 1
    assert "kiosk is running" in capsys.readouterr().err
    lock.release()
    assert main(["outbox", "flush", "--config", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("delivered 4, dead 0, still pending 0")
    assert [r for _, r in sandbox.cases()] == [s.provisional_no for s in subs]
    assert main(["outbox", "flush", "--config", str(cfg)]) == 0
    assert "0 pending rows" in capsys.readouterr().out


def test_cli_flush_central_down_exit_1(tmp_path, capsys) -> None:
    from kiosk.cli import main
    from tests.kiosk.test_outbox import write_config

    cfg = write_config(tmp_path, "http://127.0.0.1:9")
    data = tmp_path / "data"
    with Outbox(data / "outbox.sqlite3", data / "outbox.key", terminal_id=TERMINAL_ID) as o:
        o.enqueue(Kind.SUBMISSION, submission(1))
    assert main(["outbox", "flush", "--config", str(cfg)]) == 1
    out = capsys.readouterr().out
    assert (
        "delivered 0, dead 0, still pending 1" in out and "last error: POST /v1/submissions" in out
    )
    assert main(["outbox", "flush", "--config", str(cfg), "--url", "embedded"]) == 2
    assert "embedded" in capsys.readouterr().err


def test_wall_clock_jumping_back_does_not_strand_rows(box, sandbox, proxy, clock) -> None:
    w = make_worker(box, proxy.url, clock, heartbeat_interval_s=60)
    e = box.enqueue(Kind.SUBMISSION, submission(1))
    proxy.down = True
    w.run_once()
    assert box.get(e.id).attempts == 1
    clock.t -= 86400  # NTP sets the clock of a terminal that booted without RTC back a day
    proxy.down = False
    w.run_once()  # heartbeat due too, although its time lies a day ahead
    assert box.get(e.id).state is State.DELIVERED
    assert w.state is Connectivity.ONLINE


def test_bad_device_states_still_heartbeat_and_deliver(box, sandbox, clock) -> None:
    def boom() -> int:
        raise RuntimeError("catalogue store broken")

    w = make_worker(
        box,
        sandbox.url,
        clock,
        catalogue_version=boom,
        device_states=lambda: {"printer": "on fire", "idcard": {"status": "ok"}, "Bad Name": "ok"},
    )
    e = box.enqueue(Kind.SUBMISSION, submission(1))
    w.run_once()
    assert box.get(e.id).state is State.DELIVERED
    assert w.heartbeat() is False  # "Bad Name" breaks the heartbeat schema: logged, not raised
    w2 = make_worker(box, sandbox.url, clock, device_states=lambda: {"printer": "on fire"})
    assert w2.heartbeat()
    devices = sandbox.store._all("SELECT devices FROM heartbeats")[0][0]
    assert '"unknown"' in devices and "invalid state" in devices


def test_from_config(tmp_path, sandbox) -> None:
    from kiosk import config
    from tests.kiosk.test_outbox import write_config

    cfg = config.load(write_config(tmp_path, sandbox.url))
    box = Outbox.from_config(cfg)
    try:
        assert box.path == tmp_path / "data" / "outbox.sqlite3"
        w = SyncWorker.from_config(cfg, box, CentralClient.from_config(cfg))
        assert w.heartbeat_interval_s == cfg.central.heartbeat_interval_s == 60
        w.start()
        with pytest.raises(SyncError):
            SyncWorker.from_config(cfg, box, CentralClient.from_config(cfg)).start()
        e = box.enqueue(Kind.SUBMISSION, submission(1))
        deadline = time.monotonic() + 5
        while box.get(e.id).state is not State.DELIVERED and time.monotonic() < deadline:
            time.sleep(0.01)
        assert box.get(e.id).state is State.DELIVERED
        assert w.stop()
    finally:
        box.close()

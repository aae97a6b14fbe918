"""Maintenance screen view-models on the real services (simulators, sandbox, SQLite), no window.

Actions run inline (run_inline) so each test reads the outcome at once; the clocks of the PIN
pad, maintenance mode and live tests are injected.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk import services as services_mod
from kiosk.admin.audit import AuditLog
from kiosk.admin.maintenance import MaintenanceMode
from kiosk.admin.paused import PausedFlag
from kiosk.admin.pin import PinGuard, hash_pin
from kiosk.session.engine import SessionEngine
from kiosk.session.ports import CardRead, CodeScanned, DeviceState, run_inline
from kiosk.session.states import State
from tests.kiosk.session.fixtures import ZHANG
from tests.kiosk.ui.harness import demo_config

PIN = "97531"
HASH = hash_pin(PIN)


class Clock:
    def __init__(self) -> None:
        self.t = 1_000_000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    cfg = demo_config(tmp_path_factory.mktemp("maint") / "var")
    s = services_mod.build(cfg)
    assert not s.problems, s.problems
    s.start(lambda _event: None)
    yield s
    s.stop()


def make(svc: Any, tmp_path: Path, flag: PausedFlag | None = None) -> tuple[Any, Clock, AuditLog]:
    from kiosk.admin.console import Console
    from kiosk.ui.viewmodels.maintenance import MaintenanceViewModel

    clock = Clock()
    audit = AuditLog(tmp_path / "audit.jsonl", clock)
    mode = MaintenanceMode(PinGuard(HASH, tmp_path / "pin.json", clock), audit, clock)
    engine = SessionEngine(
        svc.catalogue, central=svc.central, printer=svc.printer, terminal_id=svc.cfg.terminal_id
    )
    vm = MaintenanceViewModel(
        mode,
        Console(svc, svc.cfg),
        engine,
        runner=run_inline,
        paused_flag=flag or PausedFlag(tmp_path / "paused.json"),
        clock=clock,
    )
    return vm, clock, audit


def enter(vm: Any, pin: str = PIN) -> None:
    vm.request_entry()
    for d in pin:
        vm.pin.press(d)
    vm.pin.submit()


def actions(audit: AuditLog) -> list[tuple[str, str | None]]:
    return [(e["action"], e.get("outcome")) for e in audit.tail()]


def test_pin_pad_counts_down_locks_and_opens(svc: Any, tmp_path: Path) -> None:
    vm, clock, audit = make(svc, tmp_path)
    enter(vm, "1234")
    assert vm.pin.visible and vm.pin.error and vm.pin.message == "密码错误，还可尝试 4 次"
    assert vm.pin.dots == "" and not vm.visible
    for _ in range(4):
        enter(vm, "1234")
    assert vm.pin.message == "错误次数过多，请 15 秒后再试" and vm.pin.locked_s == 15
    vm.pin.press("9")
    assert vm.pin.dots == ""  # the keys do nothing while locked
    clock.t += 10
    vm.pin.tick()
    assert vm.pin.message == "错误次数过多，请 5 秒后再试"
    clock.t += 5
    vm.pin.tick()
    assert vm.pin.message == "请输入维护密码" and not vm.pin.error
    enter(vm)
    assert vm.visible and not vm.pin.visible
    assert actions(audit)[-1] == ("heartbeat", "ok")  # opening checks central at once
    assert ("enter", None) in actions(audit) and PIN not in audit.path.read_text(encoding="utf-8")


def test_untouched_pin_pad_closes_itself(svc: Any, tmp_path: Path) -> None:
    vm, clock, _ = make(svc, tmp_path)
    vm.request_entry()
    vm.pin.press("1")
    assert vm.pin.dots == "●"
    clock.t += 29
    vm.tick()
    assert vm.pin.visible
    clock.t += 1
    vm.tick()
    assert not vm.pin.visible and vm.pin.dots == ""


def test_status_page_shows_the_running_terminal(svc: Any, tmp_path: Path) -> None:
    vm, _clock, _ = make(svc, tmp_path)
    vm.engine.handle(DeviceState("printer", False, "paper_out"))
    vm.observe(DeviceState("printer", False, "paper_out"))
    enter(vm)
    assert vm.header.startswith(f"终端 {svc.cfg.terminal_id} · 版本 ")
    rows = {r["name"]: r for r in vm.device_rows}
    assert rows["打印机"]["state"] == "缺纸 (paper_out)" and not rows["打印机"]["ok"]
    assert "上次故障：paper_out" in rows["打印机"]["detail"]
    assert rows["读卡器"]["state"] == "正常" and rows["读卡器"]["detail"] == "sim://idcard"
    assert vm.central_text.startswith("已连接，签名心跳被接受。往返 ")
    assert "时钟偏差 +0." in vm.central_text or "时钟偏差 -0." in vm.central_text
    assert vm.outbox_text.startswith("待发送 ") and vm.catalogue_text.startswith(
        "版本 1，共 26 项，签名密钥 demo-2026"
    )
    assert vm.service_text == "正在对外服务" and not vm.paused


def test_print_test_page_reaches_the_printer_or_says_why(svc: Any, tmp_path: Path) -> None:
    from drivers.sim import running

    sim = running["printer"]
    vm, _clock, audit = make(svc, tmp_path)
    enter(vm)
    before = len(sim.pages)
    vm.test_print()
    assert vm.print_test == "测试页已打印，请检查字迹和二维码"
    assert len(sim.pages) == before + 1
    assert any(svc.cfg.terminal_id in line for line in sim.pages[-1].lines)
    sim.paper = "out"
    try:
        vm.test_print()
    finally:
        sim.paper = "ok"
    assert vm.print_test == "打印失败：缺纸 (paper_out)" and len(sim.pages) == before + 1
    assert [a for a in actions(audit) if a[0] == "print_test"] == [("print_test", "ok")] * 2


def test_card_test_is_masked_times_out_and_is_forgotten(svc: Any, tmp_path: Path) -> None:
    vm, clock, audit = make(svc, tmp_path)
    enter(vm)
    vm.observe(CardRead(ZHANG))  # not asked for: ignored
    assert vm.card_test == ""
    vm.test_card()
    assert vm.card_test == "请在 30 秒内将身份证放到读卡区"
    vm.observe(CardRead(ZHANG))
    assert vm.card_test.startswith("读卡成功：张**  1101") and "（居民身份证）" in vm.card_test
    assert ZHANG.id_number not in vm.card_test and ZHANG.name not in vm.card_test
    assert ZHANG.id_number not in audit.path.read_text(encoding="utf-8")
    vm.test_card()
    clock.t += 30
    vm.tick()
    assert vm.card_test == "30 秒内没有检测到，测试结束"
    vm.test_scan()
    vm.observe(CodeScanned("https://gov.example/qr?id=11010519491231002X&t=abc"))
    assert vm.scan_test.startswith("扫码成功：") and "11010519491231002X" not in vm.scan_test
    vm.leave()
    assert (vm.card_test, vm.scan_test, vm.visible) == ("", "", False)
    assert actions(audit)[-1] == ("exit", None)


def test_out_of_service_holds_across_a_restart(svc: Any, tmp_path: Path) -> None:
    flag = PausedFlag(tmp_path / "admin" / "paused.json")
    vm, _clock, audit = make(svc, tmp_path, flag)
    vm.set_in_service(False)  # not entered: nothing happens
    assert vm.engine.state == State.HOME and not flag.is_set()
    enter(vm)
    vm.set_in_service(False)
    assert vm.paused and vm.engine.state == State.OUT_OF_SERVICE and flag.is_set()
    assert vm.engine.out_of_service_reason() == "paused" and vm.service_text.startswith(
        "已暂停服务"
    )
    vm.leave()
    again, *_ = make(svc, tmp_path, flag)  # the app restarts
    assert again.paused and again.engine.state == State.OUT_OF_SERVICE
    enter(again)
    again.set_in_service(True)
    assert again.engine.state == State.HOME and not flag.is_set() and not again.paused
    assert ("out_of_service", "ok") in actions(audit) and ("in_service", "ok") in actions(audit)


def test_idle_exit_after_two_minutes(svc: Any, tmp_path: Path) -> None:
    vm, clock, audit = make(svc, tmp_path)
    enter(vm)
    clock.t += 100
    vm.touch()
    clock.t += 119
    vm.tick()
    assert vm.visible and vm.idle_text == "无操作 1 秒后自动退出"
    clock.t += 1
    vm.tick()
    assert not vm.visible
    assert audit.tail()[-1]["action"] == "exit" and audit.tail()[-1]["reason"] == "idle"


def test_outbox_retry_dead_and_catalogue_refresh(svc: Any, tmp_path: Path) -> None:
    vm, _clock, audit = make(svc, tmp_path)
    row = svc.outbox.enqueue(
        "rating",
        {
            "case_no": "610900-20261125-999999",
            "item_code": "RS-0101",
            "level": "满意",
            "tags": [],
            "comment": "",
        },
    )
    deadline = time.monotonic() + 10
    while svc.outbox.get(row.id).state.value == "pending" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert svc.outbox.get(row.id).state.value == "dead"  # central knows no such case
    enter(vm)
    assert vm.outbox_text.startswith("待发送 ") and "，失败 1 条，" in vm.outbox_text
    vm.retry_dead()
    assert vm.outbox_text.endswith("1 条失败记录已重新排队")
    vm.refresh_catalogue()
    assert vm.catalogue_text.endswith("已是最新（版本 1）")
    assert ("retry_dead", "ok") in actions(audit) and ("refresh_catalogue", "ok") in actions(audit)


def test_log_tab_pages_newest_first(svc: Any, tmp_path: Path) -> None:
    vm, _clock, _ = make(svc, tmp_path)
    log_file = vm.console.log_file()
    log_file.parent.mkdir(parents=True, exist_ok=True)
    log_file.write_text("".join(f"line {i}\n" for i in range(260)), encoding="utf-8")
    enter(vm)
    vm.show_tab("log")
    assert (vm.log_page, vm.log_pages) == (7, 8)
    assert vm.log_lines.splitlines() == [f"line {i}" for i in range(235, 260)]
    vm.log_turn(-8)
    assert vm.log_page == 7  # out of range: stays
    for _ in range(7):
        vm.log_turn(-1)
    assert vm.log_lines.splitlines()[0] == "line 60"
    log_file.unlink()
    vm.show_tab("log")
    assert vm.log_lines == "暂无日志"


def test_switch_thrown_from_a_shell_is_followed_within_a_tick(svc: Any, tmp_path: Path) -> None:
    flag = PausedFlag(tmp_path / "admin" / "paused.json")
    vm, _clock, _ = make(svc, tmp_path, flag)
    flag.set(True)  # `kiosk maintenance pause` in another process
    vm.tick()
    assert vm.engine.state == State.OUT_OF_SERVICE and vm.engine.out_of_service_reason() == "paused"
    flag.set(False)
    vm.tick()
    assert vm.engine.state == State.HOME

"""The fleet as staff see it: one row per terminal with online state, devices, outbox, versions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

DEVICE_LABELS = {
    "printer": "小票打印机",
    "idcard": "身份证读卡器",
    "scanner": "扫码器",
    "a4printer": "A4 打印机",
    "camera": "摄像头",
    "sscard": "社保卡读卡器",
    "central": "中心连接",
}
STATUS_LABELS = {
    "ok": "正常",
    "warning": "告警",
    "fault": "故障",
    "unknown": "未知",
    "disabled": "停用",
}
STATES = ("online", "offline", "fault", "never")
STATE_LABELS = {"online": "在线", "offline": "离线", "fault": "有故障", "never": "从未上报"}


@dataclass(frozen=True)
class Device:
    """One device of a terminal as the last heartbeat reported it."""

    name: str
    status: str
    detail: str

    @property
    def label(self) -> str:
        """Chinese device name (the key itself when unknown)."""
        return DEVICE_LABELS.get(self.name, self.name)

    @property
    def status_label(self) -> str:
        """Chinese status word."""
        return STATUS_LABELS.get(self.status, self.status)


@dataclass(frozen=True)
class TerminalRow:
    """One terminal on the fleet page."""

    terminal_id: str
    region_code: str
    registered_at: float
    last_heartbeat_at: float | None
    online: bool
    devices: tuple[Device, ...]
    catalogue_version: int | None
    outbox_depth: int | None
    app_version: str | None
    uptime_s: float | None

    @property
    def faults(self) -> tuple[Device, ...]:
        """Devices in fault or warning (paper low, reader gone …)."""
        return tuple(d for d in self.devices if d.status in ("fault", "warning"))

    @property
    def state(self) -> str:
        """never / offline / fault / online (the filter's values)."""
        if self.last_heartbeat_at is None:
            return "never"
        if not self.online:
            return "offline"
        return "fault" if any(d.status == "fault" for d in self.devices) else "online"

    @property
    def state_label(self) -> str:
        """Chinese state word."""
        return STATE_LABELS[self.state]


def _regions(db: Connection) -> dict[str, str]:
    """Region code each terminal last submitted under (heartbeats carry none)."""
    rows = db.execute(text("SELECT terminal_id, region_code, received_at FROM cases")).all()
    best: dict[str, tuple[float, str]] = {}
    for tid, region, at in rows:
        if tid not in best or at > best[tid][0]:
            best[tid] = (at, region)
    return {tid: region for tid, (_, region) in best.items()}


def fleet(
    db: Connection, terminals: list[dict[str, Any]], now: float, offline_after_s: float
) -> list[TerminalRow]:
    """Rows for `Storage.terminals()` output, newest state first within each terminal."""
    regions = _regions(db)
    out = []
    for t in terminals:
        last = t["last_heartbeat_at"]
        devices = tuple(
            Device(k, str(v.get("status", "unknown")), str(v.get("detail", "")))
            for k, v in sorted(t["devices"].items())
        )
        out.append(
            TerminalRow(
                terminal_id=t["terminal_id"],
                region_code=regions.get(t["terminal_id"], ""),
                registered_at=t["registered_at"],
                last_heartbeat_at=last,
                online=last is not None and now - last <= offline_after_s,
                devices=devices,
                catalogue_version=t["catalogue_version"],
                outbox_depth=t["outbox_depth"],
                app_version=t["app_version"],
                uptime_s=t["uptime_s"],
            )
        )
    return out


def filtered(rows: list[TerminalRow], state: str | None, region: str | None) -> list[TerminalRow]:
    """Rows matching a state (online/offline/fault/never) and a region-code prefix."""
    out = rows
    if state in STATES:
        out = [r for r in out if r.state == state]
    if region:
        out = [r for r in out if r.region_code.startswith(region)]
    return out


def ago(seconds: float | None) -> str:
    """'3 分钟前'-style age of a timestamp difference."""
    if seconds is None:
        return "从未"
    s = max(0, int(seconds))
    if s < 60:
        return f"{s} 秒前"
    if s < 3600:
        return f"{s // 60} 分钟前"
    if s < 86400:
        return f"{s // 3600} 小时前"
    return f"{s // 86400} 天前"

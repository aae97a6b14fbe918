"""Audit log: one JSON line per event, personal data masked, file 0600."""

from __future__ import annotations

import stat
from pathlib import Path

from kiosk.admin.audit import AuditLog


def test_events_are_appended_masked_and_private(tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "audit.log", clock=lambda: 1700000000.0)
    audit.record("enter", who="technician")
    audit.record("card_test", result="read 11010519491231002X ok")
    events = audit.tail()
    assert [e["action"] for e in events] == ["enter", "card_test"]
    assert "11010519491231002X" not in (tmp_path / "audit.log").read_text(encoding="utf-8")
    assert events[1]["result"] == "read 1101**********002X ok"
    assert stat.S_IMODE((tmp_path / "audit.log").stat().st_mode) == 0o600
    assert AuditLog(tmp_path / "none.log").tail() == []

"""Fewer taps: every one of the 17 items driven by touch from the home screen to its result.

Counts the taps a citizen needs after identification (the card is placed, not tapped), with
the catalogue's default choices, typed characters counted apart; the goal (issue 16) is at most
4 for print and query items and 6 for the rest. The table is reported in docs/ui.md.
"""

from __future__ import annotations

import time
from typing import Any

from kiosk.session.states import State
from tests.kiosk.ui.harness import KioskTestCase

SAMPLE = {
    "phone": "13800138000",
    "id_number": "11010519491231002X",
    "uscc": "91110000600037341L",
    "case_no": "610900-20261125-000001",
}
GOAL = {"print": 4, "query": 4, "progress": 4}
GOAL_OTHER = 6
DONE_STATES = (State.RESULT, State.PRINTING)


class TapCountTest(KioskTestCase):
    """Drive each item by touch and count."""

    def _tap_widget(self, kind: str, text: str) -> None:
        self.frames(3)  # find the widget once the layout settled (Repeaters rebuild views)
        hits = [w for w in self.visible_widgets() if type(w).__name__ == kind and w.text == text]
        assert hits, f"no {kind} {text!r}"
        self.tap(hits[-1])

    def _open(self, name: str) -> int:
        """Tap the item's tile (turning pages as needed); returns the taps used."""
        taps = 0
        home = self.app.vm.home
        while name not in [t["name"] for t in home.tiles]:
            self.tap("下一页")
            taps += 1
            assert taps < 5, f"{name} not on any page"
        tile = [
            w for w in self.visible_widgets() if type(w).__name__ == "ItemTile" and w.name == name
        ]
        self.tap(tile[0])
        return taps + 1

    def _value_for(self, f: Any) -> str:
        if f.type == "number":
            lo = int(f.min) if isinstance(f.min, (int, float)) else 2020
            hi = int(f.max) if isinstance(f.max, (int, float)) else 2026
            return str(min(max(2025, lo), hi))
        return SAMPLE.get(f.type, "")

    def _drive(self, code: str) -> tuple[int, int, int]:
        """(taps before identification, taps after it, typed characters) to the result."""
        eng, sims = self.engine, self.sims()
        item = eng.catalogue.item(code)
        sims["idcard"].remove()  # the last citizen took the card: the reminder goes
        self.wait_until(lambda: not eng.card.left and not eng.card.probing, what="card taken")
        self.frames(2)
        before = self._open(item.name_zh)
        assert eng.state == State.ITEM, (code, eng.state)
        self.tap("开始办理")
        before += 1
        if eng.state == State.IDENTIFY:
            sims["idcard"].insert("mainland")
            self.wait_until(lambda: eng.state != State.IDENTIFY, what=f"{code}: card read")
        if (
            eng.state == State.FACE
        ):  # 人证比对 (its taps: tests/kiosk/ui/test_face.py): taken as passed
            eng.face_passed("FV-TAPS")
            eng.face_continue()
        # the citizen looks at the form first (and the reader reports the card halted meanwhile)
        end = time.monotonic() + 0.4
        while time.monotonic() < end:
            self.frames(1)
            time.sleep(0.02)
        after = typed = 0
        for _ in range(40):
            if eng.state in DONE_STATES:
                break
            if eng.state == State.WORKING:
                self.wait_until(
                    lambda: eng.state != State.WORKING, timeout=10, what=f"{code}: central"
                )
                continue
            if eng.state == State.CONFIRM:
                self.tap(self.app.vm.confirm.confirm_text)
                after += 1
                continue
            assert eng.state == State.FORM, (code, eng.state, eng.session.errors)
            form = self.app.vm.form
            f = next(x for x in eng.form_fields if x.name == form.active)
            if f.type == "choice" and not eng.session.values.get(f.name) and f.required:
                self._tap_widget("OptionChip", form.options[0]["text"])
                after += 1
                continue
            missing = next(
                (
                    x
                    for x in eng.form_fields
                    if x.required and not x.prefill and not eng.session.values.get(x.name)
                ),
                None,
            )
            if missing is not None and missing.type != "choice":
                if missing.name != form.active:
                    self.tap(
                        [
                            r
                            for r in self.visible_widgets()
                            if type(r).__name__ == "FieldRow" and r.name == missing.name
                        ][0]
                    )
                    after += 1
                for ch in self._value_for(missing):
                    # typed data is counted apart (and typed through the view-model: the
                    # keypads themselves are driven by touch in test_flows / test_case_keypad)
                    form.key(ch)
                    typed += 1
                assert eng.session.values.get(missing.name) == self._value_for(missing), (
                    code,
                    eng.session.values.get(missing.name),
                )
                continue
            if missing is not None:  # a choice further down: tap its row
                self.tap(
                    [
                        r
                        for r in self.visible_widgets()
                        if type(r).__name__ == "FieldRow" and r.name == missing.name
                    ][0]
                )
                after += 1
                continue
            self.tap("下一步")
            after += 1
        assert eng.state in DONE_STATES, (code, eng.state, eng.session.errors)
        return before, after, typed

    def test_every_item_meets_the_tap_goal(self) -> None:
        self.start_app()
        eng = self.engine
        rows = []
        for item in eng.catalogue.enabled_items():
            if eng.unavailable_reason(item):
                continue  # (all 17 are served by the demo; kept honest if one is not)
            before, after, typed = self._drive(item.code)
            rows.append((item.code, item.name_zh, item.kind, before, after, typed))
            self.wait_until(lambda: eng.session.print_state != "busy", timeout=10, what="printer")
            eng.end("test")
            self.frames(2)
        print("\n| item | kind | taps to open | taps after identification | typed |")
        for code, name, kind, before, after, typed in rows:
            print(f"| {code} {name} | {kind} | {before} | {after} | {typed} |")
        assert len(rows) == 17
        over = [(c, k, a) for c, _n, k, _b, a, _t in rows if a > GOAL.get(k, GOAL_OTHER)]
        assert over == [], over

"""View-models of confirm → working → result → printing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty

from drivers.printer.table import cells, is_table_row
from kiosk.results import tables
from kiosk.session.receipts import term
from kiosk.typography.linebreak import has_cjk
from kiosk.ui.viewmodels.base import PagedViewModel, ScreenViewModel, masked_value
from kiosk.ui.viewmodels.home import status_key

if TYPE_CHECKING:
    from kiosk.session.engine import SessionEngine

ROWS_PER_PAGE = 8
ROWS_PER_PAGE_ELDERLY = 5
STATUS_WORDS = ("received", "accepted", "in_progress", "completed", "rejected", "queued")


class ConfirmViewModel(ScreenViewModel):
    """What will be sent, masked, for the citizen to check."""

    title = StringProperty("")
    rows = ListProperty()
    confirm_text = StringProperty("")

    def update(self, engine: SessionEngine) -> None:
        """Fill from the validated form."""
        it = engine.item
        if it is None:
            self.wipe()
            return
        self.title = it.name(engine.lang)
        rows = []
        holder = engine.session.holder
        if holder is not None:
            rows.append(
                {"label": self.tr("confirm.holder"), "value": masked_value("name", holder.name)}
            )
        for f in it.fields:
            raw = engine.session.values.get(f.name, "")
            if not raw:
                continue
            if f.type == "choice":
                opt = f.option(raw)
                raw = (opt.en if self.en else opt.zh) if opt else raw
            rows.append(
                {
                    "label": f.label_en if self.en else f.label_zh,
                    "value": masked_value(f.type if f.type in ("id_number", "phone") else "", raw),
                }
            )
        if engine.session.anonymous:
            rows.insert(0, {"label": self.tr("anon.row"), "value": self.tr("anon.yes")})
        order = engine.payment.order if it.kind == "pay" else None
        if order is not None:  # the amount central set, with its breakdown, before paying
            from kiosk.payment.money import format_fen
            from kiosk.ui.viewmodels.payment import breakdown_rows

            rows.append({"label": self.tr("confirm.amount"), "value": format_fen(order.amount_fen)})
            rows += [
                {
                    "label": self.tr("confirm.of_which") if i == 0 else "",
                    "value": f"{r['label']}  {r['value']}",
                }
                for i, r in enumerate(breakdown_rows(order, self.en))
            ]
            rows.append({"label": self.tr("confirm.payee"), "value": order.payee_zh})
        self.rows = rows
        self.confirm_text = self.tr(
            "confirm.pay"
            if it.kind == "pay"
            else "confirm.submit"
            if it.kind in ("apply", "appointment")
            else "confirm.query"
        )

    def confirm(self) -> None:
        """确认."""
        self.engine.confirm()

    def back(self) -> None:
        """返回修改."""
        self.engine.back()


class WorkingViewModel(ScreenViewModel):
    """Waiting for central."""

    message = StringProperty("")
    cancellable = BooleanProperty(False)

    def update(self, engine: SessionEngine) -> None:
        """Fill from the working state."""
        self.message = self.tr("working.message")
        self.cancellable = engine.cancellable

    def cancel(self) -> None:
        """取消 (queries only)."""
        self.engine.cancel_work()


class ResultViewModel(PagedViewModel):
    """A query table (paged), a case number in large digits, or an error."""

    mode = StringProperty("")
    """"table", "case" or "error"."""
    title = StringProperty("")
    columns = ListProperty()
    rows = ListProperty()
    page_text = StringProperty("")
    case_no = StringProperty("")
    provisional = BooleanProperty(False)
    note = StringProperty("")
    error_text = StringProperty("")
    can_print = BooleanProperty(False)
    total_row = ListProperty()
    """Sums of the money columns over all rows (every page shows it); [] when none."""
    per_page = NumericProperty(0)
    """Rows per page the screen holds (set by the screen from its size; 0: the defaults)."""
    print_blocked = StringProperty("")
    """Why 打印凭条 is greyed (printer fault) and what to do instead; "" when it works."""

    def update(self, engine: SessionEngine) -> None:
        """Fill from the outcome."""
        out = engine.session.outcome
        if out is None:
            self.wipe()
            return
        self.can_print = engine.can_print
        printable = not out.error and (out.answer is None or out.answer.printable)
        fault = engine.devices.get("printer", "")
        self.print_blocked = (
            self.tr("result.print_blocked", status=self.tr(status_key(fault)))
            if printable and fault
            else ""
        )
        if out.error:
            self.mode = "error"
            self.title = self.tr("result.error_title")
            self.error_text = self.tr("result.error_" + out.error)
            self.rows, self.columns, self.case_no = [], [], ""
            return
        if out.submitted is not None:
            self.mode = "case"
            self.title = self.tr("result.submitted")
            self.case_no = out.submitted.case_no
            self.provisional = out.submitted.provisional
            self.note = self.tr(
                "result.provisional" if out.submitted.provisional else "result.case_note"
            )
            if getattr(out.submitted, "items", None):  # issue 23: a bundle, each item's answer
                from kiosk.bundle.receipt import result_note

                self.title, self.note = result_note(out.submitted, engine.lang)  # type: ignore[arg-type]
            return
        ans = out.answer
        assert ans is not None
        self.mode = "table"
        self.title = ans.title
        columns = [self._word(c) for c in ans.columns]
        if self.en:
            # central's English when it sent some, else the terminal's own words, else the item
            self.title = ans.title_en or (
                engine.item.name_en if engine.item and has_cjk(ans.title) else ans.title
            )
            if len(ans.columns_en) == len(ans.columns):
                columns = list(ans.columns_en)
        ncols = len(ans.columns)
        money = tables.money_columns(ans.rows, ncols)
        self.columns = tables.with_units(columns, money, self.tr("result.unit_yuan"))
        per = int(self.per_page) or (ROWS_PER_PAGE_ELDERLY if engine.elderly else ROWS_PER_PAGE)
        self.pages = max(1, -(-len(ans.rows) // per))
        self.page = min(self.page, self.pages - 1)
        chunk = ans.rows[self.page * per : (self.page + 1) * per]
        self.rows = [
            {
                "cells": [self._cell(str(c), ans.terms_en) for c in r],
                "header": False,
                "alert": tables.needs_attention(r),
                "total": False,
            }
            for r in chunk
        ]
        total = tables.totals(
            ans.rows, tables.summable(ans.columns, money), ncols, self.tr("result.total")
        )
        self.total_row = total or []
        if not ans.rows:
            self.rows = [
                {
                    "cells": [self.tr("result.no_rows")],
                    "header": False,
                    "alert": False,
                    "total": False,
                }
            ]
        self.page_text = self.tr("common.page", page=self.page + 1, pages=self.pages)
        self.note = self.tr("result.queued") if ans.values.get("queued") else ""

    def fit_rows(self, rows: int) -> None:
        """The screen says how many rows fit; re-page when that changes (size, 长辈模式)."""
        rows = max(3, int(rows))
        if rows != self.per_page:
            self.per_page = rows
            if self.engine.session.outcome is not None and self.mode == "table":
                self.update(self.engine)

    def _word(self, text: str) -> str:
        if text in STATUS_WORDS or text in ("time", "status"):
            return self.tr("case." + text)
        return term(text, "en") if self.en else text

    def _cell(self, text: str, terms_en: Mapping[str, str]) -> str:
        return terms_en.get(text) or self._word(text) if self.en else self._word(text)

    def print_receipt(self) -> None:
        """打印凭条."""
        self.engine.print_receipt()

    def finish(self) -> None:
        """完成 → rating."""
        self.engine.finish()


class PrintingViewModel(ScreenViewModel):
    """Printing, printed, or failed — then the receipt on screen with a QR (never a false "printed")."""

    phase = StringProperty("")
    message = StringProperty("")
    reason_text = StringProperty("")
    case_no = StringProperty("")
    receipt_title = StringProperty("")
    lines = ListProperty()
    qr = StringProperty("")
    where_text = StringProperty("")
    title = StringProperty("")
    number_label = StringProperty("")

    def update(self, engine: SessionEngine) -> None:
        """Fill from the print state."""
        self._update(engine)
        from kiosk.documents import screen

        self.title, self.number_label = self.tr("printing.title"), self.tr("printing.case_no")
        if screen.is_document(engine):  # an A4 certificate: its 核验码 and the service window
            d = screen.texts(engine, self.tr)
            self.title, self.message, self.number_label = (
                d["title"],
                d["message"],
                d["number_label"],
            )
            if engine.session.print_state == "failed":
                self.reason_text, self.case_no, self.where_text = (
                    d["reason"],
                    d["number"],
                    d["where"],
                )
                self.qr = d["qr"]

    def _update(self, engine: SessionEngine) -> None:
        s = engine.session
        self.phase = s.print_state
        self.message = self.tr("printing." + (s.print_state or "busy"))
        if s.print_state != "failed" or s.receipt is None:
            self.reason_text = self.case_no = self.qr = self.receipt_title = ""
            self.lines = []
            return
        self.reason_text = self.tr(
            status_key(s.print_reason) if s.print_reason != "timeout" else "status.timeout"
        )
        out = s.outcome
        self.case_no = out.submitted.case_no if out and out.submitted else s.service_id
        self.receipt_title = s.receipt.title
        self.lines = [
            {"label": a, "value": "  ".join(cells(b)) if is_table_row(a, b) else b}
            for a, b in s.receipt.lines
        ]
        self.qr = s.receipt.qr or self.case_no
        self.where_text = self.tr("printing.where")

    def finish(self) -> None:
        """完成 → rating."""
        self.engine.finish()

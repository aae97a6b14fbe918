"""Staff exports (CSV): cells a spreadsheet would run as a formula are neutralised."""

from __future__ import annotations

import csv
import io

from kiosk import central_api as api

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""A cell starting with one of these is a formula (or becomes one) in Excel, WPS and
LibreOffice (OWASP "CSV injection")."""

CSV_COLUMNS = (
    "rating_id",
    "case_no",
    "item_code",
    "level",
    "gbt39046_code",
    "provincial_code",
    "tags",
    "comment",
    "terminal_id",
    "region_code",
    "channel",
    "gbt39046_channel",
    "rated_at",
    "received_at",
)


def neutralise(cell: object) -> str:
    """The cell as text, with a leading apostrophe when a spreadsheet would evaluate it."""
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(FORMULA_START) else text


def ratings_csv(records: list[api.RatingRecord]) -> str:
    """CSV export: level by name plus both numeric codes, mapped here at the edge."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for r in records:
        w.writerow(
            [
                neutralise(c)
                for c in (
                    r.rating_id,
                    r.case_no,
                    r.item_code,
                    r.level.value,
                    r.level.gbt39046_code,
                    r.level.provincial_code,
                    ";".join(r.tags),
                    r.comment,
                    r.terminal_id,
                    r.region_code,
                    r.channel,
                    api.GBT39046_CHANNEL,
                    r.rated_at.isoformat() if r.rated_at else "",
                    r.received_at.isoformat(),
                )
            ]
        )
    return out.getvalue()

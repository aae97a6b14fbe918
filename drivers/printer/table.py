"""Tables on a receipt: aligned columns when they fit the paper, else one stacked block per row.

A receipt carries a table in its ordinary (label, value) lines so that every layer between the
session and the printer (and the screen that shows a receipt that could not be printed) keeps
working with pairs: a table row is a line with an empty label whose value holds the cells
separated by TAB (`CELL_SEP`); the first row of a run of such lines is the header. A screen may
show the value as is (TAB shows as spaces); the printer lays the run out with `table_lines`.

Widths are printer columns (`encoding.text_width`): in Chinese mode every multi-byte character
takes two columns, including East-Asian-"ambiguous" ones like · ° × — that
`unicodedata.east_asian_width` calls narrow, so the printer's count is the one used here.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence

from drivers.printer.encoding import text_width, wrap

log = logging.getLogger(__name__)

CELL_SEP = "\t"
LABEL_SEP = "："  # full-width colon, as in field lines
#: Spaces between columns of an aligned table.
GAP = 1
#: Indent of the cells under a stacked row's heading.
STACK_INDENT = 2
#: Spaces between "label：value" items packed on one stacked line.
ITEM_GAP = 2
_NUMBER_RE = re.compile(r"^[-+]?[\d,]*\.?\d+%?$")


def table_row(cells: Iterable[object]) -> tuple[str, str]:
    """One receipt line holding a table row (TABs and line breaks inside cells become spaces)."""
    clean = [" ".join(str(c).replace(CELL_SEP, " ").split()) for c in cells]
    if len(clean) < 2:
        clean.append("")  # a one-cell row still needs a separator to read back as a row
    return "", CELL_SEP.join(clean)


def is_table_row(label: str, value: str) -> bool:
    """True if a receipt line is a table row made by `table_row`."""
    return not label and CELL_SEP in value


def cells(value: str) -> list[str]:
    """The cells of a table-row line's value."""
    return value.split(CELL_SEP)


def label_prefix(label: str) -> str:
    """`label` and its separator: full-width colon after Chinese, ": " after an English label."""
    if not label:
        return ""
    return f"{label}: " if label.isascii() else f"{label}{LABEL_SEP}"


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * (width - text_width(text))
    return fill + text if right else text + fill


def aligned_lines(
    header: Sequence[str], rows: Sequence[Sequence[str]], columns: int
) -> list[str] | None:
    """The table as aligned columns (numbers right-aligned), or None if a row would not fit."""
    n = max([len(header)] + [len(r) for r in rows])
    grid = [list(header) + [""] * (n - len(header))] + [list(r) + [""] * (n - len(r)) for r in rows]
    widths = [max(text_width(row[i]) for row in grid) for i in range(n)]
    if sum(widths) + GAP * (n - 1) > columns:
        return None
    numeric = [
        all(_NUMBER_RE.match(row[i]) or not row[i] for row in grid[1:])
        and any(row[i] for row in grid[1:])
        for i in range(n)
    ]
    out = []
    for r, row in enumerate(grid):
        parts = [_pad(cell, widths[i], numeric[i] and r > 0) for i, cell in enumerate(row)]
        out.append((" " * GAP).join(parts).rstrip())
    return out


def stacked_lines(header: Sequence[str], rows: Sequence[Sequence[str]], columns: int) -> list[str]:
    """Each row as its first cell, then "heading：cell" items packed under it (never split)."""
    out: list[str] = []
    room = columns - STACK_INDENT
    for row in rows:
        if not row:
            continue
        out += wrap(row[0], columns)
        items = [
            label_prefix(header[i] if i < len(header) else "") + cell if cell else ""
            for i, cell in enumerate(row[1:], start=1)
        ]
        line = ""
        for item in items:
            if not item:
                continue
            if line and text_width(line) + ITEM_GAP + text_width(item) <= room:
                line += " " * ITEM_GAP + item
                continue
            if line:
                out.append(" " * STACK_INDENT + line)
            if text_width(item) <= room:
                line = item
            else:  # too wide even alone: wrap it (wrap keeps characters and short words whole)
                out += [" " * STACK_INDENT + part for part in wrap(item, room)]
                line = ""
        if line:
            out.append(" " * STACK_INDENT + line)
    return out


def table_lines(header: Sequence[str], rows: Sequence[Sequence[str]], columns: int) -> list[str]:
    """A table for a paper `columns` wide: aligned if every row fits, else stacked per row."""
    aligned = aligned_lines(header, rows, columns)
    if aligned is not None:
        return aligned
    log.debug("receipt table of %d columns does not fit %d: stacked", len(header), columns)
    return stacked_lines(header, rows, columns)

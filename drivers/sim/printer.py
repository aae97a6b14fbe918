"""Simulated ESC/POS receipt printer: parses what it gets into pages, answers DLE EOT, renders PNGs.

`sim://printer?paper=ok|near_end|out&cover=open&offline=1&error=1&silent=1&paper_lines=N
&out_dir=DIR&paper_mm=58|80&chinese=1&status=normal|late|twice|never&late_ms=N&gs_r=0|1`

Status reply faults seen on real clones: `late` answers each DLE EOT after late_ms (default
300 ms), `twice` sends every status byte twice, `never` ignores DLE EOT; `gs_r=0` models a
printer without GS r (no "printed" confirmation).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from pathlib import Path

from drivers.sim.base import Simulator
from drivers.sim.printer_page import (
    CELL_W,
    Feed,
    Page,
    RasterImage,
    Style,
    TextLine,
    TextRun,
    dots_to_lines,
)

log = logging.getLogger(__name__)
STATUS_MODES = ("normal", "late", "twice", "never")

ESC, GS, FS, DLE = 0x1B, 0x1D, 0x1C, 0x10
PAPER_STATES = ("ok", "near_end", "out")
PAPER_DOTS = {58: 384, 80: 576}
_ALIGN = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}
_EC = {48: "L", 49: "M", 50: "Q", 51: "H"}
# ESC/GS/FS commands that take a fixed number of parameter bytes and only change state we ignore.
_ESC_FIXED = {
    ord(c): n
    for c, n in {
        "G": 1,
        "M": 1,
        "2": 0,
        "3": 1,
        "t": 1,
        "V": 1,
        "{": 1,
        "R": 1,
        "r": 1,
        " ": 1,
        "p": 3,
        "=": 1,
        "B": 2,
        "$": 2,
        "\\": 2,
        "U": 1,
        "S": 0,
        "L": 0,
        "T": 1,
        "%": 1,
    }.items()
}
_GS_FIXED = {
    ord(c): n
    for c, n in {
        "L": 2,
        "W": 2,
        "H": 1,
        "h": 1,
        "w": 1,
        "f": 1,
        "a": 1,
        "I": 1,
        "/": 1,
        "P": 2,
        "$": 2,
        "\\": 2,
        "b": 1,
        "^": 3,
        ":": 0,
    }.items()
}
_FS_FIXED = {ord(c): n for c, n in {"!": 1, "-": 1, "S": 2, "W": 1, "C": 1, "p": 2}.items()}


class PrinterSimulator(Simulator):
    """An ESC/POS thermal printer with programmable paper, cover and link faults."""

    kind = "printer"
    _style: Style

    def __init__(
        self,
        *,
        paper: str = "ok",
        cover_open: bool = False,
        offline: bool = False,
        error: bool = False,
        silent: bool = False,
        paper_lines: int | None = None,
        out_dir: str | Path | None = None,
        paper_mm: int = 80,
        chinese_default: bool = False,
    ) -> None:
        super().__init__()
        if paper not in PAPER_STATES:
            raise ValueError(f"paper must be one of {', '.join(PAPER_STATES)}, got {paper!r}")
        if paper_mm not in PAPER_DOTS:
            raise ValueError(f"paper_mm must be 58 or 80, got {paper_mm}")
        if paper_lines is not None and paper_lines < 0:
            raise ValueError("paper_lines must be >= 0")
        self.paper = paper
        self.cover_open = cover_open
        self.offline = offline
        self.error = error
        self.silent = silent
        self.answers_gs_r = True  # False models printers without GS r (no print confirmation)
        self.status_mode = "normal"
        """normal, late (after late_s), twice (each status byte sent twice) or never."""
        self.late_s = 0.3
        self.paper_lines = paper_lines
        self.out_dir = Path(out_dir) if out_dir else None
        self.paper_mm = paper_mm
        self.chinese_default = chinese_default
        self.pages: list[Page] = []
        self.received = bytearray()
        self.unknown: list[bytes] = []
        self.lines_printed = 0
        self.status_queries = 0
        self._cond = threading.Condition()
        self._buf = bytearray()
        self._page = self._new_page()
        self._reset()

    @classmethod
    def from_options(cls, options: Mapping[str, str]) -> PrinterSimulator:
        """Build from `sim://printer?…` options (see the module docstring)."""
        known = {
            "paper",
            "cover",
            "offline",
            "error",
            "silent",
            "paper_lines",
            "out_dir",
            "paper_mm",
            "chinese",
            "status",
            "late_ms",
            "gs_r",
        }
        extra = set(options) - known
        if extra:
            raise ValueError(
                f"unknown option(s) {', '.join(sorted(extra))}; known: {', '.join(sorted(known))}"
            )

        def flag(name: str) -> bool:
            value = options.get(name, "0").lower()
            if value not in ("0", "1", "true", "false", "yes", "no", ""):
                raise ValueError(f"{name} must be 0 or 1, got {value!r}")
            return value in ("1", "true", "yes", "")

        cover = options.get("cover", "closed")
        if cover not in ("open", "closed"):
            raise ValueError(f"cover must be open or closed, got {cover!r}")
        try:
            lines = int(options["paper_lines"]) if "paper_lines" in options else None
            paper_mm = int(options.get("paper_mm", "80"))
        except ValueError as exc:
            raise ValueError(f"not a number: {exc}") from None
        mode = options.get("status", "normal")
        if mode not in STATUS_MODES:
            raise ValueError(f"status must be one of {', '.join(STATUS_MODES)}, got {mode!r}")
        try:
            late_ms = int(options.get("late_ms", "300"))
        except ValueError:
            raise ValueError(f"late_ms must be a number, got {options['late_ms']!r}") from None
        sim = cls(
            paper=options.get("paper", "ok"),
            cover_open=cover == "open",
            offline=flag("offline") if "offline" in options else False,
            error=flag("error") if "error" in options else False,
            silent=flag("silent") if "silent" in options else False,
            paper_lines=lines,
            out_dir=options.get("out_dir") or None,
            paper_mm=paper_mm,
            chinese_default=flag("chinese") if "chinese" in options else False,
        )
        sim.status_mode, sim.late_s = mode, late_ms / 1000
        sim.answers_gs_r = flag("gs_r") if "gs_r" in options else True
        return sim

    # -- state ------------------------------------------------------------------------------
    @property
    def paper_dots(self) -> int:
        """Printable width in dots."""
        return PAPER_DOTS[self.paper_mm]

    @property
    def columns(self) -> int:
        """Characters per line in font A."""
        return self.paper_dots // CELL_W

    @property
    def can_print(self) -> bool:
        """True if paper comes out (paper present, cover closed, online, no error)."""
        return self.paper != "out" and not (self.cover_open or self.offline or self.error)

    def status_byte(self, n: int) -> int:
        """The reply to DLE EOT n for the current state."""
        value = 0x12
        if n == 1 and not self.can_print:
            value |= 0x08
        elif n == 2:
            value |= (0x04 if self.cover_open else 0) | (0x20 if self.paper == "out" else 0)
            value |= 0x40 if self.error else 0
        elif n == 4:
            value |= {"ok": 0, "near_end": 0x0C, "out": 0x6C}[self.paper]
        return value

    def wait_for_pages(self, count: int, timeout: float = 5.0) -> list[Page]:
        """Block until `count` pages are finished (or timeout); return the pages."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.pages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            return list(self.pages)

    def flush(self) -> Page | None:
        """Finish the current page without a cut (tear-off printers); None if it is empty."""
        with self._cond:
            return self._finish_page(None)

    # -- wire -------------------------------------------------------------------------------
    def on_data(self, data: bytes) -> None:
        with self._cond:
            self.received += data
            self._buf += data
            while self._buf:
                used = self._step(self._buf)
                if used == 0:
                    break
                del self._buf[:used]

    def _reply(self, data: bytes) -> None:
        if self.silent:
            return
        self.send(data)

    def _status_reply(self, data: bytes) -> None:
        """DLE EOT answers, with the configured reply fault."""
        if self.status_mode == "never":
            return
        if self.status_mode == "twice":
            self._reply(data + data)
        elif self.status_mode == "late":
            timer = threading.Timer(self.late_s, self._reply, (data,))
            timer.daemon = True
            timer.start()
        else:
            self._reply(data)

    def _step(self, b: bytearray) -> int:
        """Consume one command or text byte from `b`; 0 if it is incomplete."""
        c = b[0]
        if c == DLE:
            return self._dle(b)
        if c == ESC:
            return self._esc(b)
        if c == GS:
            return self._gs(b)
        if c == FS:
            return self._fs(b)
        if c == 0x0A:
            self._end_line()
            return 1
        if c == 0x0C:
            self._end_line(force=False)
            return 1
        if c == 0x09:
            pad = 8 - (self._line_columns() % 8)
            self._text(b" " * pad)
            return 1
        if c < 0x20 or c == 0x7F:
            return 1  # CR and other control bytes: nothing printed
        end = 1
        while end < len(b) and (b[end] >= 0x20 and b[end] != 0x7F):
            end += 1
        self._text(bytes(b[:end]))
        return end

    def _dle(self, b: bytearray) -> int:
        if len(b) < 3:
            return 0
        if b[1] == 0x04:
            self.status_queries += 1
            if 1 <= b[2] <= 4:
                self._status_reply(bytes((self.status_byte(b[2]),)))
            return 3
        if b[1] == 0x05:
            return 3
        if b[1] == 0x14:
            return 5 if len(b) >= 5 else 0
        self.unknown.append(bytes(b[:2]))
        return 2

    def _esc(self, b: bytearray) -> int:
        if len(b) < 2:
            return 0
        cmd = b[1]
        if cmd == ord("@"):
            self._end_line(force=False)
            self._reset()
            return 2
        need = {
            ord("E"): 1,
            ord("-"): 1,
            ord("a"): 1,
            ord("!"): 1,
            ord("d"): 1,
            ord("J"): 1,
            ord("*"): 3,
            ord("c"): 2,
            ord("D"): 0,
        }
        if cmd in need:
            if len(b) < 2 + need[cmd]:
                return 0
            n = b[2] if need[cmd] else 0
            if cmd == ord("E"):
                self._style = _replace(self._style, bold=bool(n & 1))
            elif cmd == ord("-"):
                self._style = _replace(self._style, underline=bool(n & 3))
            elif cmd == ord("a"):
                self._align = _ALIGN.get(n, "left")
            elif cmd == ord("!"):
                self._style = Style(
                    bool(n & 0x08), bool(n & 0x80), 2 if n & 0x20 else 1, 2 if n & 0x10 else 1
                )
            elif cmd == ord("d"):
                self._end_line(force=False)
                self._feed(n * 30)
            elif cmd == ord("J"):
                self._end_line(force=False)
                self._feed(n)
            elif cmd == ord("*"):
                width = b[3] | (b[4] << 8)
                size = width * (3 if b[2] in (32, 33) else 1)
                if len(b) < 5 + size:
                    return 0
                return 5 + size  # column images are accepted but not rendered
            elif cmd == ord("c"):
                return 4 if len(b) >= 4 else 0
            elif cmd == ord("D"):
                end = b.find(b"\x00", 2)
                return end + 1 if end >= 0 else 0
            return 2 + need[cmd]
        if cmd in _ESC_FIXED:
            return 2 + _ESC_FIXED[cmd] if len(b) >= 2 + _ESC_FIXED[cmd] else 0
        self.unknown.append(bytes(b[:2]))
        return 2

    def _gs(self, b: bytearray) -> int:
        if len(b) < 2:
            return 0
        cmd = b[1]
        if cmd == ord("!"):
            if len(b) < 3:
                return 0
            self._style = _replace(self._style, width=(b[2] >> 4) + 1, height=(b[2] & 0x0F) + 1)
            return 3
        if cmd == ord("B"):
            return 3 if len(b) >= 3 else 0
        if cmd == ord("V"):
            if len(b) < 3:
                return 0
            m = b[2]
            if m in (65, 66, 97, 98, 103, 104):
                if len(b) < 4:
                    return 0
                self._end_line(force=False)
                self._feed(b[3])
                self._cut("full" if m in (65, 97, 103) else "partial")
                return 4
            self._end_line(force=False)
            self._cut("full" if m in (0, 48) else "partial")
            return 3
        if cmd == ord("r"):
            if len(b) < 3:
                return 0
            # Executed in order: a printer stopped by paper end / cover never gets here.
            if b[2] in (1, 49) and self.can_print and self.answers_gs_r:
                self._reply(
                    bytes(
                        (
                            (0x03 if self.paper == "near_end" else 0)
                            | (0x0C if self.paper == "out" else 0),
                        )
                    )
                )
            return 3
        if cmd == ord("("):
            if len(b) < 5:
                return 0
            size = b[3] | (b[4] << 8)
            if len(b) < 5 + size:
                return 0
            if b[2] == ord("k"):
                self._two_d(bytes(b[5 : 5 + size]))
            return 5 + size
        if cmd == ord("v"):
            if len(b) < 8:
                return 0
            xb = b[4] | (b[5] << 8)
            yh = b[6] | (b[7] << 8)
            if len(b) < 8 + xb * yh:
                return 0
            self._end_line(force=False)
            self._print(RasterImage(xb, yh, bytes(b[8 : 8 + xb * yh]), self._align), dots=yh)
            return 8 + xb * yh
        if cmd == ord("k"):
            if len(b) < 3:
                return 0
            if b[2] <= 6:
                end = b.find(b"\x00", 3)
                return end + 1 if end >= 0 else 0
            if len(b) < 4 or len(b) < 4 + b[3]:
                return 0
            return 4 + b[3]
        if cmd == ord("*"):
            if len(b) < 4:
                return 0
            size = b[2] * b[3] * 8
            return 4 + size if len(b) >= 4 + size else 0
        if cmd in _GS_FIXED:
            return 2 + _GS_FIXED[cmd] if len(b) >= 2 + _GS_FIXED[cmd] else 0
        self.unknown.append(bytes(b[:2]))
        return 2

    def _fs(self, b: bytearray) -> int:
        if len(b) < 2:
            return 0
        if b[1] == ord("&"):
            self._chinese = True
            return 2
        if b[1] == ord("."):
            self._chinese = False
            return 2
        if b[1] in _FS_FIXED:
            return 2 + _FS_FIXED[b[1]] if len(b) >= 2 + _FS_FIXED[b[1]] else 0
        self.unknown.append(bytes(b[:2]))
        return 2

    def _two_d(self, body: bytes) -> None:
        """GS ( k body: cn fn [m] data."""
        if len(body) < 2 or body[0] != ord("1"):
            return  # only QR (cn = 49) is modelled
        fn, rest = body[1], body[2:]
        if fn == ord("C") and rest:
            self._qr_module = rest[0]
        elif fn == ord("E") and rest:
            self._qr_ec = _EC.get(rest[0], "L")
        elif fn == ord("P") and rest:
            self._qr_data = bytes(rest[1:])
        elif fn == ord("Q"):
            self._end_line(force=False)
            if self._qr_data:
                from drivers.sim.printer_page import QrCode as _Qr

                qr = _Qr(self._qr_data, self._qr_module, self._qr_ec, self._align)
                self._print(qr, dots=qr.image().height)

    # -- page model -------------------------------------------------------------------------
    def _new_page(self) -> Page:
        return Page(PAPER_DOTS[self.paper_mm])

    def _reset(self) -> None:
        self._style = Style()
        self._align = "left"
        self._chinese = self.chinese_default
        self._runs: list[tuple[bytes, Style, bool]] = []
        self._qr_module = 3
        self._qr_ec = "L"
        self._qr_data = b""

    def _text(self, data: bytes) -> None:
        if self._runs and self._runs[-1][1] == self._style and self._runs[-1][2] == self._chinese:
            prev = self._runs[-1]
            self._runs[-1] = (prev[0] + data, prev[1], prev[2])
        else:
            self._runs.append((data, self._style, self._chinese))

    def _line_columns(self) -> int:
        return sum(len(d) * s.width for d, s, _ in self._runs)

    def _end_line(self, force: bool = True) -> None:
        """Print the line buffer (LF prints an empty line too; other commands only flush text)."""
        if not self._runs:
            if force:
                self._print(TextLine([], self._align), lines=1)
            return
        runs = [
            TextRun(d.decode("gb18030" if zh else "cp437", errors="replace"), s)
            for d, s, zh in self._runs
        ]
        self._runs = []
        for line in self._auto_wrap(runs):
            self._print(line, lines=line.height_lines)

    def _auto_wrap(self, runs: list[TextRun]) -> list[TextLine]:
        """Split a line that is wider than the paper, the way the printer does."""
        lines: list[TextLine] = [TextLine([], self._align)]
        used = 0
        for run in runs:
            current = ""
            for ch in run.text:
                w = (1 if ch < "\x80" else 2) * run.style.width
                if used + w > self.columns:
                    if current:
                        lines[-1].runs.append(TextRun(current, run.style))
                    lines.append(TextLine([], self._align))
                    self._page.wrapped += 1
                    current, used = "", 0
                current += ch
                used += w
            if current:
                lines[-1].runs.append(TextRun(current, run.style))
        return lines

    def _feed(self, dots: int) -> None:
        if dots:
            self._print(Feed(dots), dots=dots)

    def _print(self, element: object, lines: int | None = None, dots: int = 0) -> None:
        if not self.can_print:
            return
        need = lines if lines is not None else dots_to_lines(dots)
        if self.paper_lines is not None and self.lines_printed + need > self.paper_lines:
            log.info("simulated printer: paper ran out after %d lines", self.lines_printed)
            self.paper = "out"
            self._page.truncated = True
            return
        self.lines_printed += need
        self._page.elements.append(element)  # type: ignore[arg-type]

    def _cut(self, mode: str) -> None:
        if self.cover_open or self.offline or self.error:
            return
        self._finish_page(mode)

    def _finish_page(self, cut: str | None) -> Page | None:
        page = self._page
        if not page.elements and not page.truncated:
            return None
        page.cut = cut
        self._page = self._new_page()
        if self.out_dir is not None:
            page.save_png(self.out_dir / f"page-{len(self.pages) + 1:04d}.png")
            log.info("simulated printer: page written to %s", page.png)
        self.pages.append(page)
        self._cond.notify_all()
        return page


def _replace(style: Style, **changes: object) -> Style:
    from dataclasses import replace

    return replace(style, **changes)  # type: ignore[arg-type]

"""A4 printer URLs: ipp://host[:port]/printers/NAME, cups://QUEUE[?server=…], sim://a4printer."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

from drivers.a4printer.errors import BadPrinterUrl

QUEUE_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,126}")
"""CUPS queue names: printable, no space, slash or '#' (we keep to the safe subset)."""


@dataclass(frozen=True)
class A4Url:
    """A parsed A4 printer URL."""

    scheme: str
    """"ipp", "cups" or "sim"."""
    queue: str
    server: str | None = None
    """cupsd host or unix socket path (None: the CUPS default)."""
    port: int | None = None
    options: dict[str, str] = field(default_factory=dict)


def parse_url(url: str) -> A4Url:
    """Parse and check an A4 printer URL (BadPrinterUrl with what is wrong)."""
    if not isinstance(url, str) or not url.strip():
        raise BadPrinterUrl("no A4 printer URL")
    parts = urlsplit(url.strip())
    opts = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    scheme = parts.scheme.lower()
    if scheme == "sim":
        if parts.netloc != "a4printer":
            raise BadPrinterUrl(f"{url!r}: the simulator is sim://a4printer")
        return A4Url("sim", "sim", options=opts)
    if scheme in ("ipp", "http"):
        path = unquote(parts.path)
        m = re.fullmatch(r"/printers/(.+)", path)
        if not parts.hostname or not m or not QUEUE_RE.fullmatch(m.group(1)):
            raise BadPrinterUrl(f"{url!r}: expected ipp://host[:port]/printers/NAME")
        try:
            ipp_port = parts.port or 631
        except ValueError:
            raise BadPrinterUrl(f"{url!r}: bad port") from None
        return A4Url("ipp", m.group(1), parts.hostname, ipp_port, opts)
    if scheme == "cups":
        queue = unquote(parts.netloc + parts.path).strip("/")
        if not QUEUE_RE.fullmatch(queue):
            raise BadPrinterUrl(f"{url!r}: expected cups://QUEUE (letters, digits, _ . -)")
        server = opts.get("server") or None
        port: int | None = None
        if server and not server.startswith("/") and ":" in server:
            host, _, p = server.rpartition(":")
            if not p.isdigit():
                raise BadPrinterUrl(f"{url!r}: server must be /path/to/socket or host[:port]")
            server, port = host, int(p)
        return A4Url("cups", queue, server, port, opts)
    raise BadPrinterUrl(
        f"{url!r}: A4 printers are ipp://host/printers/NAME, cups://QUEUE or sim://a4printer"
    )

"""Scanner payloads: line splitting and UTF-8 / GBK auto-detection."""

from __future__ import annotations

from drivers.scanner.errors import ScannerConfigError

TERMINATORS = {"CR": b"\r", "LF": b"\n", "CRLF": b"\r\n"}


def terminator_bytes(name: str) -> bytes:
    """CR / LF / CRLF → the bytes."""
    try:
        return TERMINATORS[name.upper()]
    except KeyError:
        raise ScannerConfigError(f"terminator must be CR, LF or CRLF, got {name!r}") from None


def decode_payload(raw: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 if the bytes are valid UTF-8, else GB18030 (a GBK superset), else Latin-1."""
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "gbk"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"


def clean_packet(packet: bytes) -> bytes:
    """Strip stray CR/LF left by a scanner that sends CRLF while we split on CR or LF."""
    return packet.strip(b"\r\n")

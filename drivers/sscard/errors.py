"""Errors of the 社保卡 (social security card) driver; the root subclasses DriverError."""

from __future__ import annotations

from drivers.errors import DriverError


class SSCardError(DriverError):
    """Base class of every error the 社保卡 driver raises on purpose."""


class ServiceError(SSCardError):
    """The PC/SC service (pcscd) cannot be reached, or pyscard is missing."""


class NoReaderError(SSCardError):
    """No PC/SC reader matches the configured URL (unplugged, or never there)."""


class NoCardError(SSCardError):
    """The reader is there but holds no card."""


class MuteCardError(SSCardError):
    """A card is in the reader but gives no usable answer (no ATR, no reply, garbage)."""


class CardRemovedError(MuteCardError):
    """The card left the reader in the middle of a read (pulled out too early)."""


class UnknownCardError(SSCardError):
    """The card answers but has no 社会保障 application (a bank card, a SIM, a 6A82 on select)."""


class PinRequiredError(SSCardError):
    """The card keeps the holder's data behind the PIN (status 6982, security not satisfied)."""


class CardDataError(SSCardError):
    """A record came back but cannot be decoded (wrong tag, length or encoding)."""


class StatusError(SSCardError):
    """The card answered a command with an unexpected status word."""

    def __init__(self, sw: int, command: str = "") -> None:
        from drivers.sscard.apdu import sw_text

        self.sw = sw
        self.command = command
        where = f" on {command}" if command else ""
        super().__init__(f"status {sw:04X} ({sw_text(sw)}){where}")

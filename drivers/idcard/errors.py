"""Errors of the ID card reader driver; the root subclasses drivers.errors.DriverError."""

from __future__ import annotations

from drivers.errors import DriverError


class IdCardError(DriverError):
    """Base class of every error the ID card driver raises on purpose."""


class ProtocolError(IdCardError):
    """A frame could not be encoded or decoded."""


class FrameError(ProtocolError):
    """The bytes are not one well-formed frame (preamble, length, trailing bytes)."""


class ChecksumError(ProtocolError):
    """The frame's XOR checksum does not match its length bytes and body."""


class LengthError(ProtocolError):
    """The frame's length field is impossible (too short, too long or inconsistent)."""


class CardDataError(IdCardError):
    """The card's text block cannot be decoded into an IdCard."""


class CardReadFailed(CardDataError):
    """A card is on the reader and answers find and select, but every read fails (SW3 0x41):
    a damaged chip or a card held at the edge of the field, not an absent card."""


class ReaderError(IdCardError):
    """The reader device did not do what was asked."""


class NoReplyError(ReaderError):
    """The reader sent no (valid) answer within the timeout, after the allowed retries."""


class SamError(ReaderError):
    """The reader's SAM answered with a fault status (SW3), e.g. 0x60 self-test failed."""

    def __init__(self, sw3: int, command: str = "") -> None:
        from drivers.idcard.protocol import status_text

        self.sw3 = sw3
        self.command = command
        where = f" on {command}" if command else ""
        super().__init__(f"SAM fault 0x{sw3:02X} ({status_text(sw3)}){where}")


class PortError(ReaderError):
    """The serial port could not be opened or vanished (unplugged)."""

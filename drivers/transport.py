"""Device URL → open connection (pyserial URLs, plain device paths and `sim://` simulators)."""

from __future__ import annotations

import logging

import serial

from drivers.errors import TransportError

log = logging.getLogger(__name__)

_SIM_HANDLERS = "drivers.sim.urlhandler"
if _SIM_HANDLERS not in serial.protocol_handler_packages:
    # pyserial looks up `<package>.protocol_<scheme>` for every `scheme://` URL it is given.
    serial.protocol_handler_packages.append(_SIM_HANDLERS)

BAUDRATES = (9600, 19200, 38400, 57600, 115200)


def open_serial(
    url: str,
    *,
    baudrate: int = 115200,
    timeout: float | None = 0.2,
    write_timeout: float | None = 2.0,
) -> serial.SerialBase:
    """Open a serial device by path or pyserial URL (`/dev/ttyUSB0`, `hwgrep://…`, `sim://idcard`)."""
    try:
        port = serial.serial_for_url(
            url, baudrate=baudrate, timeout=timeout, write_timeout=write_timeout
        )
    except (serial.SerialException, OSError, ValueError) as exc:
        raise TransportError(f"cannot open {url}: {exc}") from exc
    log.info("opened %s at %d baud", url, baudrate)
    return port

"""Simulated devices that speak the real wire protocol over a pty or a TCP socket.

`sim://KIND?option=value` in a device URL starts the simulator KIND behind a pty and opens
its other end, so the driver code is exactly the one used with the real device.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from drivers.sim.base import Simulator

# kind → "module:attribute" of a factory taking the URL's query options (str → str).
FACTORIES: dict[str, str] = {
    "idcard": "drivers.sim.idcard:IdCardSimulator.from_options",
    "printer": "drivers.sim.printer:PrinterSimulator.from_options",
    "scanner": "drivers.sim.scanner:ScannerSimulator.from_options",
}

# The most recently started simulator of each kind (the demo dock drives these).
running: dict[str, Simulator] = {}


def factory_for(kind: str) -> Callable[[Mapping[str, str]], Simulator]:
    """Return the factory of simulator KIND, or raise KeyError naming the known kinds."""
    try:
        target = FACTORIES[kind]
    except KeyError:
        raise KeyError(
            f"unknown simulator {kind!r}; known: {', '.join(sorted(FACTORIES))}"
        ) from None
    module_name, _, attr = target.partition(":")
    obj: object = importlib.import_module(module_name)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj  # type: ignore[return-value]

"""Which identifications an item accepts, and which of them work right now.

An item's `auth` lists its methods (kiosk.catalogue.model.AUTHS). The identify screen offers
exactly the ones whose device works (an app code also needs central, which checks it); the
item stays servable while at least one does. Face is a step after a card or code.
"""

from __future__ import annotations

from collections.abc import Mapping

from kiosk.catalogue.model import METHOD_DEVICES, Item

#: How a CardHolder was identified → the catalogue's method name.
METHOD_OF_HOLDER = {"id_card": "id_card", "sscard": "sscard", "app_code": "app_code"}


def working_methods(item: Item, devices: Mapping[str, str], online: bool) -> tuple[str, ...]:
    """The item's cards and codes whose device is fine now (app codes: and central reachable)."""
    out = []
    for m in item.identify_methods:
        if devices.get(METHOD_DEVICES[m]):
            continue
        if m == "app_code" and not online:
            continue
        out.append(m)
    return tuple(out)


def identity_devices(item: Item) -> set[str]:
    """Devices the item lists only because an identification needs them."""
    return {METHOD_DEVICES[m] for m in item.identify_methods}


def unavailable(item: Item, devices: Mapping[str, str], online: bool, face_ready: bool) -> str:
    """ "" when the item's identification can happen now, else `device:X` / `offline`."""
    if not item.needs_identity:
        return ""
    if item.needs_face and (devices.get("camera") or not face_ready):
        return "device:camera"
    if working_methods(item, devices, online):
        return ""
    first = item.identify_methods[0] if item.identify_methods else "id_card"
    if item.identify_methods == ("app_code",) and not devices.get("scanner"):
        return "offline"
    return f"device:{METHOD_DEVICES[first]}"

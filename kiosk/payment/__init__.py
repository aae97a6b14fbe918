"""Payments of `pay` items: orders from central, paid by QR or 付款码, never queued offline."""

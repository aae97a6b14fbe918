"""Knowing within seconds that central became unreachable (or reachable again)."""

from kiosk.netwatch.probe import PROBE_INTERVAL_S, ReachabilityProbe

__all__ = ["PROBE_INTERVAL_S", "ReachabilityProbe"]

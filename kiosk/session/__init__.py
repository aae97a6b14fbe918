"""One citizen session as an explicit state machine (no widgets): states, ports, engine, rating."""

from __future__ import annotations

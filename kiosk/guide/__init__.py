"""Guidance: 一件事一次办 bundles, the 我要办什么 tree, 办事指南 with flow charts, the policy library."""

from __future__ import annotations

from kiosk.guide.model import Bundle, Guidance, Guide, GuideTree, Policy

__all__ = ["Bundle", "Guidance", "Guide", "GuideTree", "Policy"]

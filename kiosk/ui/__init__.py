"""Kivy screens (layout in assets/kv/) and their view-models (plain Python, testable without a window)."""

"""Package data, installed as `kiosk.assets`: kv layouts, i18n texts, seals, sounds, icons.

Read through `kiosk.resources`, never by a path computed from a module's location.
"""

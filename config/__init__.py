"""Package data, installed as `kiosk.defaults`: the demo terminal.toml, default catalogue, demo keys.

Read through `kiosk.resources`, never by a path computed from a module's location.
"""

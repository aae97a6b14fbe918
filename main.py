"""python main.py [--config PATH] …  ==  kiosk run …"""

from __future__ import annotations

import sys

from kiosk.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", *sys.argv[1:]]))

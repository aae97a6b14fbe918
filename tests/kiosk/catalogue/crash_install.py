"""Helper run as a subprocess by the crash tests: install a bundle and die at a chosen step.

usage: python crash_install.py STORE_DIR BUNDLE PUBLIC_KEY STEP {sigkill|exit}
The store calls its step hook at each point of the install; at STEP this process kills itself
(SIGKILL: no cleanup, no flush — like a power cut for the process) or calls os._exit(3).
"""

from __future__ import annotations

import os
import signal
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from kiosk.catalogue import store
from kiosk.catalogue.signing import load_public_key


def main() -> None:
    """Run the install with the hook set."""
    directory, bundle, pub, target, mode = sys.argv[1:6]

    def hook(step: str) -> None:
        if step == target:
            sys.stdout.write("dying\n")
            sys.stdout.flush()
            if mode == "sigkill":
                os.kill(os.getpid(), signal.SIGKILL)
            os._exit(3)

    store._STEP_HOOK = hook
    now = datetime(2026, 11, 25, 12, 0, tzinfo=timezone(timedelta(hours=8)))
    store.CatalogueStore(directory).install(
        Path(bundle).read_bytes(), {"test": load_public_key(pub)}, now=now
    )
    print("installed")


if __name__ == "__main__":
    main()

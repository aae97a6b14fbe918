"""The data directory is private to the kiosk user: directories 0700, files 0600.

`kiosk run` sets umask 077 (so every file it creates later is private too) and tightens what a
loose umask or an older version left behind; doctor lists whatever is still readable by others.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

UMASK = 0o077
DIR_MODE = 0o700
FILE_MODE = 0o600
MAX_LISTED = 5


def _walk(root: Path) -> list[tuple[Path, bool]]:
    out: list[tuple[Path, bool]] = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        base = Path(folder)
        out += [(base / d, True) for d in dirs]
        out += [(base / f, False) for f in files]
    return out


def secure_data_dir(root: Path) -> int:
    """Create `root` 0700 if missing and make every dir in it 0700, every file 0600; returns how
    many modes were changed (symlinks are left alone)."""
    root.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    changed = 0
    for path, is_dir in [(root, True), *_walk(root)]:
        want = DIR_MODE if is_dir else FILE_MODE
        try:
            st = path.lstat()
            if path.is_symlink() or st.st_mode & 0o7777 & ~want == 0:
                continue
            os.chmod(path, st.st_mode & 0o7777 & want)
            changed += 1
        except FileNotFoundError:
            continue  # e.g. a -shm file removed as we walked
        except OSError as exc:
            log.warning("cannot tighten %s: %s", path, exc.strerror or exc)
    if changed:
        log.info("data dir %s: %d file mode(s) tightened to 0700/0600", root, changed)
    return changed


def loose_paths(root: Path) -> list[tuple[Path, int]]:
    """Paths under `root` (itself included) readable, writable or searchable by group/others."""
    if not root.exists():
        return []
    found = []
    for path, _is_dir in [(root, True), *_walk(root)]:
        try:
            st = path.lstat()
        except FileNotFoundError:
            continue
        if not path.is_symlink() and st.st_mode & 0o077:
            found.append((path, st.st_mode & 0o7777))
    return found

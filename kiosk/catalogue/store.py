"""On-disk catalogue store: the active bundle and the last good one, swapped atomically."""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kiosk.catalogue.errors import CatalogueError, NotNewer, StoreError
from kiosk.catalogue.floor import VersionFloor
from kiosk.catalogue.model import Catalogue
from kiosk.catalogue.schema import build_catalogue
from kiosk.catalogue.signing import canonical_json, check_signatures, parse_bundle, verify_bundle

log = logging.getLogger(__name__)

ACTIVE = "active.json"
LAST_GOOD = "last-good.json"
LOCK = ".lock"
TMP_SUFFIX = ".tmp"

# Test seam: called with the name of each install step (last_good_tmp_half, last_good_tmp_written,
# last_good_tmp_synced, last_good_renamed, last_good_saved, tmp_written, tmp_synced, renamed,
# tmp_half, done); the crash tests kill the process from here.
_STEP_HOOK: Callable[[str], None] | None = None


def _step(name: str) -> None:
    if _STEP_HOOK is not None:
        _STEP_HOOK(name)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _write_durable(directory: Path, name: str, data: bytes, *, steps: str) -> None:
    """Write `data` to directory/name through a temp file: write, fsync, rename, fsync dir."""
    tmp = directory / f".{name}.{os.getpid()}{TMP_SUFFIX}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        half = len(data) // 2
        _write_all(fd, data[:half])
        _step(f"{steps}tmp_half")  # a kill here leaves a torn temp file behind
        _write_all(fd, data[half:])
        _step(f"{steps}tmp_written")
        os.fsync(fd)
    finally:
        os.close(fd)
    _step(f"{steps}tmp_synced")
    os.replace(tmp, directory / name)
    _step(f"{steps}renamed")
    _fsync_dir(directory)


class CatalogueStore:
    """A directory holding active.json and last-good.json; install() never leaves it half-done."""

    def __init__(
        self,
        directory: str | Path,
        trusted: Mapping[str, Ed25519PublicKey] | None = None,
        *,
        floor: VersionFloor | None = None,
    ) -> None:
        """`trusted`: when given, active() re-checks the stored signature (tamper on disk).
        `floor`: where the anti-rollback floor lives besides the two files (default DIR.floor)."""
        self.directory = Path(directory)
        self.trusted = trusted
        self.floor = floor or VersionFloor.for_store(self.directory)
        self._cache: tuple[tuple[int, int, int], Catalogue] | None = None
        self.problem = ""
        """Why active() found no usable catalogue although one was installed ("" if fine)."""

    # --- reading -----------------------------------------------------------------------------

    def _load(self, name: str) -> Catalogue | None:
        path = self.directory / name
        try:
            st = path.stat()
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StoreError(f"cannot read {path}: {exc.strerror or exc}") from None
        stamp = (st.st_ino, st.st_size, st.st_mtime_ns)
        if name == ACTIVE and self._cache and self._cache[0] == stamp:
            return self._cache[1]
        bundle = parse_bundle(data)
        message = canonical_json(bundle["catalogue"])
        key_id = (
            check_signatures(bundle, self.trusted, message=message)
            if self.trusted is not None
            else ""
        )
        digest = hashlib.sha256(message).hexdigest()
        catalogue = build_catalogue(bundle["catalogue"], digest=digest, key_id=key_id)
        if name == ACTIVE:
            self._cache = (stamp, catalogue)
        return catalogue

    def _load_or_none(self, name: str) -> Catalogue | None:
        try:
            return self._load(name)
        except StoreError:
            raise
        except CatalogueError as exc:
            log.error(
                "catalogue store %s: %s is unusable (%s: %s)",
                self.directory,
                name,
                type(exc).__name__,
                exc,
            )
            return None

    def active(self) -> Catalogue | None:
        """The active catalogue; the last good one if the active file is damaged — but never one
        below the anti-rollback floor (then None, with the reason in `problem`)."""
        floor = self.floor.get().version
        self.problem = ""
        catalogue = self._load_or_none(ACTIVE)
        if catalogue is not None and catalogue.version >= floor:
            return catalogue
        if catalogue is not None:
            self.problem = (
                f"active.json holds v{catalogue.version}, below v{floor} already "
                f"installed here (rollback)"
            )
        elif (self.directory / ACTIVE).exists():
            self.problem = "active.json is damaged"
        elif floor:
            self.problem = f"the store is empty but v{floor} was installed here"
        else:
            return None  # a store that never held a catalogue
        last = self._load_or_none(LAST_GOOD)
        if last is not None and last.version >= floor:
            log.warning(
                "catalogue store %s: %s; using last-good version %s",
                self.directory,
                self.problem,
                last.version,
            )
            self.problem = ""
            return last
        if last is not None:
            self.problem += f"; last-good v{last.version} is below it too"
        log.error(
            "catalogue store %s: %s: no catalogue at or above the floor v%d",
            self.directory,
            self.problem,
            floor,
        )
        return None

    def last_good(self) -> Catalogue | None:
        """The catalogue that was active before the current one (None if none)."""
        return self._load_or_none(LAST_GOOD)

    @property
    def version(self) -> int:
        """Version of the active catalogue, 0 when the store is empty."""
        cat = self.active()
        return cat.version if cat else 0

    def _floor(self) -> int:
        """Highest version ever accepted here (anti-rollback): both files and the floor keeper."""
        versions = [
            c.version
            for c in (self._load_or_none(ACTIVE), self._load_or_none(LAST_GOOD))
            if c is not None
        ]
        return max([*versions, self.floor.get().version], default=0)

    # --- writing -----------------------------------------------------------------------------

    def _lock(self) -> int:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.directory / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise StoreError(
                f"cannot use store directory {self.directory}: {exc.strerror or exc}"
            ) from None
        fcntl.flock(fd, fcntl.LOCK_EX)
        return fd

    def _clean_temp(self) -> None:
        for p in self.directory.glob(f".*{TMP_SUFFIX}"):
            try:
                p.unlink()
                log.info("catalogue store %s: removed leftover %s", self.directory, p.name)
            except OSError:
                pass

    def install(
        self,
        bundle_bytes: bytes | str,
        trusted: Mapping[str, Ed25519PublicKey],
        *,
        now: datetime | None = None,
    ) -> Catalogue:
        """Verify, validate, refuse a version not above the active one, then swap atomically."""
        if isinstance(bundle_bytes, str):
            bundle_bytes = bundle_bytes.encode("utf-8")
        catalogue = verify_bundle(bundle_bytes, trusted, now=now)
        fd = self._lock()
        try:
            self._clean_temp()
            floor = self._floor()
            if catalogue.version < floor or (
                catalogue.version == floor and not self._restores_floor(catalogue)
            ):
                raise NotNewer(catalogue.version, floor)
            try:
                previous = (self.directory / ACTIVE).read_bytes()
            except FileNotFoundError:
                previous = None
            try:
                if previous is not None and self._load_or_none(ACTIVE) is not None:
                    _write_durable(self.directory, LAST_GOOD, previous, steps="last_good_")
                _step("last_good_saved")
                _write_durable(self.directory, ACTIVE, bytes(bundle_bytes), steps="")
            except OSError as exc:
                raise StoreError(
                    f"cannot write catalogue to {self.directory}: {exc.strerror or exc}"
                ) from None
            _step("done")
            self.floor.raise_to(catalogue.version, catalogue.digest)
        finally:
            os.close(fd)
        self._cache = None
        log.info(
            "catalogue version %s installed (%d items, key %s)",
            catalogue.version,
            len(catalogue.items),
            catalogue.key_id,
        )
        return catalogue

    def _restores_floor(self, catalogue: Catalogue) -> bool:
        """The floor's own version may go in again, with the same content, when the store no
        longer has a usable copy of it (the fix after a damaged or emptied store)."""
        active = self._load_or_none(ACTIVE)
        if active is not None and active.version == catalogue.version:
            return False
        known = self.floor.get()
        return known.version == catalogue.version and known.digest in ("", catalogue.digest)

    def install_default(
        self,
        path: str | Path,
        trusted: Mapping[str, Ed25519PublicKey] | None = None,
        *,
        now: datetime | None = None,
    ) -> Catalogue:
        """Install the bundle at `path` if the store is empty; the active catalogue either way.

        The default bundle is verified like any other, with `trusted` or the store's own keys.
        """
        current = self.active()
        if current is not None:
            return current
        if self.problem:  # not a new store: the shipped default would be a rollback
            raise StoreError(
                f"catalogue store {self.directory}: {self.problem}; the default "
                f"bundle is not installed over it (install the current bundle)"
            )
        trusted = trusted if trusted is not None else self.trusted
        if trusted is None:
            raise StoreError(
                "install_default needs trusted keys (argument or CatalogueStore(dir, trusted))"
            )
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise StoreError(f"cannot read default bundle {path}: {exc.strerror or exc}") from None
        return self.install(data, trusted, now=now)

"""Where the shipped files are: package data found with importlib.resources, never from __file__.

The repository keeps `assets/` and `config/` at its top; the build maps them into the kiosk
package (pyproject `[tool.setuptools.package-dir]`): `assets/` is `kiosk.assets`, `config/` is
`kiosk.defaults`. In a checkout (editable install) these names resolve to the repository's
folders, in an installed wheel to `site-packages/kiosk/{assets,defaults}`; code asks for them by
name here and works the same in both.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

ASSETS_PACKAGE = "kiosk.assets"
DEFAULTS_PACKAGE = "kiosk.defaults"
#: Environment variable naming the data directory of the packaged demo config (see demo_data_dir).
DATA_DIR_ENV = "KIOSK_DATA_DIR"


def _package_dir(package: str) -> Path:
    """The folder of a data package on the file system (a wheel is always installed unzipped)."""
    try:
        root = resources.files(package)
    except ModuleNotFoundError as exc:  # pragma: no cover - only without any install
        raise RuntimeError(
            f"package data {package} not found: install the project (make setup, or "
            f"pip install -e . / pip install selfservice-kiosk) instead of running it from a bare "
            f"copy of the source"
        ) from exc
    return Path(str(root))


#: assets/: kv layouts, i18n texts, seals, sounds, icons.
ASSETS: Path = _package_dir(ASSETS_PACKAGE)
#: config/: the demo terminal.toml, the default signed catalogue, the demo keys and secret.
DEFAULTS: Path = _package_dir(DEFAULTS_PACKAGE)

KV_DIR = ASSETS / "kv"
I18N_DIR = ASSETS / "i18n"
SEALS_DIR = ASSETS / "seals"
SOUNDS_DIR = ASSETS / "sounds"
ICONS_DIR = ASSETS / "icons"
DEFAULT_CONFIG = DEFAULTS / "terminal.toml"
EXAMPLE_CONFIG = DEFAULTS / "terminal.example.toml"
DEFAULT_BUNDLE = DEFAULTS / "catalogue" / "bundle.json"
DEMO_PUBLIC_KEY = DEFAULTS / "demo" / "catalogue-demo.pub"
DEMO_PRIVATE_KEY = DEFAULTS / "demo" / "catalogue-demo.key"


def asset(*parts: str) -> Path:
    """A file under assets/ (kv/home.kv, i18n/zh_CN.json, sounds/…)."""
    return ASSETS.joinpath(*parts)


def default(*parts: str) -> Path:
    """A file under config/ (terminal.toml, catalogue/bundle.json, demo/…)."""
    return DEFAULTS.joinpath(*parts)


def source_tree() -> Path | None:
    """The repository checkout the data comes from (editable install), or None when installed.

    A checkout is recognised by its pyproject.toml beside the mapped assets/ folder; an installed
    wheel has `site-packages/kiosk/assets`, with no pyproject.toml beside it.
    """
    root = ASSETS.parent
    return root if (root / "pyproject.toml").is_file() and (root / "config").is_dir() else None


def is_packaged(path: Path) -> bool:
    """Whether `path` lies inside the shipped defaults of an installed (non-checkout) copy."""
    if source_tree() is not None:
        return False
    try:
        path.resolve().relative_to(DEFAULTS.resolve())
    except ValueError:
        return False
    return True


def demo_data_dir() -> Path:
    """Where the packaged demo config keeps its data when installed (site-packages is no place).

    $KIOSK_DATA_DIR if set, else $XDG_STATE_HOME/selfservice-kiosk (~/.local/state/…).
    """
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser().resolve()
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return (Path(state) / "selfservice-kiosk").resolve()


#: Compatibility name (kiosk.config.PROJECT_ROOT): the folder holding the assets folder — the
#: checkout root in a checkout, `site-packages/kiosk` installed. PROJECT_ROOT / "assets" / … works
#: in both; config files are only reachable as DEFAULTS / default(...).
PROJECT_ROOT: Path = source_tree() or ASSETS.parent

"""Package list only (metadata is in pyproject.toml): the found packages plus the two data ones.

`assets/` and `config/` stay at the top of the repository and are mapped by
`[tool.setuptools.package-dir]` to `kiosk.assets` and `kiosk.defaults`; pyproject's
`packages.find` only finds packages inside the folders it scans, so they are listed here (with
their data sub-folders as namespace packages, which is how setuptools wants data folders named).
"""

from setuptools import find_namespace_packages, setup


def _data(package: str, folder: str) -> list[str]:
    return [package, *(f"{package}.{p}" for p in find_namespace_packages(where=folder))]


setup(
    packages=[
        *find_namespace_packages(include=["kiosk*", "drivers*", "central*"]),
        *_data("kiosk.assets", "assets"),
        *_data("kiosk.defaults", "config"),
    ],
)
